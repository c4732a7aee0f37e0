'use strict';
/**
 * `npm run bench:visitor [-- --rtt 80 --api-ms 300 --rest-ms 300 --runs 15 --quick --busy --trace]`:
 * what a donor waits, in Chromium, from the click on Donate to the logged-in donation page, side
 * by side in one run:
 *   1. the public-integration way (bench/lib/public-way-site.js: a new TLS connection per token
 *      call, then a redirect to EstablishSession);
 *   2. the bridge today (the example site, singleSignOn and establishSession);
 *   3. the bridge with `prepare: true` (LUMINATE_PREPARE=true), both handoff modes.
 * Everything is HTTPS (one self-signed certificate made now) on loopback; every connection goes
 * through a delaying TCP proxy (bench/lib/delay-proxy.js) that adds --rtt to each round trip:
 * browser ↔ host site, browser ↔ Luminate, host ↔ Luminate. The stand-in Luminate answers its
 * server API after --api-ms. Each visit is a new visitor (a fresh browser context): log in, rest
 * the pointer on Donate for --rest-ms (default 300), click; it counts only if the donation page
 * shows that visitor logged in. Rows take turns, visit by visit (a quiet site); --busy runs one row's
 * visits after another (a site busy enough that the bridge's connection to Luminate stays open).
 * Then the same number of intents without a click per row (rest on Donate, move away): the token
 * calls they cost.
 * The example sites run in child processes (example-app/app.js in real-site mode); this process
 * runs the stand-in, the proxies, the row 1 site and drives the browser. Bounded in time.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createHash, randomBytes, X509Certificate } = require('node:crypto');
const { parseArgs } = require('node:util');
const { chromium } = require('playwright-core');
const { built } = require('./lib/built');
const { start, guardProcesses } = require('./lib/children');
const { startDelayProxy, startTlsTerminator } = require('./lib/delay-proxy');
const { startPublicWaySite } = require('./lib/public-way-site');
const { visit, intentWithoutClick } = require('./lib/visit');
const { report } = require('./lib/visitor-report');

const { createFakeLuminate, createSelfSignedCertificate, DEMO_CONSTITUENTS } = built('testing');

const OUT_DIR = path.join(__dirname, '.out');
const CHROMIUM = process.env.E2E_CHROMIUM_PATH || '/usr/bin/chromium';
const { values: flags } = parseArgs({
  options: {
    rtt: { type: 'string', default: '80' }, 'api-ms': { type: 'string', default: '300' },
    runs: { type: 'string' }, quick: { type: 'boolean', default: false }, busy: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false }, 'rest-ms': { type: 'string', default: '300' },
  },
});
const PLAN = {
  rttMs: boundedNumber(flags.rtt, '--rtt', 0, 1000),
  apiMs: boundedNumber(flags['api-ms'], '--api-ms', 0, 5000),
  runs: boundedNumber(flags.runs ?? (flags.quick ? '3' : '15'), '--runs', 1, 50),
  // How long the pointer rests on the link before the click: a human moment.
  restMs: boundedNumber(flags['rest-ms'], '--rest-ms', 0, 3000),
  // Default: rows take turns, so each site sees a click every few visits, more than the 4 s the
  // bridge keeps an idle connection to Luminate (a quiet site: the click finds none open).
  // --busy: each row's visits back to back, about one visit apart (a site busy enough to keep it).
  busy: flags.busy,
};

function boundedNumber(text, name, min, max) {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new TypeError(`${name} must be a whole number ${min}-${max}, got ${text}`);
  return n;
}

const ROWS = [
  { id: 'public', kind: 'public', handoff: 'establishSession', label: '1. public way: new TLS connection per token call, redirect' },
  { id: 'sso', handoff: 'singleSignOn', label: '2. bridge today, singleSignOn' },
  { id: 'es', handoff: 'establishSession', label: '2. bridge today, establishSession' },
  { id: 'sso-prepare', handoff: 'singleSignOn', prepare: true, label: '3. bridge, prepare: true, singleSignOn' },
  { id: 'es-prepare', handoff: 'establishSession', prepare: true, label: '3. bridge, prepare: true, establishSession' },
];
const USERS = DEMO_CONSTITUENTS.map((c) => ({
  username: c.userName, password: `bench-${c.userName}`, name: c.firstName, consId: c.consId,
}));

/** The SPKI pin Chromium is told to accept (--ignore-certificate-errors-spki-list): the certificate counts as valid. */
const spkiPin = (cert) => createHash('sha256').update(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }))
  .digest('base64');

