'use strict';
/**
 * `npm run bench`; `npm run bench:quick` (or BENCH_QUICK=1, or --quick) for a short smoke run.
 *
 * Side by side, in one run: the bridge (both handoff modes, and establishSession with the token
 * throttle on), the floor (one pooled POST, its body read, a 302, nothing else) and the naive way
 * (new TLS connection and full re-parse per call), against the stand-in Luminate over HTTPS:
 *   1. throughput: autocannon, closed loop, 10 and 100 connections, no upstream delay;
 *   2. latency at moderate load: 100 requests/s at a steady pace over at most 10 keep-alive
 *      connections, with an upstream delay of 0 and of 50 ms, beside an Express route that
 *      answers at once without any upstream call (what one loopback HTTP hop costs here);
 *   3. memory: 100,000 handoffs through the bridge, RSS (and heap, external) after a forced GC
 *      after the warm-up and after every fifth of them.
 * Three processes: this one drives the load, one child runs the stand-in, one child runs the app
 * under test (a fresh one per case). They share the machine's cores, so beside the throughput
 * ratio the table gives the ratio of the app's own CPU time per handoff (what throughput would
 * be where the app's CPU is the only limit) and how busy the whole machine was. Everything is on
 * loopback, bounded in time, and every child is killed at the end, however the run ends.
 * BENCH_LIB=<a built dist folder> runs another build (e.g. one made apart from dist/).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { guardProcesses } = require('./lib/children');
const { load } = require('./lib/load');
const { paced } = require('./lib/paced');
const { startUpstream, startApp, checkHandoff, OUT_DIR } = require('./lib/setup');
const { DIST } = require('./lib/built');

const QUICK = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
// Every case runs `rounds` times, the cases interleaved, and the table shows medians: on a small
// shared machine one round alone can be off by a third.
const PLAN = QUICK
  ? { rounds: 1, warmupSec: 1, measureSec: 2, rssWarmup: 5_000, rssAmount: 10_000, rssLimitSec: 60, limitMs: 5 * 60_000 }
  : { rounds: 5, warmupSec: 2, measureSec: 5, rssWarmup: 10_000, rssAmount: 100_000, rssLimitSec: 300, limitMs: 30 * 60_000 };
// For looking into one thing: BENCH_ROUNDS / BENCH_WARMUP_SEC / BENCH_MEASURE_SEC override the plan.
if (process.env.BENCH_ROUNDS) PLAN.rounds = Number(process.env.BENCH_ROUNDS);
if (process.env.BENCH_WARMUP_SEC) PLAN.warmupSec = Number(process.env.BENCH_WARMUP_SEC);
if (process.env.BENCH_MEASURE_SEC) PLAN.measureSec = Number(process.env.BENCH_MEASURE_SEC);
const MODERATE = { connections: 10, ratePerSec: 100 };
const HIGH = 100;
const NAMES = ['floor', 'bridge-sso', 'bridge-es', 'naive'];
// The token throttle is on by default; the other bridge cases run without it (one visitor from
// one IP, 100,000 times), so its cost is shown on its own row (it counts, never refuses).
// floor-dispatch: the floor sending through undici's dispatch(), as the bridge does (a reference).
const THROUGHPUT_NAMES = [NAMES[0], 'floor-dispatch', ...NAMES.slice(1, 3), 'bridge-es-throttled', NAMES[3]];
const ALL_CASES = [
  ...THROUGHPUT_NAMES.map((name) => ({ kind: 'throughput', name, delayMs: 0, connections: MODERATE.connections })),
  ...THROUGHPUT_NAMES.map((name) => ({ kind: 'throughput', name, delayMs: 0, connections: HIGH })),
  // The delay does not apply to no-upstream: it runs once, with the 0 ms cases.
  ...['no-upstream', ...NAMES].map((name) => ({ kind: 'latency', name, delayMs: 0, ...MODERATE })),
  ...NAMES.map((name) => ({ kind: 'latency', name, delayMs: 50, ...MODERATE })),
];
const caseId = (c) => `${c.kind}:${c.name}@${c.delayMs}x${c.connections}`;
// BENCH_ONLY=<regexp> (e.g. 'latency:.*@50') runs the matching cases only, without the memory
// step and the verdicts.
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
const CASES = ONLY ? ALL_CASES.filter((c) => ONLY.test(caseId(c))) : ALL_CASES;
const EXPECTED_STATUS = { floor: 302, 'floor-dispatch': 302, 'no-upstream': 302, 'bridge-sso': 200, 'bridge-es': 302, 'bridge-es-throttled': 302, naive: 302 };
const LABEL = {
  floor: 'floor: pooled POST, 302',
  'floor-dispatch': 'floor through dispatch() (reference)',
  'no-upstream': 'no upstream: Express route, 302 at once (reference)',
  'bridge-sso': 'bridge, singleSignOn (200 page)',
  'bridge-es': 'bridge, establishSession (302)',
  'bridge-es-throttled': 'bridge, establishSession, throttle on',
  naive: 'naive: new TLS + full parse',
};
const MB = 1024 * 1024;

/**
 * CPU time of the whole machine (every core, every process: ours, the children and anyone
 * else's) and of this process (the load generator), to tell which one the load was limited by.
 */
