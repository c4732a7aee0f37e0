'use strict';
/**
 * Child process (started with --expose-gc): the app under test, on 127.0.0.1. Two bridges from
 * the built dist share one MemoryStore, both with onFailure 'continue' (the default):
 *   /post/luminate/sso      handoff 'singleSignOn'     (200, the auto-post page)
 *   /redirect/luminate/sso  handoff 'establishSession' (302 to EstablishSession)
 * The visitor is the demo constituent named by `?who=`. The parent asks for memory figures
 * (after a full GC) and the bridge's counters.
 */
const diagnostics = require('node:diagnostics_channel');
const express = require('express');
const { luminateSso, MemoryStore } = require('../../dist');
const { serveParent, processStats } = require('../../bench/lib/children');

const counts = { handoffs: 0, failures: {}, upstreamConnections: 0 };
diagnostics.subscribe('undici:client:connected', () => { counts.upstreamConnections += 1; });

let server;
let routers = [];
let store;

serveParent({
  async start({ site, timeoutMs, callbackMaxAgeSeconds }) {
    const app = express();
    server = await new Promise((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const baseUrl = `http://127.0.0.1:${server.address().port}`;
    store = new MemoryStore();
    for (const [mount, handoff] of [['/post', 'singleSignOn'], ['/redirect', 'establishSession']]) {
      const router = luminateSso({
        luminate: { secureUrl: site.secureUrl, apiKey: site.apiKey, apiLogin: site.apiLogin, apiSecretKey: site.apiSecretKey, timeoutMs },
        constituent: (req) => ({ consId: String(req.query.who) }),
        destinations: { default: `${site.secureUrl}/site/Donation2?df_id=1234` },
        baseUrl,
        handoff,
        callbackMaxAgeSeconds,
        store,
        throttle: false, // three demo constituents from one IP, thousands of times: not visitors to throttle
        onError: (err) => { counts.failures[err.code] = (counts.failures[err.code] || 0) + 1; },
        onHandoff: () => { counts.handoffs += 1; },
      });
      routers.push(router);
      app.use(mount, router);
    }
    return { url: baseUrl };
  },
  stats({ gc }) {
    if (gc) {
      if (typeof global.gc !== 'function') throw new Error('start the app with --expose-gc');
      global.gc();
      global.gc();
    }
    return { ...processStats(), ...counts, storeSize: store.size };
  },
  async exit() {
    server?.closeAllConnections();
    await Promise.all(routers.map((r) => r.close()));
    routers = [];
  },
});