/** TLS, then the delay, in front of a plain-HTTP site on 127.0.0.1 (its port set later, read per connection). */
async function front(key, cert, rttMs) {
  const target = { host: '127.0.0.1', port: 0 };
  const terminator = await startTlsTerminator({ target, key, cert });
  const proxy = await startDelayProxy({ target: { host: '127.0.0.1', port: terminator.port }, rttMs });
  return { target, url: `https://localhost:${proxy.port}`, close: () => Promise.all([proxy.close(), terminator.close()]) };
}

async function startRow(row, { key, cert, fake, luminateUrl, caFile, usersFile, closers }) {
  const site = await front(key, cert, PLAN.rttMs);
  closers.push(site.close);
  row.url = site.url;
  if (row.kind === 'public') {
    const donateUrl = `${luminateUrl}/site/Donation2?df_id=1234`;
    const luminate = { secureUrl: luminateUrl, apiKey: fake.apiKey, apiLogin: fake.apiLogin, ca: cert };
    const publicSite = await startPublicWaySite({ luminate, users: USERS, donateUrl });
    closers.push(publicSite.close);
    site.target.port = publicSite.port;
    return;
  }
  const env = {
    // Not production: the example site would then want its session cookie sent over https it can
    // see, and behind this TCP-level TLS terminator it sees plain HTTP (no X-Forwarded-Proto).
    NODE_ENV: 'development',
    NODE_EXTRA_CA_CERTS: caFile, // the bridge's calls to the stand-in (through the proxy) trust its certificate
    HOST: '127.0.0.1', PORT: '0', PUBLIC_BASE_URL: site.url, SESSION_SECRET: randomBytes(16).toString('hex'),
    EXAMPLE_USERS_FILE: usersFile, LUMINATE_HANDOFF: row.handoff, ...(row.prepare ? { LUMINATE_PREPARE: 'true' } : {}),
    LUMINATE_SECURE_URL: luminateUrl, LUMINATE_API_KEY: fake.apiKey, LUMINATE_API_LOGIN_NAME: fake.apiLogin.name,
    LUMINATE_API_LOGIN_PASSWORD: fake.apiLogin.password, LUMINATE_API_SECRET_KEY: fake.apiSecretKey,
    LUMINATE_SIGNATURE_ALGORITHM: fake.signatureAlgorithm,
  };
  const child = start(path.join(__dirname, 'visitor-site.js'), { env });
  closers.push(() => child.stop());
  const { port, handoff } = await child.ask('start', {}, 60_000);
  if (handoff !== row.handoff) throw new Error(`${row.id}: the example site runs ${handoff}, not ${row.handoff}`);
  site.target.port = port;
}