function machineSample() {
  let idle = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  const own = process.cpuUsage();
  return { idle, total, ownCpuMicros: own.user + own.system };
}

/**
 * One case in a fresh app process. The warm-up always runs without upstream delay, so the code
 * is as warm (JIT-compiled) in the 50 ms cases as in the others; the delay is set after it.
 */
async function measureCase(c, ctx) {
  const { upstream, site, ca } = ctx;
  await upstream.ask('latency', { ms: 0 });
  const { app, url } = await startApp(c.name, site, ca);
  try {
    await checkHandoff(c.name, url, site);
    let before;
    let machineBefore;
    const snapshot = () => {
      machineBefore = machineSample();
      before = Promise.all([app.ask('stats'), upstream.ask('stats')]);
    };
    let r;
    if (c.kind === 'throughput') {
      r = await load({
        url, connections: c.connections, warmupSec: PLAN.warmupSec, durationSec: PLAN.measureSec,
        limitSec: PLAN.warmupSec + PLAN.measureSec + 30, onMeasureStart: snapshot,
      });
    } else {
      await load({ url, connections: c.connections, durationSec: PLAN.warmupSec });
      await upstream.ask('latency', { ms: c.delayMs });
      r = await paced({
        url, connections: c.connections, ratePerSec: c.ratePerSec, warmupSec: 0.5, durationSec: PLAN.measureSec,
        limitSec: PLAN.measureSec + 30, onMeasureStart: snapshot,
      });
    }
    const machineAfter = machineSample();
    const [appBefore, upBefore] = await before;
    const [appAfter, upAfter] = [await app.ask('stats'), await upstream.ask('stats')];
    const handoffs = appAfter.handoffs - appBefore.handoffs;
    const problems = [];
    const wrong = r.completed - (r.statuses[EXPECTED_STATUS[c.name]] || 0);
    if (wrong > 0) problems.push(`${wrong} answers other than ${EXPECTED_STATUS[c.name]}: ${JSON.stringify(r.statuses)}`);
    if (appAfter.errors > appBefore.errors) problems.push(`${appAfter.errors - appBefore.errors} failures (${appAfter.lastError})`);
    if (Math.abs(handoffs - r.completed) > c.connections) problems.push(`${handoffs} handoffs for ${r.completed} answers`);
    if (r.errors || r.timeouts) problems.push(`${r.errors} client errors, ${r.timeouts} timeouts`);
    const appCpu = appAfter.cpuMicros - appBefore.cpuMicros;
    return {
      ...c,
      ...r,
      handoffs,
      appCpuMicrosPerHandoff: appCpu / handoffs,
      appCpuPercent: (100 * appCpu) / (r.seconds * 1e6),
      upstreamCpuPercent: (100 * (upAfter.cpuMicros - upBefore.cpuMicros)) / (r.seconds * 1e6),
      loadCpuPercent: (100 * (machineAfter.ownCpuMicros - machineBefore.ownCpuMicros)) / (r.seconds * 1e6),
      machineBusyPercent: 100 * (1 - (machineAfter.idle - machineBefore.idle) / (machineAfter.total - machineBefore.total || 1)),
      peakRss: appAfter.maxRss,
      upstreamConnections: appAfter.upstreamConnections - appBefore.upstreamConnections,
      problems,
    };
  } finally {
    await app.stop();
  }
}

