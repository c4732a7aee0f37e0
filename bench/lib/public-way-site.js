'use strict';
/**
 * Row 1 of the visitor benchmark: a host site that hands its visitors over the way public
 * integrations do (per-request scripts): on the click, a new TLS connection to Luminate for the
 * token call (https.request with agent: false), a full XML parse, then a 302 to EstablishSession.
 * Bench only: a bare login (`GET /bench-login?user=ada`) and a home page with the same Donate link
 * as the example site. Plain HTTP on 127.0.0.1; the benchmark puts TLS and the delay in front.
 */
const https = require('node:https');
const { randomBytes } = require('node:crypto');
const express = require('express');
const { XMLParser } = require('fast-xml-parser');

const PAGE = (body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Home – Public way</title></head>
<body><main>${body}</main></body></html>\n`;

/** `luminate`: { secureUrl, apiKey, apiLogin, ca }; `users`: [{ username, consId }]. Resolves with { port, close() }. */
async function startPublicWaySite({ luminate, users, donateUrl }) {
  const sessions = new Map(); // session id → cons_id, for the few visits of one run
  const app = express();
  const sessionOf = (req) => sessions.get(/(?:^|;\s*)bench\.sid=([\w-]+)/.exec(req.headers.cookie || '')?.[1]);

  app.get('/bench-login', (req, res) => {
    const user = users.find((u) => u.username === req.query.user);
    if (!user) return res.status(401).send('unknown user');
    const sid = randomBytes(16).toString('base64url');
    sessions.set(sid, user.consId);
    res.set('Set-Cookie', `bench.sid=${sid}; Path=/; HttpOnly; Secure; SameSite=Lax`).redirect(303, '/');
  });
  app.get('/', (req, res) => {
    const link = `/luminate/sso?next=${encodeURIComponent(donateUrl)}`;
    res.type('html').send(PAGE(`<h1>${sessionOf(req) ? 'Welcome back' : 'Welcome'}</h1><p><a class="give" href="${link}">Donate</a></p>`));
  });
  app.get('/favicon.ico', (_req, res) => res.status(204).end());
  app.get('/luminate/sso', (req, res, next) => {
    const consId = sessionOf(req);
    if (!consId) return res.redirect(302, donateUrl);
    const form = new URLSearchParams({
      method: 'getSingleSignOnToken', v: '1.0', api_key: luminate.apiKey, login_name: luminate.apiLogin.name,
      login_password: luminate.apiLogin.password, cons_id: consId,
    }).toString();
    const call = https.request(`${luminate.secureUrl}/site/SRConsAPI`, {
      method: 'POST', agent: false, ca: luminate.ca,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) },
    }, (reply) => {
      let xml = '';
      reply.setEncoding('utf8');
      reply.on('data', (chunk) => { xml += chunk; });
      reply.on('end', () => {
        const token = new XMLParser({ removeNSPrefix: true, parseTagValue: false }).parse(xml).getSingleSignOnTokenResponse;
        if (!token?.nonce) return res.redirect(302, donateUrl); // on as a guest
        const url = new URL(`${luminate.secureUrl}/site/EstablishSession;jsessionid=${token.routing_id}`);
        url.searchParams.set('NONCE_TOKEN', token.nonce);
        url.searchParams.set('NEXTURL', donateUrl);
        res.redirect(302, url.href);
      });
    });
    call.on('error', next);
    call.end(form);
  });

  const server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

module.exports = { startPublicWaySite };
