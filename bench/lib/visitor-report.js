'use strict';
/** The visitor benchmark's table and verdicts (Markdown, ready for bench/README.md). */

const TARGET = 0.6; // issue 20: (3) ≤ 0.6 × (2), each handoff mode, at 80 ms RTT and 300 ms API time

/** The value at rank ceil(q · n) of the sorted values (nearest rank). */
function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/**
 * What the round trips and the API time alone add up to, click → donation page, every other cost
 * left out (so the measured time is above it). r = RTT, a = API time. The host's token call costs
 * r + a on an open connection, 3r + a on a new one (quiet site: the bridge's idle connection has
 * closed; the public way always opens one). Then the browser opens a new connection to Luminate
 * (TCP + TLS 1.3: 2r), EstablishSession or the auto-POST (r), the donation page (r).
 * Prepare: the script asks `intentMs` after the pointer arrives; the click, `restMs` after it
 * arrived, waits at the host for that token. Its preconnect to Luminate cannot serve the
 * navigation in Chromium, which keys connections by the top-level site (see bench/README.md);
 * `usablePreconnect` models a browser where it could (the redirect then finds it open: 2r less).
 */
function modelMs(row, { rttMs: r, apiMs: a, restMs, busy }, { intentMs = 100, usablePreconnect = false } = {}) {
  const tokenCall = (busy && row.kind !== 'public' ? r : 3 * r) + a;
  if (!row.prepare) return r / 2 + tokenCall + r / 2 + 4 * r;
  return Math.max(r, intentMs - restMs + r + tokenCall) + (usablePreconnect ? 2 * r : 4 * r);
}

const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

function summarize(result) {
  const ok = result.visits.filter((v) => v.ok);
  const times = ok.map((v) => v.ms);
  return {
    median: quantile(times, 0.5),
    p90: quantile(times, 0.9),
    ok: ok.length,
    failed: result.visits.length - ok.length,
    tokenCallsPerClick: mean(ok.map((v) => v.tokenCalls)),
    connectionsPerVisit: mean(ok.map((v) => v.connections)),
    extraPer100Intents: (100 * result.intentTokenCalls.reduce((a, b) => a + b, 0)) / result.intentTokenCalls.length,
  };
}

function report({ plan, rows, results, started, finished }) {
  const s = Object.fromEntries(rows.map((row) => [row.id, summarize(results[row.id])]));
  const lines = [
    `RTT ${plan.rttMs} ms, API time ${plan.apiMs} ms, ${plan.runs} visits per row ` +
      `(${plan.busy ? 'busy site: one row after another' : 'quiet site: rows take turns'}), ` +
      `pointer at rest ${plan.restMs} ms before the click; ` +
      `Chromium ${started.chromium}, Node ${started.node}, ` +
      `load average ${started.loadavg[0].toFixed(1)} → ${finished.loadavg[0].toFixed(1)}`,
    '',
    '| row | click → logged-in page, median ms | p90 ms | model ms | landed logged in as the right person | token calls per click | ' +
      'connections to Luminate per visit | extra token calls per 100 intents without a click |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((row) => {
      const r = s[row.id];
      if (row.unavailable) return `| ${row.label} | not run: ${row.unavailable} | | | | | | |`;
      return `| ${row.label} | ${fmt(r.median)} | ${fmt(r.p90)} | ${fmt(modelMs(row, plan))} | ${r.ok}/${r.ok + r.failed} | ` +
        `${fmt(r.tokenCallsPerClick, 2)} | ` +
        `${fmt(r.connectionsPerVisit, 1)} | ${fmt(r.extraPer100Intents)} |`;
    }),
    '',
  ];
  for (const [today, prepared] of [['sso', 'sso-prepare'], ['es', 'es-prepare']]) {
    const ratio = s[prepared].median / s[today].median;
    const allLanded = s[prepared].failed === 0 && s[today].failed === 0;
    const verdict = !Number.isFinite(ratio) ? 'not measured' : ratio <= TARGET && allLanded ? 'met' : 'NOT met';
    const row = rows.find((x) => x.id === prepared);
    const model = modelMs(row, plan) / modelMs(rows.find((x) => x.id === today), plan);
    const usable = modelMs(row, plan, { usablePreconnect: true }) / modelMs(rows.find((x) => x.id === today), plan);
    lines.push(`- prepare ÷ today, ${row.handoff}: ${fmt(ratio, 2)} of the median ` +
      `(target ≤ ${TARGET}, every visit logged in as the right person): ${verdict}; ` +
      `model ${fmt(model, 2)} (${fmt(usable, 2)} if the browser could use the preconnect)`);
  }
  return lines.join('\n');
}

module.exports = { report, quantile, modelMs };
