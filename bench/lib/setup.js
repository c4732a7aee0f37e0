'use strict';
/** Shared by run.js and profile.js: the certificate, the upstream child, the app children. */
const path = require('node:path');
const { built } = require('./built');
const { start } = require('./children');

const { createSelfSignedCertificate } = built('testing');

const APP = path.join(__dirname, '..', 'app.js');
const UPSTREAM = path.join(__dirname, '..', 'upstream.js');
const OUT_DIR = path.join(__dirname, '..', '.out');

/** The stand-in over HTTPS with a certificate made now; resolves with its child and site details. */
async function startUpstream() {
  const { key, cert } = createSelfSignedCertificate();
  const upstream = start(UPSTREAM);
  const site = await upstream.ask('start', { key, cert });
  delete site.id;
  return { upstream, site, ca: cert };
}

/** One app under test in its own process; resolves with its child and its URL. */
async function startApp(name, site, ca, execArgv = []) {
  const app = start(APP, { execArgv, args: [name] });
  const { port } = await app.ask('start', { name, site, ca });
  return { app, url: `http://127.0.0.1:${port}/luminate/sso` };
}

/** One request by hand, to prove the case really hands over (and what it answers). */
async function checkHandoff(name, url, site) {
  const res = await fetch(url, { redirect: 'manual' });
  const body = await res.text();
  const location = res.headers.get('location') || '';
  const ok = name === 'bridge-sso'
    ? res.status === 200 && body.includes('name="sso_auth_token"') && body.includes(`${site.secureUrl}/site/CRConsAPI`)
    : res.status === 302 && (name.startsWith('floor') || name === 'no-upstream' ? location.includes('/site/Donation2') : location.startsWith(`${site.secureUrl}/site/EstablishSession`));
  if (!ok) throw new Error(`${name}: unexpected answer ${res.status} ${location} ${body.slice(0, 200)}`);
  return res.status;
}

module.exports = { startUpstream, startApp, checkHandoff, OUT_DIR };
