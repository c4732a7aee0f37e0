'use strict';
/**
 * `npm run load` (20,000 handoffs, 200 at a time); `npm run load:quick` (or --quick) for CI
 * (2,000 handoffs, 50 at a time). Runs against the built dist (`npm run build` first; the npm
 * scripts do it).
 *
 * Three processes on loopback: this one sends the requests and checks every answer; one child
 * runs the stand-in Luminate behind a front that fails 10% of the server-API calls in seven ways
 * (faults.js); one child (--expose-gc) runs the app under test (app.js). Phases:
 *   warm-up    (no faults)  then memory after a full GC: the baseline;
 *   run        (10% faults) every answer checked; every 10th singleSignOn page is also posted to
 *              the stand-in with a wrong token, its signed error callback followed (a guest 302)
 *              and then replayed (a 400): this fills the replay store;
 *   settle     wait until every replay-store entry has expired;
 *   cool-down  (no faults, like the warm-up) then memory after a full GC.
 * Fails (exit code 1) on any wrong answer, on heap growth (cool-down vs warm-up) over the limit,
 * or when the run phase takes longer than its bound. Prints its figures either way.
 */
const { Pool } = require('undici');
const { DEMO_CONSTITUENTS } = require('../../dist/testing');
const { start, killAll } = require('../../bench/lib/children');
const { classifyStart, selfCheck } = require('./check');
const { FAULT_KINDS } = require('./faults');

const QUICK = process.argv.includes('--quick') || process.env.LOAD_QUICK === '1';
const PLAN = QUICK
  ? { handoffs: 2_000, concurrency: 50, warmup: 500, maxRunSec: 60, limitSec: 240 }
  : { handoffs: 20_000, concurrency: 200, warmup: 2_000, maxRunSec: 180, limitSec: 600 };
const FAULT_RATE = 0.1;
const TIMEOUT_MS = 5000; // the bridge's deadline for the token call (its default)
const HOLD_MS = 6000; // a 'timeout' fault holds the call this long (beyond the deadline)
const CALLBACK_MAX_AGE_SEC = 3; // replay-store entries live twice this
const CALLBACK_EVERY = 10;
const CLIENT_TIMEOUT_MS = 10_000; // no answer within this: a hang
/** Limits on growth between warm-up and cool-down, after a full GC each time. */
const LIMITS = { heapMb: 8, rssMb: 64 };
const MB = 1024 * 1024;
const WHO = DEMO_CONSTITUENTS.map((c) => c.consId);

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

/** One GET or POST; resolves with { status, location, body } or { error }. */
async function send(pool, options) {
  try {
    const res = await pool.request({ headersTimeout: CLIENT_TIMEOUT_MS, bodyTimeout: CLIENT_TIMEOUT_MS, ...options });
    const body = await res.body.text();
    return { status: res.statusCode, location: res.headers.location, body };
  } catch (err) {
    return { error: err.code || err.name || 'error' };
  }
}

/**
 * A signed error callback: post the page's form to the stand-in with a wrong token, follow the
 * redirect it answers to the bridge's callback (a guest 302), then replay it (a 400).
 */
