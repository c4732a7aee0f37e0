'use strict';
/**
 * The visitor of the visitor benchmark, in Chromium (playwright-core): a fresh browser context
 * (no cookies, no open connections, no cache) per visit, as a new visitor's browser would be.
 */
const { performance } = require('node:perf_hooks');

const DONATE = 'a.give:not(.monthly)';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Logs `user` in on the row's site and ends on its home page, loaded. */
async function logIn(page, row, user) {
  if (row.kind === 'public') {
    await page.goto(`${row.url}/bench-login?user=${encodeURIComponent(user.username)}`);
  } else {
    await page.goto(`${row.url}/login`);
    await page.fill('#username', user.username);
    await page.fill('#password', user.password);
    await Promise.all([page.waitForURL(`${row.url}/`), page.click('form[action="/login"] button[type=submit]')]);
  }
  if (new URL(page.url()).pathname !== '/') throw new Error(`login as ${user.username} ended on ${page.url()}`);
  // Row 3 measures the intent script: a build without it would quietly measure row 2 again.
  const tag = await page.$('script[src$="/intent.js"]');
  if (row.prepare && !tag) throw new Error('the home page has no intent.js script tag (LUMINATE_PREPARE not supported by this build)');
  if (!row.prepare && tag) throw new Error('the home page has an intent.js script tag, but prepare is off for this row');
}

/** Where the pointer rests on the Donate link: its middle. */
async function linkMiddle(page) {
  const box = await page.locator(DONATE).boundingBox();
  if (!box) throw new Error('no Donate link on the home page');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Adds each request's start and end to `lines`, in ms after `t0` (--trace). */
function traceRequests(page, t0, lines) {
  const at = () => Math.round(performance.now() - t0);
  const name = (req) => `${req.method()} ${new URL(req.url()).host} ${new URL(req.url()).pathname}`;
  page.on('request', (req) => lines.push(`${at()} ms: → ${name(req)}`));
  page.on('response', (res) => {
    // Playwright's timing: ms after the request started; -1 when the step did not happen (connection reused).
    const { connectStart, connectEnd, requestStart, responseStart } = res.request().timing();
    const connect = connectStart >= 0 ? `, new connection ${Math.round(connectEnd - connectStart)} ms` : '';
    lines.push(`${at()} ms: ← ${res.status()} ${name(res.request())} (sent at +${Math.round(requestStart)}${connect}, ` +
      `first byte at +${Math.round(responseStart)})`);
  });
  page.on('requestfailed', (req) => lines.push(`${at()} ms: ✗ ${name(req)} ${req.failure()?.errorText}`));
}

async function withPage(browser, fn) {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return await fn(page);
  } finally {
    await context.close();
  }
}

/**
 * One visit: log in, rest the pointer on Donate for `restMs`, click; the time from the click
 * (the button's release, which starts the navigation) to the donation page's load event, and
 * whether it shows `user` logged in. `counters()` gives { tokenCalls, connections } now.
 */
function visit(browser, row, user, { restMs, counters, trace }) {
  return withPage(browser, async (page) => {
    try {
      await logIn(page, row, user);
      const { x, y } = await linkMiddle(page);
      const before = counters();
      const pointerAt = performance.now();
      if (trace) traceRequests(page, pointerAt, trace);
      await page.mouse.move(x, y);
      await sleep(restMs);
      await page.mouse.down();
      const landed = page.waitForURL((u) => u.pathname.endsWith('/site/Donation2'), { waitUntil: 'load' });
      const clickedAt = performance.now();
      trace?.push(`${Math.round(clickedAt - pointerAt)} ms: click`);
      await page.mouse.up();
      await landed;
      const ms = performance.now() - clickedAt;
      const after = counters();
      const consId = await page.getAttribute('#lo-status', 'data-cons-id');
      return {
        ms,
        ok: consId === user.consId,
        consId,
        tokenCalls: after.tokenCalls - before.tokenCalls,
        connections: after.connections - before.connections,
      };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
    }
  });
}

/**
 * One intent that does not end in a click: log in, rest the pointer on Donate for `restMs`, move
 * it away, and wait `settleMs` for anything it set off. Resolves with the token calls made
 * between the pointer's arrival and the end of the wait.
 */
function intentWithoutClick(browser, row, user, { restMs, settleMs, counters }) {
  return withPage(browser, async (page) => {
    await logIn(page, row, user);
    const { x, y } = await linkMiddle(page);
    const before = counters().tokenCalls;
    await page.mouse.move(x, y);
    await sleep(restMs);
    await page.mouse.move(5, 600);
    await sleep(settleMs);
    return counters().tokenCalls - before;
  });
}

module.exports = { visit, intentWithoutClick, sleep };
