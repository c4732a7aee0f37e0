'use strict';
/**
 * The load test's unreliable Luminate: a small HTTP front for the stand-in that answers a share of
 * the server-API calls (`/site/SRConsAPI`) itself, badly, and passes everything else through.
 * Faults are spread evenly and deterministically: with rate 0.1, calls 10, 20, 30… fail, each
 * time with the next kind in FAULT_KINDS, so every kind is exercised the same number of times.
 */
const http = require('node:http');

/** Each kind, and how a real Luminate (or what stands between) might do it. */
const FAULT_KINDS = [
  'timeout', // no answer before the bridge's deadline (held, then the socket is closed)
  'reset', // TCP RST once the request arrived
  'http-500', // 500 with a short plain body
  'http-503', // 503, as during maintenance behind a load balancer
  'garbage', // 200 with bytes that are not XML at all
  'truncated', // 200 with a reply cut in the middle
  'maintenance', // 200 with an HTML "down for maintenance" page
];

const MAINTENANCE =
  '<!DOCTYPE html><html><head><title>Site Maintenance</title></head><body><h1>We are down for maintenance</h1></body></html>';
const TRUNCATED = '<?xml version="1.0" encoding="UTF-8"?>\n<getSingleSignOnTokenResponse xmlns="http://convio.com/crm/v1.0"><token>AbC';

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Starts the front on 127.0.0.1 before `target` (the stand-in's origin). `holdMs` is how long a
 * `timeout` fault holds the call: longer than the bridge's deadline.
 */
async function startFaultyFront({ target, holdMs }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const upstream = new URL(target);
  const counts = { calls: 0, faults: 0, byKind: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])), passed: 0, proxyErrors: 0 };
  let rate = 0;
  const held = new Set();

  function pickFault() {
    counts.calls += 1;
    if (rate <= 0) return undefined;
    const every = Math.round(1 / rate);
    if (counts.calls % every !== 0) return undefined;
    const kind = FAULT_KINDS[(counts.calls / every) % FAULT_KINDS.length];
    counts.faults += 1;
    counts.byKind[kind] += 1;
    return kind;
  }

  function fail(kind, req, res) {
    switch (kind) {
      case 'timeout': {
        const timer = setTimeout(() => { held.delete(timer); req.socket.destroy(); }, holdMs);
        held.add(timer);
        req.socket.once('close', () => { clearTimeout(timer); held.delete(timer); });
        return;
      }
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'http-500':
      case 'http-503': {
        const status = Number(kind.slice(5));
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(`${status} ${http.STATUS_CODES[status]}`);
        return;
      }
      case 'garbage':
        res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
        res.end(Buffer.from([0x00, 0xff, 0x3c, 0x7a, 0x10, 0x80, 0x2f, 0x3e, 0x41]));
        return;
      case 'truncated':
        res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
        res.end(TRUNCATED);
        return;
      case 'maintenance':
        res.writeHead(200, { 'content-type': 'text/html;charset=UTF-8' });
        res.end(MAINTENANCE);
        return;
      default:
        throw new Error(`unknown fault ${kind}`);
    }
  }

  async function pass(req, res, body) {
    const headers = { ...req.headers, host: upstream.host };
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (reply) => {
      res.writeHead(reply.statusCode, reply.headers);
      reply.pipe(res);
    });
    forward.on('error', () => {
      counts.proxyErrors += 1;
      res.destroy();
    });
    forward.end(body);
  }

  const server = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const kind = req.url.includes('/site/SRConsAPI') ? pickFault() : undefined;
      if (kind) fail(kind, req, res);
      else {
        if (req.url.includes('/site/SRConsAPI')) counts.passed += 1;
        await pass(req, res, body);
      }
    } catch {
      res.destroy();
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${server.address().port}`,
    setRate(value) { rate = value; },
    counts: () => JSON.parse(JSON.stringify(counts)),
    openConnections: () => new Promise((resolve) => server.getConnections((_e, n) => resolve(n))),
    async close() {
      for (const timer of held) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}

module.exports = { startFaultyFront, FAULT_KINDS };