async function main() {
  guardProcesses((flags.quick ? 5 : 25) * 60_000);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const { key, cert } = createSelfSignedCertificate();
  const caFile = path.join(OUT_DIR, 'visitor-ca.pem');
  const usersFile = path.join(OUT_DIR, 'visitor-users.json');
  fs.writeFileSync(caFile, cert);
  fs.writeFileSync(usersFile, JSON.stringify(USERS)); // the example site's accounts (EXAMPLE_USERS_FILE)
  const closers = [];
  let browser;
  try {
    const fake = await createFakeLuminate({ tls: { key, cert } });
    closers.push(() => fake.close());
    fake.faults.latencyMs = PLAN.apiMs; // the server API's processing time (token calls)
    const luminateProxy = await startDelayProxy({ target: { host: '127.0.0.1', port: fake.port }, rttMs: PLAN.rttMs });
    closers.push(luminateProxy.close);
    // Luminate is https://127.0.0.1:…, the host sites https://localhost:…: two sites, as in production.
    const luminateUrl = `https://127.0.0.1:${luminateProxy.port}${new URL(fake.secureUrl).pathname}`;
    for (const row of ROWS) await startRow(row, { key, cert, fake, luminateUrl, caFile, usersFile, closers });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      timeout: 60_000,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--host-resolver-rules=MAP localhost 127.0.0.1', `--ignore-certificate-errors-spki-list=${spkiPin(cert)}`],
    });
    const counters = () => ({
      tokenCalls: fake.requests.filter((r) => r.apiMethod === 'getSingleSignOnToken').length,
      connections: luminateProxy.stats().connections,
    });
    const opts = { restMs: PLAN.restMs, settleMs: PLAN.apiMs + 4 * PLAN.rttMs + 300, counters };
    const started = { at: new Date().toISOString(), loadavg: os.loadavg(), chromium: browser.version(), node: process.version };
    console.log(`visitor benchmark: RTT ${PLAN.rttMs} ms, API ${PLAN.apiMs} ms, ${PLAN.runs} visits per row, ` +
      `rest ${PLAN.restMs} ms; Chromium ${started.chromium}, load average ${started.loadavg.map((l) => l.toFixed(1)).join(' ')}`);

    // One visit per row first, not counted: the sites' and the browser's first requests. A build
    // of the example site without LUMINATE_PREPARE leaves row 3 out (said in the table).
    const rows = [];
    for (const row of ROWS) {
      const warm = await visit(browser, row, USERS[0], opts);
      if (!warm.ok && row.prepare && /intent\.js/.test(warm.error ?? '')) {
        row.unavailable = warm.error;
        console.error(`${row.id}: left out: ${warm.error}`);
        continue;
      }
      if (!warm.ok) throw new Error(`${row.id}: the warm-up visit failed: ${warm.error ?? `landed as ${JSON.stringify(warm.consId)}`}`);
      rows.push(row);
    }
    const results = Object.fromEntries(ROWS.map((row) => [row.id, { visits: [], intentTokenCalls: [] }]));
    // Rows take turns (in a rotating order), so a busy spell of the shared machine hits them all
    // alike; with --busy, one row's visits after another.
    const runs = Array.from({ length: PLAN.runs }, (_, i) => i);
    const order = PLAN.busy
      ? rows.flatMap((row) => runs.map((i) => ({ i, row })))
      : runs.flatMap((i) => rows.map((_, j) => ({ i, row: rows[(i + j) % rows.length] })));
    for (const [n, { i, row }] of order.entries()) {
      // --trace: the browser's requests in each row's first visit, in ms after the pointer arrived.
      const trace = flags.trace && i === 0 ? [] : undefined;
      const result = await visit(browser, row, USERS[i % USERS.length], { ...opts, trace });
      if (trace) console.log(`\n${row.id}, visit 1:\n  ${trace.join('\n  ')}`);
      results[row.id].visits.push(result);
      if (!result.ok) console.error(`${row.id}: visit ${i + 1} failed: ${result.error ?? `landed as ${JSON.stringify(result.consId)}`}`);
      process.stdout.write(`visit ${n + 1}/${order.length}\r`);
    }
    for (let i = 0; i < PLAN.runs; i += 1) {
      for (const row of rows) {
        const calls = await intentWithoutClick(browser, row, USERS[i % USERS.length], opts).catch((err) => {
          console.error(`${row.id}: intent ${i + 1} failed: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
          return undefined;
        });
        if (calls !== undefined) results[row.id].intentTokenCalls.push(calls);
      }
    }
    const finished = { at: new Date().toISOString(), loadavg: os.loadavg() };
    const text = report({ plan: PLAN, rows: ROWS, results, started, finished });
    console.log(`\n${text}`);
    const file = path.join(OUT_DIR, `visitor-${started.at.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify({ plan: PLAN, started, finished, rows: ROWS, results }, null, 2));
    console.log(`raw results: ${path.relative(process.cwd(), file)}`);
  } finally {
    await browser?.close();
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