async function exerciseCallback(ctx, form, destination, tally) {
  const fields = form.fields.map(([k, v]) => [k, k === 'sso_auth_token' ? `${v}x` : v]);
  const action = new URL(form.action);
  const posted = await send(ctx.front, {
    method: 'POST', path: action.pathname, body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const callbackPrefix = `${ctx.appUrl}/post/luminate/sso/callback?`;
  if (posted.status !== 302 || !posted.location?.startsWith(callbackPrefix)) {
    tally.wrong('callback: the stand-in did not redirect to the callback');
    return;
  }
  const path = posted.location.slice(ctx.appUrl.length);
  const first = await send(ctx.app, { method: 'GET', path });
  if (first.status === 302 && first.location === destination) tally.callbacks += 1;
  else tally.wrong(`callback: ${first.error || first.status}`);
  const replay = await send(ctx.app, { method: 'GET', path });
  if (replay.status === 400) tally.replaysRefused += 1;
  else tally.wrong(`replayed callback: ${replay.error || replay.status}`);
}

/** `n` handoffs, `concurrency` at a time; every answer classified. */
async function phase(ctx, n, concurrency, withCallbacks) {
  const tally = {
    handoffs: 0, guests: 0, callbacks: 0, replaysRefused: 0, wrongAnswers: 0, reasons: {}, latencies: [],
    wrong(reason) { this.wrongAnswers += 1; this.reasons[reason] = (this.reasons[reason] || 0) + 1; },
  };
  let next = 0;
  let pages = 0;
  const from = nowMs();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const mode = i % 2 === 0 ? 'post' : 'redirect';
      // A destination of its own for each request (another donation form). Luminate's signed error
      // callback carries only next, code and ts (seconds): two visitors failing in the same second
      // towards the same page get the same callback URL, and the replay guard refuses the second.
      const destination = `${ctx.site.secureUrl}/site/Donation2?df_id=${(ctx.serial += 1)}`;
      const query = new URLSearchParams({ who: WHO[i % WHO.length], next: destination });
      const t0 = nowMs();
      const answer = await send(ctx.app, { method: 'GET', path: `/${mode}/luminate/sso?${query}` });
      tally.latencies.push(nowMs() - t0);
      if (answer.error) {
        tally.wrong(answer.error === 'UND_ERR_HEADERS_TIMEOUT' || answer.error === 'UND_ERR_BODY_TIMEOUT' ? 'no answer (hang)' : `network ${answer.error}`);
        continue;
      }
      const c = classifyStart({ mode, ...answer, secureUrl: ctx.site.secureUrl, destination });
      if (c.verdict === 'guest') tally.guests += 1;
      else if (c.verdict === 'handoff') tally.handoffs += 1;
      else tally.wrong(c.reason);
      if (withCallbacks && c.form && (pages++ % CALLBACK_EVERY === 0)) await exerciseCallback(ctx, c.form, destination, tally);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  tally.seconds = (nowMs() - from) / 1000;
  tally.latencies.sort((a, b) => a - b);
  return tally;
}

function fmt(n, digits = 0) {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
}

function table(rows) {
  const widths = rows[0].map((_c, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')).join('\n');
}

async function main() {
  selfCheck();
  const started = nowMs();
  const watchdog = setTimeout(() => {
    console.error(`load: still running after ${PLAN.limitSec} s; stopping everything`);
    killAll();
    process.exit(1);
  }, PLAN.limitSec * 1000);
  watchdog.unref();
  process.on('exit', killAll);

  const upstream = start(require.resolve('./upstream'));
  const site = await upstream.ask('start', { holdMs: HOLD_MS });
  const appChild = start(require.resolve('./app'), { execArgv: ['--expose-gc'] });
  const { url: appUrl } = await appChild.ask('start', { site, timeoutMs: TIMEOUT_MS, callbackMaxAgeSeconds: CALLBACK_MAX_AGE_SEC });
  const app = new Pool(appUrl, { connections: PLAN.concurrency, pipelining: 1 });
  const front = new Pool(new URL(site.secureUrl).origin, { connections: Math.min(PLAN.concurrency, 32), pipelining: 1 });
  const ctx = { app, front, appUrl, site, serial: 0 };
  const memory = async () => appChild.ask('stats', { gc: true });

  try {
    await upstream.ask('faults', { rate: 0 });
    const warm = await phase(ctx, PLAN.warmup, PLAN.concurrency, true);
    const base = await memory();

    await upstream.ask('faults', { rate: FAULT_RATE });
    const before = await upstream.ask('counts');
    const run = await phase(ctx, PLAN.handoffs, PLAN.concurrency, true);
    const after = await upstream.ask('counts');
    const afterRun = await memory();

    await upstream.ask('faults', { rate: 0 });
    await sleep(CALLBACK_MAX_AGE_SEC * 2000 + 1000); // every replay-store entry has expired
    const cool = await phase(ctx, PLAN.warmup, PLAN.concurrency, true);
    const end = await memory();
    await front.close(); // so only the app's own connections to Luminate are left open
    const upstreamEnd = await upstream.ask('counts');

    const calls = after.calls - before.calls;
    const faults = after.faults - before.faults;
    const byKind = FAULT_KINDS.map((k) => `${k} ${fmt(after.byKind[k] - before.byKind[k])}`).join(', ');
    const heapGrowth = (end.heapUsed - base.heapUsed) / MB;
    const rssGrowth = (end.rss - base.rss) / MB;

    console.log(`\nLoad test${QUICK ? ' (quick)' : ''}: ${fmt(PLAN.handoffs)} handoffs, ${PLAN.concurrency} concurrent, ${FAULT_RATE * 100}% of upstream calls failing; node ${process.version}\n`);
    console.log(table([
      ['phase', 'requests', 'handoffs', 'guest 302', 'callbacks', 'replays 400', 'wrong', 'seconds', 'handoffs/s', 'p50 ms', 'p99 ms', 'max ms'],
      ...[['warm-up', warm], ['run (10% faults)', run], ['cool-down', cool]].map(([name, t]) => [
        name, fmt(t.latencies.length), fmt(t.handoffs), fmt(t.guests), fmt(t.callbacks), fmt(t.replaysRefused), fmt(t.wrongAnswers),
        fmt(t.seconds, 1), fmt(t.latencies.length / t.seconds), fmt(percentile(t.latencies, 50), 1), fmt(percentile(t.latencies, 99), 1),
        fmt(t.latencies[t.latencies.length - 1], 1),
      ]),
    ]));
    console.log(`\nupstream during the run: ${fmt(calls)} token calls, ${fmt(faults)} failed on purpose (${byKind})`);
    console.log(`bridge failures seen by onError (all phases): ${Object.entries(end.failures).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'none'}`);
    console.log(`app connections to Luminate: ${fmt(end.upstreamConnections)} opened in all (a reset or timed-out call costs one), ${upstreamEnd.openConnections} open at the end\n`);
    console.log(table([
      ['app memory (after full GC)', 'heap used MB', 'RSS MB', 'replay-store entries'],
      ['after warm-up (baseline)', fmt(base.heapUsed / MB, 1), fmt(base.rss / MB, 1), fmt(base.storeSize)],
      ['after run', fmt(afterRun.heapUsed / MB, 1), fmt(afterRun.rss / MB, 1), fmt(afterRun.storeSize)],
      ['after cool-down', fmt(end.heapUsed / MB, 1), fmt(end.rss / MB, 1), fmt(end.storeSize)],
      [`growth (limit ${LIMITS.heapMb} / ${LIMITS.rssMb} MB)`, fmt(heapGrowth, 1), fmt(rssGrowth, 1), ''],
    ]));

    const problems = [];
    for (const [name, t] of [['warm-up', warm], ['run', run], ['cool-down', cool]]) {
      if (t.wrongAnswers > 0) problems.push(`${name}: ${t.wrongAnswers} wrong answers (${Object.entries(t.reasons).map(([r, c]) => `${r}: ${c}`).join('; ')})`);
    }
    // Each handoff makes one token call; a call the client retried (a connection that never got
    // through) may absorb a fault. A guest answer without a fault behind it is a bridge failure.
    const retried = Math.max(0, calls - PLAN.handoffs);
    if (run.guests > faults || run.guests < faults - retried) problems.push(`run: ${run.guests} guest answers for ${faults} upstream faults (${retried} calls retried)`);
    if (warm.guests + cool.guests > 0) problems.push(`${warm.guests + cool.guests} guest answers without faults`);
    if (run.seconds > PLAN.maxRunSec) problems.push(`run took ${fmt(run.seconds, 1)} s (bound ${PLAN.maxRunSec} s)`);
    if (heapGrowth > LIMITS.heapMb) problems.push(`heap grew ${fmt(heapGrowth, 1)} MB (limit ${LIMITS.heapMb} MB)`);
    if (rssGrowth > LIMITS.rssMb) problems.push(`RSS grew ${fmt(rssGrowth, 1)} MB (limit ${LIMITS.rssMb} MB)`);
    if (end.storeSize > cool.callbacks) problems.push(`replay store holds ${end.storeSize} entries after the cool-down (more than its ${cool.callbacks} callbacks)`);
    console.log(`\n${problems.length === 0 ? 'PASS' : `FAIL\n  ${problems.join('\n  ')}`} (${fmt((nowMs() - started) / 1000, 1)} s in all)`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  } finally {
    await app.close();
    if (!front.closed) await front.close();
    await appChild.stop();
    await upstream.stop();
  }
}

main().catch((err) => {
  console.error(err);
  killAll();
  process.exit(1);
});
