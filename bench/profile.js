'use strict';
/**
 * `npm run bench:profile [-- <case> ...]`: runs cases (default: floor, bridge-sso, bridge-es) at
 * 0 ms upstream delay and 10 connections under `node --cpu-prof`, writes the profiles to
 * bench/.out/ (git-ignored), prints each one's top functions by self time and, when the base case
 * (BENCH_PROFILE_BASE) is among them, what every other case spends beyond it, in µs per handoff, function by function.
 * BENCH_PROFILE_SEC sets the seconds under load (default 10), BENCH_PROFILE_CONNECTIONS the connections (10),
 * BENCH_PROFILE_BASE the case the others are compared with (floor; e.g. floor-dispatch).
 */
const fs = require('node:fs');
const path = require('node:path');
const { guardProcesses } = require('./lib/children');
const { load } = require('./lib/load');
const { startUpstream, startApp, checkHandoff, OUT_DIR } = require('./lib/setup');
const { summarise, compare } = require('./cpuprofile-top');

const SECONDS = Number(process.env.BENCH_PROFILE_SEC || 10);
const CONNECTIONS = Number(process.env.BENCH_PROFILE_CONNECTIONS || 10);
const BASE = process.env.BENCH_PROFILE_BASE || 'floor';

async function profileCase(name, ctx) {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = `${name}-${stamp}.cpuprofile`;
  let handoffs = 0;
  const { app, url } = await startApp(name, ctx.site, ctx.ca, ['--cpu-prof', '--cpu-prof-dir', OUT_DIR, '--cpu-prof-name', file]);
  try {
    await checkHandoff(name, url, ctx.site);
    const r = await load({ url, connections: CONNECTIONS, warmupSec: 2, durationSec: SECONDS, limitSec: SECONDS + 30 });
    const after = await app.ask('stats');
    handoffs = after.handoffs;
    console.log(`\n== ${name}: ${r.reqPerSec.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms; ` +
      `${handoffs} handoffs in the profile (${after.errors} failures)`);
  } finally {
    await app.stop(); // a clean exit writes the profile
  }
  const full = path.join(OUT_DIR, file);
  console.log(`profile: ${path.relative(process.cwd(), full)}\n`);
  const profile = JSON.parse(fs.readFileSync(full, 'utf8'));
  console.log(summarise(profile, 30));
  return { name, profile, handoffs };
}

async function main() {
  guardProcesses(10 * 60_000);
  const names = process.argv.slice(2);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const ctx = await startUpstream();
  try {
    const done = [];
    for (const name of names.length ? names : ['floor', 'bridge-sso', 'bridge-es']) done.push(await profileCase(name, ctx));
    // What each case spends beyond the base case, function by function.
    const floor = done.find((d) => d.name === BASE);
    for (const d of done) {
      if (!floor || d === floor) continue;
      console.log(`\n== ${d.name} against ${BASE}\n${compare(floor.profile, floor.handoffs, d.profile, d.handoffs, 40)}`);
    }
  } finally {
    await ctx.upstream.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
}).finally(() => process.exit());
