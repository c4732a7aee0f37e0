'use strict';
/**
 * A paced load for latency: requests start at a fixed rate whatever the answers do (an open
 * loop), over a pool of at most `connections` keep-alive connections. autocannon's own rate limit
 * sends each second's quota in a burst, which measures queueing, not the cost of one request.
 */
const { Pool } = require('undici');
const { percentile } = require('./load');

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * `warmupSec` (answers ignored, `onWarmupEnd` called at its end), `settleSec` (ignored too), then
 * `durationSec` measured (`onMeasureStart` called as it starts). Resolves once every request
 * started has been answered (or failed), at most `limitSec` after the start.
 */
async function paced({ url, connections, ratePerSec, durationSec, warmupSec = 0, settleSec = 0, limitSec = 600, onWarmupEnd, onMeasureStart }) {
  const { origin, pathname, search } = new URL(url);
  const pool = new Pool(origin, { connections, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const latencies = [];
  const statuses = {};
  let errors = 0;
  let inFlight = 0;
  const start = nowMs();
  const measureFrom = start + (warmupSec + settleSec) * 1000;
  const end = measureFrom + durationSec * 1000;
  let warmupEnded = warmupSec === 0;
  let measuring = false;
  if (warmupSec === 0 && settleSec === 0) onMeasureStart?.();
  if (warmupSec === 0 && settleSec > 0) onWarmupEnd?.();

  const one = async () => {
    const sent = nowMs();
    const counts = sent >= measureFrom;
    inFlight += 1;
    try {
      const res = await pool.request({ path: `${pathname}${search}`, method: 'GET' });
      await res.body.dump();
      if (counts) {
        latencies.push(nowMs() - sent);
        statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
      }
    } catch {
      if (counts) errors += 1;
    } finally {
      inFlight -= 1;
    }
  };

  await new Promise((resolve) => {
    let started = 0;
    const interval = 1000 / ratePerSec;
    const tick = () => {
      const now = nowMs();
      if (!warmupEnded && now >= start + warmupSec * 1000) {
        warmupEnded = true;
        onWarmupEnd?.();
      }
      if (!measuring && now >= measureFrom) {
        measuring = true;
        if (warmupSec > 0 || settleSec > 0) onMeasureStart?.();
      }
      if (now >= end || now - start > limitSec * 1000) {
        clearInterval(timer);
        resolve();
        return;
      }
      // Catch up on the requests due by now: timers fire late, the schedule does not drift.
      const due = Math.floor((now - start) / interval);
      for (; started < due; started += 1) one();
    };
    const timer = setInterval(tick, Math.max(1, Math.min(10, interval / 2)));
  });
  const waitUntil = nowMs() + 15_000;
  while (inFlight > 0 && nowMs() < waitUntil) await new Promise((r) => setTimeout(r, 20));
  await pool.destroy();
  latencies.sort((a, b) => a - b);
  return {
    connections,
    ratePerSec,
    completed: latencies.length,
    seconds: durationSec,
    reqPerSec: latencies.length / durationSec,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    statuses,
    errors,
    timeouts: 0,
  };
}

module.exports = { paced };
