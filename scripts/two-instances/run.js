'use strict';
/**
 * `npm run load:two [-- --visitors 300 --clicks 6000 --callbacks 200 --connections 32 --memory]`
 *
 * Two host-site processes (test/store/fixtures/host-instance.js: sessions on connect-redis, the
 * bridge on RedisStore) share one throwaway redis-server and one stand-in Luminate. Load
 * alternates between them, and every answer is checked:
 *   1. each visitor logs in on one instance, then clicks on A and B at the same moment (both
 *      first clicks for a new email: the constituent must be created once);
 *   2. `clicks` more clicks round-robin over the visitors, alternating A/B, `connections` at a
 *      time: each must be a handoff page whose token Luminate issued for THIS visitor's record
 *      (throughput and latency are measured here);
 *   3. `callbacks` signed callbacks, each sent to A and B at once: exactly one followed;
 *   4. one visitor clicks 2 × the per-visitor limit over A and B: exactly `limit` allowed.
 * Prints the figures and the wrong answers; exits 1 on any wrong answer. `--memory` runs the
 * same with the bridge on a per-process MemoryStore, to show the wrong answers a shared store
 * prevents. Bounded: fixed amounts, 10 s per request, 10 minutes overall.
 *
 * Runs the TypeScript sources (no build). Needs redis-server on PATH (Debian: redis-server).
 */
require('../../test/fake-luminate/fixtures/register-ts.js');
const os = require('node:os');
const { parseArgs } = require('node:util');
const { Pool } = require('undici');
const { createFakeLuminate } = require('../../src/testing/index.ts');
const { startRedisServer, REDIS_SERVER } = require('../../test/helpers/redis-server.ts');
const { startInstance } = require('../../test/store/instances.ts');

const { values: args } = parseArgs({
  options: {
    visitors: { type: 'string', default: '300' },
    clicks: { type: 'string', default: '6000' },
    callbacks: { type: 'string', default: '200' },
    connections: { type: 'string', default: '32' },
    memory: { type: 'boolean', default: false },
  },
});
const count = (name, min, max) => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < min || n > max) throw new TypeError(`--${name} must be a whole number ${min}-${max}`);
  return n;
};
const VISITORS = count('visitors', 1, 10_000);
const CLICKS = count('clicks', 1, 1_000_000);
const CALLBACKS = count('callbacks', 0, 100_000);
const CONNECTIONS = count('connections', 2, 512);
const PER_VISITOR_LIMIT = 50;
const OVERALL_LIMIT_MS = 10 * 60_000;
const DOMAIN = 'load.example.org';

// Every click counts against its visitor's limit; the run must stay under it except in step 4.
const clicksPerVisitor = 2 + Math.ceil((CLICKS + CALLBACKS) / VISITORS);
if (clicksPerVisitor >= PER_VISITOR_LIMIT) {
  throw new TypeError(`${clicksPerVisitor} clicks per visitor would reach the throttle (${PER_VISITOR_LIMIT} a minute): raise --visitors.`);
}

const wrong = [];
function wrongAnswer(what) {
  wrong.push(what);
  if (wrong.length <= 10) console.error(`  wrong: ${what}`);
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

/** Runs `task(i)` for i in [0, total) with at most `width` at a time. */
async function inParallel(total, width, task) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next;
      next += 1;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, total) }, worker));
}

/** Closers of what the run started, newest last; run once, however the run ends. */
const opened = [];
async function cleanup() {
  for (const close of opened.splice(0).reverse()) await close().catch((e) => console.error('cleanup:', e.message));
}

