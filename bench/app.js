'use strict';
/**
 * Child process: one app under test, listening on 127.0.0.1. The parent sends `start` with the
 * case name and the stand-in's details; every case answers GET /luminate/sso by asking the
 * stand-in for a token (SRConsAPI getSingleSignOnToken over HTTPS) and handing the browser on.
 *
 *   bridge-sso  luminateSso(), handoff 'singleSignOn' (200, auto-post page)
 *   bridge-es   luminateSso(), handoff 'establishSession' (302)
 *   bridge-es-throttled  the same with the token throttle on (the default), counting but never refusing
 *   floor       one pooled undici POST, its body read as text, then a 302; no parsing, no checks
 *   floor-dispatch  the same through undici's lower-level dispatch() (as the bridge sends since
 *               it stopped using request()): a reference, to show what that choice alone saves
 *   no-upstream an Express route that answers the same 302 at once, with no upstream call: a
 *               reference for the latency table, what one loopback HTTP hop costs on this machine
 *   naive       a new TLS connection per call (https.request, agent: false), a new XML parser
 *               and a full parse per reply, then a 302 (what per-request scripts do)
 */
const diagnostics = require('node:diagnostics_channel');
const https = require('node:https');
const express = require('express');
const { Agent, request } = require('undici');
const { XMLParser } = require('fast-xml-parser');
const { built } = require('./lib/built');
const { serveParent, processStats } = require('./lib/children');

const { luminateSso } = built();

const CONS_ID = '1001641'; // a demo constituent of the stand-in
const PATH = '/luminate/sso';

const counts = { handoffs: 0, errors: 0, lastError: undefined, upstreamConnections: 0 };

// Connections opened to the stand-in: pooled cases open a few once, the naive case one per call.
diagnostics.subscribe('undici:client:connected', () => { counts.upstreamConnections += 1; });

function countError(err) {
  counts.errors += 1;
  counts.lastError = `${err.code || err.name}: ${err.message}`;
}

// Counts every handoff (per visitor and per IP, in the MemoryStore) but never refuses one.
const COUNT_ONLY = { perVisitor: { limit: 1e9, windowMs: 60_000 }, perIp: { limit: 1e9, windowMs: 60_000 } };

function bridgeApp(site, ca, handoff, throttle = false) {
  const app = express();
  const router = luminateSso({
    luminate: { secureUrl: site.secureUrl, apiKey: site.apiKey, apiLogin: site.apiLogin, apiSecretKey: site.apiSecretKey, tls: { ca } },
    constituent: () => ({ consId: CONS_ID }),
    destinations: { default: `${site.secureUrl}/site/Donation2?df_id=1234` },
    baseUrl: 'https://www.example.org',
    handoff,
    // One demo constituent from one IP, 100,000 times: not a visitor to throttle. The throttle's
    // own cost is measured by bridge-es-throttled, which counts every handoff and refuses none.
    throttle,
    onError: countError,
    onHandoff: () => { counts.handoffs += 1; },
  });
  app.use(router);
  return { app, close: () => router.close() };
}

function tokenForm(site) {
  return new URLSearchParams({
    method: 'getSingleSignOnToken', v: '1.0', api_key: site.apiKey, login_name: site.apiLogin.name,
    login_password: site.apiLogin.password, response_format: 'xml', cons_id: CONS_ID,
  }).toString();
}

function floorApp(site, ca) {
  const app = express();
  const agent = new Agent({ connections: 16, connect: { ca } }); // the bridge's default pool size
  const endpoint = `${site.secureUrl}/site/SRConsAPI`;
  const form = tokenForm(site);
  const destination = `${site.secureUrl}/site/Donation2?df_id=1234`;
  app.get(PATH, async (_req, res, next) => {
    try {
      const reply = await request(endpoint, {
        method: 'POST', dispatcher: agent, body: form,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      // Read as text, as any caller must to find the token in it; nothing is parsed or checked.
      await reply.body.text();
      counts.handoffs += 1;
      res.writeHead(302, { location: destination });
      res.end();
    } catch (err) {
      countError(err);
      next(err);
    }
  });
  return { app, close: () => agent.close() };
}

function floorDispatchApp(site, ca) {
  const app = express();
  const agent = new Agent({ connections: 16, connect: { ca } });
  const { origin, pathname } = new URL(`${site.secureUrl}/site/SRConsAPI`);
  const form = tokenForm(site);
  const destination = `${site.secureUrl}/site/Donation2?df_id=1234`;
  app.get(PATH, (_req, res, next) => {
    const chunks = [];
    agent.dispatch({
      origin, path: pathname, method: 'POST', body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }, {
      onRequestStart() {},
      onResponseStart() {},
      onResponseData(_controller, chunk) { chunks.push(chunk); },
      onResponseEnd() {
        Buffer.concat(chunks).toString('utf8'); // read as text, as the floor does
        counts.handoffs += 1;
        res.writeHead(302, { location: destination });
        res.end();
      },
      onResponseError(_controller, err) {
        countError(err);
        next(err);
      },
    });
  });
  return { app, close: () => agent.close() };
}

function noUpstreamApp(site) {
  const app = express();
  const destination = `${site.secureUrl}/site/Donation2?df_id=1234`;
  app.get(PATH, (_req, res) => {
    counts.handoffs += 1;
    res.writeHead(302, { location: destination });
    res.end();
  });
  return { app, close: async () => undefined };
}

function naiveApp(site, ca) {
  const app = express();
  app.get(PATH, (_req, res, next) => {
    const form = tokenForm(site);
    const upstream = https.request(`${site.secureUrl}/site/SRConsAPI`, {
      method: 'POST', agent: false, ca,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) },
    }, (reply) => {
      counts.upstreamConnections += 1; // agent: false, so every call has its own connection
      let xml = '';
      reply.setEncoding('utf8');
      reply.on('data', (chunk) => { xml += chunk; });
      reply.on('end', () => {
        try {
          const doc = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false }).parse(xml);
          const token = doc.getSingleSignOnTokenResponse;
          if (!token || !token.nonce) throw new Error('no token in the reply');
          const url = new URL(`${site.secureUrl}/site/EstablishSession;jsessionid=${token.routing_id}`);
          url.searchParams.set('NONCE_TOKEN', token.nonce);
          url.searchParams.set('NEXTURL', `${site.secureUrl}/site/Donation2?df_id=1234`);
          counts.handoffs += 1;
          res.redirect(302, url.href);
        } catch (err) {
          countError(err);
          next(err);
        }
      });
    });
    upstream.on('error', (err) => { countError(err); next(err); });
    upstream.end(form);
  });
  return { app, close: async () => undefined };
}

const CASES = {
  'bridge-sso': (site, ca) => bridgeApp(site, ca, 'singleSignOn'),
  'bridge-es': (site, ca) => bridgeApp(site, ca, 'establishSession'),
  'bridge-es-throttled': (site, ca) => bridgeApp(site, ca, 'establishSession', COUNT_ONLY),
  floor: floorApp,
  'floor-dispatch': floorDispatchApp,
  'no-upstream': noUpstreamApp,
  naive: naiveApp,
};

let server;
let closeCase;

serveParent({
  async start({ name, site, ca }) {
    const build = CASES[name];
    if (!build) throw new Error(`unknown case ${name}`);
    const { app, close } = build(site, ca);
    closeCase = close;
    server = await new Promise((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    return { port: server.address().port };
  },
  stats({ gc }) {
    if (gc && typeof global.gc === 'function') {
      global.gc();
      global.gc();
    }
    return { ...processStats(), ...counts };
  },
  async exit() {
    server?.closeAllConnections();
    await closeCase?.();
  },
});
