'use strict';
/**
 * Load from this process with autocannon. Latencies are kept at full precision (autocannon's own
 * histogram has 1 ms resolution, too coarse for sub-millisecond differences).
 */
const autocannon = require('autocannon');

/** The p-th percentile (0-100) of sorted values, nearest rank. */
function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * One autocannon run: `warmupSec + settleSec + durationSec` seconds, or `amount` requests
 * (stopped anyway after `limitSec`). The warm-up is the start of the same run, on the same
 * connections, so the measurement does not begin with fresh connections or with requests cut
 * off by a stopped load. `onWarmupEnd` is called when the warm-up ends (e.g. to set the upstream
 * delay), then after `settleSec` `onMeasureStart` (e.g. to snapshot counters); only answers that
 * arrive after that count. `onTick` is called every `tickMs` (e.g. to sample memory).
 */
function load({
  url, connections, durationSec, warmupSec = 0, settleSec = 0, amount, limitSec = 600,
  onWarmupEnd, onMeasureStart, onTick, tickMs = 500,
}) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const statuses = {};
    const opts = { url, connections, timeout: 10 };
    if (amount) opts.amount = amount;
    else opts.duration = warmupSec + settleSec + durationSec;
    let measuring = warmupSec + settleSec === 0;
    let from = nowMs();
    const timers = [];
    if (!measuring) {
      timers.push(setTimeout(() => onWarmupEnd?.(), warmupSec * 1000));
      timers.push(setTimeout(() => {
        measuring = true;
        from = nowMs();
        onMeasureStart?.();
      }, (warmupSec + settleSec) * 1000));
    }
    let stopped = false;
    const instance = autocannon(opts, (err, result) => {
      const until = nowMs();
      clearTimeout(limit);
      timers.forEach(clearTimeout);
      clearInterval(ticker);
      if (err) return reject(err);
      latencies.sort((a, b) => a - b);
      const completed = latencies.length;
      resolve({
        connections,
        completed,
        seconds: (until - from) / 1000,
        reqPerSec: completed / ((until - from) / 1000),
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies[completed - 1],
        statuses,
        errors: result.errors,
        timeouts: result.timeouts,
        stoppedEarly: stopped,
      });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (!measuring) return;
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] || 0) + 1;
    });
    const limit = setTimeout(() => { stopped = true; instance.stop(); }, limitSec * 1000);
    const ticker = onTick ? setInterval(onTick, tickMs) : undefined;
  });
}

module.exports = { load, percentile };
