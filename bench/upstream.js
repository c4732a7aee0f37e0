'use strict';
/**
 * Child process: the stand-in Luminate over HTTPS (certificate from the parent), in its own
 * process so its work does not run on the event loop being measured.
 */
const { built } = require('./lib/built');
const { serveParent, processStats } = require('./lib/children');

const { createFakeLuminate } = built('testing');

let fake;
let latencyMs = 0;

// The stand-in records every request and token; forget them now and then so its memory and
// speed stay flat over 100,000 calls. reset() also clears the fault switches: put the delay back.
function forget() {
  fake.reset();
  if (latencyMs > 0) fake.faults.latencyMs = latencyMs;
}

serveParent({
  async start({ key, cert }) {
    fake = await createFakeLuminate({ tls: { key, cert } });
    setInterval(forget, 1000).unref();
    return { secureUrl: fake.secureUrl, apiKey: fake.apiKey, apiLogin: fake.apiLogin, apiSecretKey: fake.apiSecretKey };
  },
  latency({ ms }) {
    latencyMs = ms;
    forget();
    return {};
  },
  stats() {
    return processStats();
  },
  async exit() {
    await fake?.close();
  },
});
