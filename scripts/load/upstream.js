'use strict';
/**
 * Child process: the stand-in Luminate (from the built dist) behind the faulty front
 * (faults.js), on loopback. The parent sets the fault rate per phase and reads the counts.
 */
const { createFakeLuminate } = require('../../dist/testing');
const { serveParent, processStats } = require('../../bench/lib/children');
const { startFaultyFront } = require('./faults');

let fake;
let front;

serveParent({
  async start({ holdMs }) {
    fake = await createFakeLuminate();
    front = await startFaultyFront({ target: fake.url, holdMs });
    // The stand-in records every call and token; forget them now and then so its own memory stays
    // flat. Nothing the load needs is lost: the tokens it hands out are never redeemed (only
    // deliberately wrong ones are posted, to get signed error callbacks).
    setInterval(() => fake.reset(), 2000).unref();
    const secureUrl = `${front.url}${new URL(fake.secureUrl).pathname}`;
    return { secureUrl, apiKey: fake.apiKey, apiLogin: fake.apiLogin, apiSecretKey: fake.apiSecretKey };
  },
  faults({ rate }) {
    front.setRate(rate);
    return {};
  },
  async counts() {
    return { ...front.counts(), openConnections: await front.openConnections(), ...processStats() };
  },
  async exit() {
    await front?.close();
    await fake?.close();
  },
});
