'use strict';
/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time,
 * and self time per package (node_modules/<name>, this library's dist/, node: internals).
 *
 *   node bench/cpuprofile-top.js <file.cpuprofile> [--top 25]
 */
const fs = require('node:fs');
const path = require('node:path');

/** Self time in ms per node id, from the samples and their time deltas (µs). */
function selfTimes(profile) {
  const self = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  for (let i = 0; i < samples.length; i += 1) {
    // timeDeltas[i] is the time before sample i; attribute the gap after it to it.
    const dt = timeDeltas[i + 1] ?? 0;
    self.set(samples[i], (self.get(samples[i]) || 0) + dt / 1000);
  }
  return self;
}

function where(url) {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return 'luminate-sso-bridge';
  if (url.includes('/bench/')) return 'bench';
  return path.basename(url);
}

function shortUrl(url) {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

/** Self plus children's time per node id (synchronous stacks only: awaits cut them). */
function totalTimes(profile, self) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = new Map();
  const visit = (id) => {
    if (total.has(id)) return total.get(id);
    const node = byId.get(id);
    let ms = self.get(id) || 0;
    for (const child of node.children || []) ms += visit(child);
    total.set(id, ms);
    return ms;
  };
  for (const node of profile.nodes) visit(node.id);
  return total;
}

function summarise(profile, top) {
  const self = selfTimes(profile);
  const inclusive = totalTimes(profile, self);
  const byLibraryFunction = new Map();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (!url || where(url) !== 'luminate-sso-bridge') continue;
    const key = `${functionName || '(anonymous)'}  ${shortUrl(url)}:${lineNumber + 1}`;
    // A function that calls itself (directly or not) would be counted twice; this library has none.
    byLibraryFunction.set(key, (byLibraryFunction.get(key) || 0) + inclusive.get(node.id));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  const byPackage = new Map();
  for (const node of profile.nodes) {
    const ms = self.get(node.id) || 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const key = url ? `${name}  ${shortUrl(url)}:${lineNumber + 1}` : name;
    byFunction.set(key, (byFunction.get(key) || 0) + ms);
    const pkg = url ? where(url) : name.startsWith('(') ? name : '(native)';
    byPackage.set(pkg, (byPackage.get(pkg) || 0) + ms);
  }
  const pct = (ms) => `${((100 * ms) / total).toFixed(1).padStart(5)} %`;
  const rows = (map, n) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, ms]) => `${pct(ms)}  ${ms.toFixed(0).padStart(7)} ms  ${k}`);
  return [
    `total sampled: ${total.toFixed(0)} ms`,
    '',
    'self time by package:',
    ...rows(byPackage, 15),
    '',
    `top ${top} functions by self time:`,
    ...rows(byFunction, top),
    '',
    "this library's functions by total time (self + what they call, up to the first await):",
    ...rows(byLibraryFunction, 20),
  ].join('\n');
}

/** Self time per function, in µs per handoff, keyed like summarise's rows. */
function perHandoff(profile, handoffs) {
  const self = selfTimes(profile);
  const byFunction = new Map();
  for (const node of profile.nodes) {
    const ms = self.get(node.id) || 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = url ? `${functionName || '(anonymous)'}  ${shortUrl(url)}:${lineNumber + 1}` : functionName || '(native)';
    byFunction.set(key, (byFunction.get(key) || 0) + (1000 * ms) / handoffs);
  }
  return byFunction;
}

/**
 * Where one case spends more CPU per handoff than another (e.g. the bridge against the floor):
 * self time per function in µs per handoff, both sides, sorted by the difference.
 */
function compare(base, baseHandoffs, other, otherHandoffs, top) {
  const a = perHandoff(base, baseHandoffs);
  const b = perHandoff(other, otherHandoffs);
  const rows = [...new Set([...a.keys(), ...b.keys()])]
    .map((key) => [key, a.get(key) || 0, b.get(key) || 0])
    .sort((x, y) => (y[2] - y[1]) - (x[2] - x[1]));
  const sum = (map) => [...map.values()].reduce((s, v) => s + v, 0);
  const us = (v) => v.toFixed(1).padStart(7);
  return [
    `CPU per handoff (sampled, idle included): ${sum(a).toFixed(0)} → ${sum(b).toFixed(0)} µs; top ${top} differences (µs per handoff):`,
    ...rows.slice(0, top).map(([key, x, y]) => `${us(x)} ${us(y)} ${us(y - x)}  ${key}`),
  ].join('\n');
}

function main(argv) {
  const topAt = argv.indexOf('--top');
  const file = argv.find((a, i) => !a.startsWith('--') && i !== topAt + 1);
  const top = topAt === -1 ? 25 : Number(argv[topAt + 1]);
  if (!file) {
    console.error('usage: node bench/cpuprofile-top.js <file.cpuprofile> [--top 25]');
    process.exitCode = 2;
    return;
  }
  console.log(summarise(JSON.parse(fs.readFileSync(file, 'utf8')), top));
}

module.exports = { summarise, compare };
if (require.main === module) main(process.argv.slice(2));