const CHECKPOINTS = 5;

/**
 * 100,000 handoffs (10,000 quick) through the bridge at 0 ms, in CHECKPOINTS equal parts, with a
 * forced GC and a sample after the warm-up and after each part. RSS after a GC still moves by
 * ±10-15 MB from one sample to the next (pages the allocator and V8 keep or give back), so a
 * leak is judged on its floor: the lower RSS of the last two samples against the lower of the
 * first two after the warm-up. Heap and external memory (Buffers) are exact and reported beside it.
 */
async function measureMemory(ctx) {
  const { upstream, site, ca } = ctx;
  await upstream.ask('latency', { ms: 0 });
  const { app, url } = await startApp('bridge-sso', site, ca, ['--expose-gc']);
  try {
    await load({ url, connections: MODERATE.connections, amount: PLAN.rssWarmup, limitSec: PLAN.rssLimitSec });
    const warm = await app.ask('stats', { gc: true });
    let sampledPeak = warm.rss;
    const sample = () => {
      app.ask('stats').then((s) => { sampledPeak = Math.max(sampledPeak, s.rss); }, () => undefined);
    };
    const checkpoints = [warm];
    const started = Date.now();
    let answers = 0;
    let stoppedEarly = false;
    for (let part = 0; part < CHECKPOINTS && !stoppedEarly; part += 1) {
      const limitSec = Math.max(1, PLAN.rssLimitSec - (Date.now() - started) / 1000);
      const r = await load({
        url, connections: MODERATE.connections, amount: PLAN.rssAmount / CHECKPOINTS, limitSec, onTick: sample, tickMs: 1000,
      });
      answers += r.completed;
      stoppedEarly = r.stoppedEarly;
      checkpoints.push(await app.ask('stats', { gc: true }));
    }
    const after = checkpoints[checkpoints.length - 1];
    const floor = (list) => Math.min(...list.map((c) => c.rss));
    return {
      handoffs: after.handoffs - warm.handoffs,
      failures: after.errors - warm.errors,
      answers,
      stoppedEarly,
      seconds: (Date.now() - started) / 1000,
      checkpoints: checkpoints.map((c) => ({
        handoffs: c.handoffs, rss: c.rss, heapUsed: c.heapUsed, external: c.external, arrayBuffers: c.arrayBuffers,
      })),
      warmRss: warm.rss,
      afterRss: after.rss,
      earlyRssFloor: floor(checkpoints.slice(1, 3)),
      lateRssFloor: floor(checkpoints.slice(-2)),
      warmHeap: warm.heapUsed,
      afterHeap: after.heapUsed,
      warmExternal: warm.external,
      afterExternal: after.external,
      peakRss: Math.max(...checkpoints.map((c) => c.maxRss), sampledPeak),
    };
  } finally {
    await app.stop();
  }
}

function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One case's rounds as one row: medians, the largest peak RSS, every problem. */
function summariseRounds(rounds) {
  const pick = (key) => median(rounds.map((r) => r[key]));
  return {
    ...rounds[0],
    reqPerSec: pick('reqPerSec'),
    p50: pick('p50'),
    p99: pick('p99'),
    appCpuMicrosPerHandoff: pick('appCpuMicrosPerHandoff'),
    machineBusyPercent: pick('machineBusyPercent'),
    peakRss: Math.max(...rounds.map((r) => r.peakRss)),
    problems: rounds.flatMap((r) => r.problems),
    rounds,
  };
}

/** A per-round comparison (both sides measured in the same round), one value per round. */
function paired(a, b, compare) {
  if (!a.rounds || !b.rounds) return [];
  return a.rounds.map((r, i) => (b.rounds[i] ? compare(r, b.rounds[i]) : Number.NaN)).filter(Number.isFinite);
}