async function main() {
  if (!REDIS_SERVER) throw new Error('redis-server is not on PATH (Debian: apt-get install redis-server).');
  const watchdog = setTimeout(() => {
    console.error(`load:two: still running after ${OVERALL_LIMIT_MS / 60_000} minutes; giving up.`);
    cleanup().finally(() => process.exit(1));
  }, OVERALL_LIMIT_MS);
  watchdog.unref();
  try {
    const redis = await startRedisServer();
    opened.push(() => redis.close());
    const fake = await createFakeLuminate();
    opened.push(() => fake.close());
    const settings = {
      redisUrl: redis.url,
      fake,
      throttle: { perVisitor: { limit: PER_VISITOR_LIMIT, windowMs: 60_000 }, perIp: false },
      provisionDelayMs: 20,
      memoryStore: args.memory,
    };
    const instances = await Promise.all([startInstance(settings), startInstance(settings)]);
    opened.push(() => Promise.all(instances.map((i) => i.stop())));
    const pools = instances.map((i) => new Pool(i.url, { connections: CONNECTIONS, headersTimeout: 10_000, bodyTimeout: 10_000 }));
    opened.push(() => Promise.all(pools.map((p) => p.close())));
    const fakePool = new Pool(fake.url, { connections: 8, headersTimeout: 10_000, bodyTimeout: 10_000 });
    opened.push(() => fakePool.close());

    const send = async (pool, path, { method = 'GET', cookie, form } = {}) => {
      const headers = {};
      if (cookie) headers.cookie = cookie;
      if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await pool.request({ path, method, headers, body: form ? new URLSearchParams(form).toString() : undefined });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    };
    const donation = (df) => `${fake.secureUrl}/site/Donation2?df_id=${df}`;
    const startPath = (df) => `/luminate/sso?next=${encodeURIComponent(donation(df))}`;
    const tokenOf = (page) => /name="sso_auth_token" value="([^"]+)"/.exec(page.text)?.[1];
    /** token → the visitor's email, checked against the stand-in's issued tokens at the end. */
    const issuedFor = new Map();
    const click = async (which, visitor, df) => {
      const page = await send(pools[which], startPath(df), { cookie: visitor.cookie });
      const token = page.status === 200 ? tokenOf(page) : undefined;
      if (token) issuedFor.set(token, visitor.email);
      else wrongAnswer(`click on ${'AB'[which]} for ${visitor.email}: status ${page.status}, no handoff page`);
      return page;
    };

    console.log(`== two instances: A ${instances[0].url}, B ${instances[1].url}; Redis ${redis.url}; stand-in ${fake.url}`);
    console.log(`== bridge store: ${args.memory ? 'MemoryStore per process (--memory)' : 'RedisStore (shared)'}; ${os.cpus().length} CPUs, Node ${process.version}`);

    // 1. Logins, then two simultaneous first clicks (A and B) per visitor: new emails, provisioned.
    const visitors = Array.from({ length: VISITORS }, (_, i) => ({ email: `visitor${i}@${DOMAIN}`, cookie: '' }));
    await inParallel(VISITORS, CONNECTIONS, async (i) => {
      const res = await send(pools[i % 2], '/login', { method: 'POST', form: { email: visitors[i].email } });
      const cookie = [].concat(res.headers['set-cookie'] ?? [])[0]?.split(';')[0];
      if (res.status !== 303 || !cookie) throw new Error(`login failed on ${'AB'[i % 2]}: ${res.status}`);
      visitors[i].cookie = cookie;
    });
    const firstStarted = Date.now();
    await inParallel(VISITORS, Math.max(1, CONNECTIONS / 2), (i) => Promise.all([click(0, visitors[i], 1), click(1, visitors[i], 1)]));
    const firstMs = Date.now() - firstStarted;

    // 2. Steady clicks, alternating A and B, round-robin over the visitors.
    const latencies = { 0: [], 1: [] };
    const started = Date.now();
    await inParallel(CLICKS, CONNECTIONS, async (i) => {
      const which = i % 2;
      const t0 = performance.now();
      await click(which, visitors[Math.floor(i / 2) % VISITORS], 1234);
      latencies[which].push(performance.now() - t0);
    });
    const clicksMs = Date.now() - started;

    // 3. Signed callbacks, each sent to A and B at the same moment: one followed, one a replay.
    let followed = 0;
    let replays = 0;
    await inParallel(CALLBACKS, Math.max(1, CONNECTIONS / 4), async (c) => {
      const visitor = visitors[c % VISITORS];
      const df = 100_000 + c; // a distinct next per callback: equal queries in one second sign alike
      const page = await click(c % 2, visitor, df);
      const action = /<form[^>]*\baction="([^"]+)"/.exec(page.text)?.[1];
      if (!action) return;
      const fields = [...page.text.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [m[1], m[2].replace(/&amp;/g, '&')]);
      const bogus = fields.map(([k, v]) => [k, k === 'sso_auth_token' ? 'refused-on-purpose' : v]);
      const target = new URL(action.replace(/&amp;/g, '&'));
      const refused = await send(fakePool, `${target.pathname}${target.search}`, { method: 'POST', form: bogus });
      const location = refused.headers.location;
      if (refused.status !== 302 || !location) return wrongAnswer(`the stand-in sent no signed callback (${refused.status})`);
      const path = `${new URL(location).pathname}${new URL(location).search}`;
      const [onA, onB] = await Promise.all([send(pools[0], path), send(pools[1], path)]);
      const accepted = [onA, onB].filter((r) => r.status === 302 && r.headers.location === donation(df)).length;
      const refusedAsReplay = [onA, onB].filter((r) => r.status === 400).length;
      followed += accepted;
      replays += refusedAsReplay;
      if (accepted !== 1 || refusedAsReplay !== 1) {
        const where = (r) => `${r.status}${r.headers.location ? ` → ${r.headers.location}` : ''}`;
        wrongAnswer(`callback ${c}: ${where(onA)} on A, ${where(onB)} on B (one 302 to df_id=${df} and one 400 expected)`);
      }
    });

    // 4. One visitor, 2 × the limit over A and B, one at a time.
    const hammer = { email: `throttled@${DOMAIN}`, cookie: '' };
    const login = await send(pools[0], '/login', { method: 'POST', form: { email: hammer.email } });
    hammer.cookie = [].concat(login.headers['set-cookie'] ?? [])[0]?.split(';')[0];
    const throttleStatuses = [];
    for (let i = 0; i < 2 * PER_VISITOR_LIMIT; i += 1) {
      const res = await send(pools[i % 2], startPath(1234), { cookie: hammer.cookie });
      throttleStatuses.push(res.status);
      const token = res.status === 200 ? tokenOf(res) : undefined;
      if (token) issuedFor.set(token, hammer.email);
    }
    const allowed = throttleStatuses.filter((s) => s === 200).length;
    const limited = throttleStatuses.filter((s) => s === 429).length;
    if (allowed !== PER_VISITOR_LIMIT) wrongAnswer(`throttle: ${allowed} clicks allowed over A and B, limit ${PER_VISITOR_LIMIT}`);

    // Checks against the stand-in: one record per email; every token for its visitor's record.
    const records = new Map();
    for (const c of fake.constituents) {
      if (!c.email?.endsWith(`@${DOMAIN}`)) continue;
      records.set(c.email, [...(records.get(c.email) ?? []), c.consId]);
    }
    for (const v of [...visitors, hammer]) {
      const ids = records.get(v.email) ?? [];
      if (ids.length !== 1) wrongAnswer(`${v.email}: ${ids.length} constituent records`);
    }
    const creates = fake.requests.filter((r) => r.apiMethod === 'create').length;
    // The stand-in refuses a second record for an email (code 13); a site may not: each extra
    // create is a race the lock should have prevented.
    if (creates !== VISITORS + 1) wrongAnswer(`${creates} create calls for ${VISITORS + 1} new emails`);
    const tokenCons = new Map(fake.issuedTokens.map((t) => [t.token, t.consId]));
    let mismatched = 0;
    for (const [token, email] of issuedFor) {
      if (!(records.get(email) ?? []).includes(tokenCons.get(token))) mismatched += 1;
    }
    if (mismatched) wrongAnswer(`${mismatched} tokens were issued for another constituent than the visitor's`);

    // What the bridges reported to onError (the fixture keeps the last 1000 codes per process).
    const reported = {};
    for (const [i, pool] of pools.entries()) {
      for (const code of JSON.parse((await send(pool, '/test/errors')).text)) {
        const key = `${code} on ${'AB'[i]}`;
        reported[key] = (reported[key] ?? 0) + 1;
      }
    }
    const all = [...latencies[0], ...latencies[1]].sort((x, y) => x - y);
    const ms = (v) => v.toFixed(1);
    const lines = [
      '',
      `first clicks: ${2 * VISITORS} (A and B at once, ${VISITORS} new emails) in ${(firstMs / 1000).toFixed(1)} s; create calls: ${creates} (expected ${VISITORS + 1}, one per new email)`,
      `clicks: ${CLICKS} alternating A/B, ${CONNECTIONS} at a time, in ${(clicksMs / 1000).toFixed(1)} s: ${Math.round(CLICKS / (clicksMs / 1000))} handoffs/s ` +
        `(A ${latencies[0].length}, B ${latencies[1].length}); latency p50 ${ms(percentile(all, 50))} ms, p99 ${ms(percentile(all, 99))} ms`,
      `callbacks: ${CALLBACKS}, each sent to A and B at once: ${followed} followed, ${replays} refused as replays`,
      `throttle: ${2 * PER_VISITOR_LIMIT} clicks by one visitor over A and B: ${allowed} allowed (limit ${PER_VISITOR_LIMIT}), ${limited} answered 429`,
      `onError: ${Object.entries(reported).map(([k, n]) => `${n} × ${k}`).join(', ') || 'nothing'}`,
      `wrong answers: ${wrong.length}`,
    ];
    console.log(lines.join('\n'));
    process.exitCode = wrong.length > 0 ? 1 : 0;
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
}

process.once('SIGINT', () => {
  console.error('load:two: interrupted; stopping the instances and Redis');
  cleanup().finally(() => process.exit(130));
});
main().catch((err) => {
  console.error(`load:two failed: ${err && err.stack}`);
  process.exitCode = 1;
});
