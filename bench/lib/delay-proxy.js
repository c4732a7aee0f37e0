'use strict';
/**
 * A delaying TCP proxy on loopback, for the visitor benchmark: every connection through it
 * behaves as if its two ends were `rttMs` apart. Each direction's bytes reach the other side
 * rttMs / 2 after they were sent, in order, and the client's first bytes no earlier than one
 * round trip after it connected plus that half (the TCP handshake a real connection waits for
 * before it can send; on loopback the kernel completes it at once). TLS passes through untouched,
 * so a TLS handshake pays its own round trips. Bandwidth is not limited.
 *
 * `startTlsTerminator()` puts TLS in front of a plain-HTTP app (behind a delaying proxy, the
 * handshake pays the round trips as it would on the internet).
 */
const net = require('node:net');
const tls = require('node:tls');
const { performance } = require('node:perf_hooks');

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_CONNECTIONS = 256;
// Bytes one direction may hold back before its sender is paused (the visitor's pages are a few kB).
const HIGH_WATER = 1024 * 1024;

function assertLoopback(host, what) {
  if (!LOOPBACK.has(host)) throw new TypeError(`${what} must be a loopback address, got ${JSON.stringify(host)}`);
}

/**
 * Delivers what `from` sends to `to` `delayMs` later (never counting from before `notBefore`, a
 * performance.now() time), in order; `from`'s end is delivered the same way.
 */
function delayedPipe(from, to, delayMs, notBefore) {
  const queue = [];
  let held = 0;
  let timer;
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0].at <= now) {
      const { chunk } = queue.shift();
      if (to.destroyed) continue;
      if (chunk === null) {
        to.end();
      } else {
        held -= chunk.length;
        to.write(chunk);
      }
    }
    if (queue.length > 0) timer = setTimeout(flush, Math.max(1, queue[0].at - now));
    if (from.isPaused() && held < HIGH_WATER) from.resume();
  };
  const push = (chunk) => {
    const now = performance.now();
    queue.push({ at: Math.max(now, notBefore) + delayMs, chunk });
    if (chunk !== null) {
      held += chunk.length;
      if (held >= HIGH_WATER) from.pause();
    }
    // Deadlines never decrease, so one timer for the head of the queue keeps the order.
    timer ??= setTimeout(flush, Math.max(1, queue[0].at - now));
  };
  from.on('data', push);
  from.on('end', () => push(null));
  return () => clearTimeout(timer);
}

function listen(server, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

/**
 * Starts a proxy on `127.0.0.1` to `target` ({ host, port }, loopback only) that adds `rttMs` to
 * every round trip. Resolves with `{ port, stats(), close() }`; `stats().connections` counts the
 * connections opened through it.
 */
async function startDelayProxy({ target, rttMs }) {
  assertLoopback(target.host, 'target.host');
  if (!(Number.isFinite(rttMs) && rttMs >= 0 && rttMs <= 5000)) throw new TypeError(`rttMs must be 0-5000, got ${rttMs}`);
  const half = rttMs / 2;
  const live = new Set();
  let connections = 0;
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    connections += 1;
    const connectedAt = performance.now();
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    const stops = [
      // The client could not have sent before the handshake's round trip.
      delayedPipe(client, upstream, half, connectedAt + rttMs),
      delayedPipe(upstream, client, half, 0),
    ];
    const pair = { client, upstream };
    live.add(pair);
    const destroyBoth = () => {
      live.delete(pair);
      stops.forEach((stop) => stop());
      client.destroy();
      upstream.destroy();
    };
    client.on('error', destroyBoth);
    upstream.on('error', destroyBoth);
    // Both directions ended on one side: what is still queued for the other arrives within half
    // a round trip; then nothing is left to carry.
    for (const socket of [client, upstream]) socket.on('close', () => setTimeout(destroyBoth, half + 5));
  });
  server.maxConnections = MAX_CONNECTIONS;
  const port = await listen(server, '127.0.0.1');
  return {
    port,
    stats: () => ({ connections }),
    close() {
      for (const pair of live) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      live.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * TLS in front of a plain-HTTP app on loopback `target`: each TLS connection gets its own plain
 * connection to the app. Resolves with `{ port, close() }`.
 */
async function startTlsTerminator({ target, key, cert }) {
  assertLoopback(target.host, 'target.host');
  const live = new Set();
  const server = tls.createServer({ key, cert }, (secure) => {
    const plain = net.connect({ host: target.host, port: target.port });
    const pair = [secure, plain];
    live.add(pair);
    const destroyBoth = () => {
      live.delete(pair);
      secure.destroy();
      plain.destroy();
    };
    secure.on('error', destroyBoth).on('close', destroyBoth);
    plain.on('error', destroyBoth).on('close', destroyBoth);
    secure.pipe(plain);
    plain.pipe(secure);
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.on('tlsClientError', () => undefined); // a browser giving up on a handshake is not our failure
  const port = await listen(server, '127.0.0.1');
  return {
    port,
    close() {
      for (const [a, b] of live) {
        a.destroy();
        b.destroy();
      }
      live.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

module.exports = { startDelayProxy, startTlsTerminator };