/** Median over rounds of a per-round comparison. */
function pairedMedian(a, b, compare) {
  return median(paired(a, b, compare));
}

/** Throughput of x relative to y; and by app CPU (what it would be were the app's CPU the only limit). */
const byThroughput = (x, y) => x.reqPerSec / y.reqPerSec;
const byCpu = (x, y) => y.appCpuMicrosPerHandoff / x.appCpuMicrosPerHandoff;

/** ` (rounds 0.78–0.91)`: the spread of a per-round comparison, to read a median against. */
function pairedSpread(a, b, compare) {
  const values = paired(a, b, compare);
  return values.length > 1 ? ` (rounds ${fmt(Math.min(...values), 2)}–${fmt(Math.max(...values), 2)})` : '';
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const signed = (n, digits = 2) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(digits)}` : '-');
const NONE = { p50: NaN, p99: NaN, reqPerSec: NaN };

function finder(results) {
  return (kind, name, delayMs, connections) =>
    results.find((r) => r.kind === kind && r.name === name && r.delayMs === delayMs && r.connections === connections) || NONE;
}

function throughputTable(results) {
  const get = finder(results);
  const lines = [
    '| case | connections | req/s | ×floor | ×naive | p50 ms | p99 ms | app CPU µs/handoff | ×floor by app CPU | machine busy | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results.filter((x) => x.kind === 'throughput')) {
    const floor = get('throughput', 'floor', r.delayMs, r.connections);
    const naive = get('throughput', 'naive', r.delayMs, r.connections);
    const ratio = (other) => pairedMedian(r, other, byThroughput);
    lines.push(`| ${LABEL[r.name]}${r.problems.length ? ' ⚠' : ''} | ${r.connections} | ${fmt(r.reqPerSec, 0)} | ` +
      `${fmt(ratio(floor), 2)} | ${fmt(ratio(naive), 2)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ` +
      `${fmt(r.appCpuMicrosPerHandoff, 0)} | ${fmt(cpuRatio(r, floor), 2)} | ${fmt(r.machineBusyPercent, 0)} % | ${fmt(r.peakRss / MB, 0)} |`);
  }
  return lines.join('\n');
}

/**
 * Throughput relative to `other` if the app's own CPU were the only limit (its own core, Luminate
 * elsewhere): the inverse ratio of CPU time per handoff, round by round.
 */
function cpuRatio(r, other) {
  return pairedMedian(r, other, byCpu);
}

/** Latency over the floor's, round by round (both measured in the same round), median. */
function overFloor(r, floor, key) {
  return pairedMedian(r, floor, (x, y) => x[key] - y[key]);
}

function latencyTable(results) {
  const get = finder(results);
  const lines = [
    '| case | upstream delay | p50 ms | p99 ms | added over the delay, p50 / p99 ms | added over the floor, p50 / p99 ms | app CPU µs/handoff | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results.filter((x) => x.kind === 'latency')) {
    const floor = get('latency', 'floor', r.delayMs, r.connections);
    const reference = r.name === 'floor' || r.name === 'no-upstream';
    lines.push(`| ${LABEL[r.name]}${r.problems.length ? ' ⚠' : ''} | ${r.name === 'no-upstream' ? 'none' : `${r.delayMs} ms`} | ` +
      `${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${signed(r.p50 - r.delayMs)} / ${signed(r.p99 - r.delayMs)} | ` +
      `${reference ? '—' : `${signed(overFloor(r, floor, 'p50'))} / ${signed(overFloor(r, floor, 'p99'))}`} | ` +
      `${fmt(r.appCpuMicrosPerHandoff, 0)} | ${fmt(r.peakRss / MB, 0)} |`);
  }
  return lines.join('\n');
}

function memoryLine(memory) {
  const mb = (bytes) => fmt(bytes / MB);
  return `RSS of the bridge's app process (singleSignOn, 0 ms, ${MODERATE.connections} connections), after a forced GC, ` +
    `after ${PLAN.rssWarmup} warm-up handoffs then every ${PLAN.rssAmount / CHECKPOINTS}: ` +
    `${memory.checkpoints.map((c) => mb(c.rss)).join(', ')} MB; the lower of the first two after the warm-up ` +
    `${mb(memory.earlyRssFloor)} MB, of the last two ${mb(memory.lateRssFloor)} MB; peak ${mb(memory.peakRss)} MB. ` +
    `Heap used ${mb(memory.warmHeap)} → ${mb(memory.afterHeap)} MB, external ${mb(memory.warmExternal)} → ${mb(memory.afterExternal)} MB.`;
}

function verdicts(results, memory) {
  const get = finder(results);
  const out = [];
  const check = (ok, text) => out.push(`${ok ? 'met    ' : 'NOT met'}  ${text}`);
  const bare = get('latency', 'no-upstream', 0, MODERATE.connections);
  for (const mode of ['bridge-sso', 'bridge-es']) {
    const name = LABEL[mode];
    for (const conns of [MODERATE.connections, HIGH]) {
      const [r, floor] = [get('throughput', mode, 0, conns), get('throughput', 'floor', 0, conns)];
      const ratio = pairedMedian(r, floor, byThroughput);
      check(ratio >= 0.85, `${name}: throughput ${fmt(ratio, 2)} × the floor${pairedSpread(r, floor, byThroughput)}, ${conns} connections (target ≥ 0.85)`);
      check(cpuRatio(r, floor) >= 0.85, `${name}: by app CPU per handoff ${fmt(cpuRatio(r, floor), 2)} × the floor${pairedSpread(r, floor, byCpu)}, ` +
        `${conns} connections (${fmt(r.appCpuMicrosPerHandoff, 0)} vs ${fmt(floor.appCpuMicrosPerHandoff, 0)} µs; target ≥ 0.85)`);
      const reference = get('throughput', 'floor-dispatch', 0, conns);
      if (reference !== NONE) {
        const vsReference = pairedMedian(r, reference, byThroughput);
        out.push(`info     ${name}: throughput ${fmt(vsReference, 2)} × the floor sending through dispatch(), ${conns} connections (no target: a reference)`);
      }
    }
    for (const delay of [0, 50]) {
      const r = get('latency', mode, delay, MODERATE.connections);
      const f = get('latency', 'floor', delay, MODERATE.connections);
      check(r.p50 - delay <= 1 && r.p99 - delay <= 3,
        `${name}: added over the ${delay} ms delay p50 ${signed(r.p50 - delay)} ms, p99 ${signed(r.p99 - delay)} ms (targets ≤ 1 / ≤ 3; ` +
        `the floor: ${signed(f.p50 - delay)} / ${signed(f.p99 - delay)}; no upstream at all: ${fmt(bare.p50, 2)} / ${fmt(bare.p99, 2)})`);
      const [d50, d99] = [overFloor(r, f, 'p50'), overFloor(r, f, 'p99')];
      check(d50 <= 1 && d99 <= 3, `${name}: added over the floor at ${delay} ms delay p50 ${signed(d50)} ms, p99 ${signed(d99)} ms (targets ≤ 1 / ≤ 3)`);
    }
    for (const conns of [MODERATE.connections, HIGH]) {
      const ratio = pairedMedian(get('throughput', mode, 0, conns), get('throughput', 'naive', 0, conns), byThroughput);
      check(ratio >= 2, `${name}: throughput ${fmt(ratio, 2)} × the naive way, ${conns} connections (target ≥ 2)`);
    }
  }
  const growth = memory.lateRssFloor - memory.earlyRssFloor;
  const exact = memory.afterHeap - memory.warmHeap + memory.afterExternal - memory.warmExternal;
  check(growth <= Math.max(5 * MB, 0.05 * memory.earlyRssFloor) && exact <= MB,
    `RSS floor ${signed(growth / MB, 1)} MB over ${memory.handoffs} handoffs past warm-up, heap + external ${signed(exact / MB, 1)} MB ` +
      '(target: no growth; up to 5 MB or 5 % of RSS, 1 MB of heap + external, is taken as noise)');
  return out.join('\n');
}

async function main() {
  guardProcesses(PLAN.limitMs);
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model?.trim() || 'CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const load1 = () => os.loadavg()[0].toFixed(2);
  console.log(`luminate-sso-bridge benchmark${QUICK ? ' (quick)' : ''}: ${machine}; load average ${load1()} at the start`);
  if (process.env.BENCH_LIB) console.log(`  library: ${path.relative(process.cwd(), DIST)} (BENCH_LIB)`);
  if (os.loadavg()[0] > 0.5) console.log('  (other processes are using the CPU: expect noisier numbers)');
  console.log(`each case: a fresh app process, ${PLAN.warmupSec} s warm-up, ${PLAN.measureSec} s measured; ` +
    `load, stand-in and app are three processes sharing ${cpus.length} cores\n`);
  const ctx = await startUpstream();
  const byCase = new Map(CASES.map((c) => [caseId(c), []]));
  try {
    for (let round = 1; round <= PLAN.rounds; round += 1) {
      if (PLAN.rounds > 1) console.log(`round ${round} of ${PLAN.rounds} (load average ${load1()})`);
      for (const c of CASES) {
        const what = c.kind === 'throughput'
          ? `throughput, ${c.connections} connections`
          : `latency at ${c.ratePerSec}/s, ${c.delayMs} ms delay`;
        process.stdout.write(`  ${LABEL[c.name]}; ${what} … `);
        const r = await measureCase(c, ctx);
        byCase.get(caseId(c)).push(r);
        console.log(`${fmt(r.reqPerSec, 0)} req/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms; ` +
          `CPU app ${fmt(r.appCpuPercent, 0)} % (${fmt(r.appCpuMicrosPerHandoff, 0)} µs/handoff), stand-in ${fmt(r.upstreamCpuPercent, 0)} %, ` +
          `load generator ${fmt(r.loadCpuPercent, 0)} %, machine ${fmt(r.machineBusyPercent, 0)} % busy; ` +
          `${r.upstreamConnections} new upstream connections${r.problems.length ? `\n    ⚠ ${r.problems.join('; ')}` : ''}`);
      }
    }
    const results = [...byCase.values()].map(summariseRounds);
    let memory;
    if (!ONLY) {
      process.stdout.write(`  memory: ${PLAN.rssAmount} handoffs through the bridge (singleSignOn, 0 ms) … `);
      memory = await measureMemory(ctx);
      console.log(`${memory.handoffs} handoffs in ${fmt(memory.seconds)} s` +
        `${memory.failures ? `, ${memory.failures} FAILURES` : ''}${memory.stoppedEarly ? ' (stopped at the time limit)' : ''}`);
    }

    const of = PLAN.rounds > 1 ? `; medians of ${PLAN.rounds} rounds` : '';
    console.log(`\nThroughput, no upstream delay (autocannon, closed loop${of}):\n\n${throughputTable(results)}\n`);
    console.log(`Latency at moderate load (${MODERATE.ratePerSec} requests/s, steady pace, at most ${MODERATE.connections} connections${of}):\n\n${latencyTable(results)}\n`);
    if (memory) {
      console.log(`${memoryLine(memory)}\n`);
      console.log(verdicts(results, memory));
    }
    fs.mkdirSync(OUT_DIR, { recursive: true });
    const file = path.join(OUT_DIR, `bench-${QUICK ? 'quick-' : ''}${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify({ machine, plan: PLAN, results, memory }, null, 2)}\n`);
    console.log(`\nload average ${load1()} at the end; raw results: ${path.relative(process.cwd(), file)}`);
    const problems = results.filter((r) => r.problems.length > 0);
    if (problems.length > 0 || memory?.failures > 0) {
      console.error(`\n${problems.length} case(s) did not hand over cleanly (⚠ above): their numbers are not comparable.`);
      process.exitCode = 1;
    }
  } finally {
    await ctx.upstream.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
}).finally(() => {
  process.exit(); // the 'exit' handler kills any child still alive
});
