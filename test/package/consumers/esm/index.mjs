// ES module consumer of the packed tarball: named imports from the CommonJS build (Node's
// cjs-module-lexer must see them) and one establishSession handoff against the stand-in Luminate.
// Exits by itself (no process.exit on success).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import express from 'express';
import session from 'express-session';
import { luminateSso, isLuminateError, LuminateError } from 'luminate-sso-bridge';
import { createFakeLuminate, DEMO_CONSTITUENTS } from 'luminate-sso-bridge/testing';

// The named imports are the very objects require() returns: one copy, no dual-package hazard.
const require = createRequire(import.meta.url);
assert.equal(require('luminate-sso-bridge').LuminateError, LuminateError);
assert.equal(require('luminate-sso-bridge/testing').createFakeLuminate, createFakeLuminate);
assert.ok(Array.isArray(DEMO_CONSTITUENTS));
const probe = new LuminateError('LUMINATE_TIMEOUT', 'probe');
assert.ok(probe instanceof Error && isLuminateError(probe));
assert.equal(probe.status, 504);
assert.equal(isLuminateError(new Error('plain')), false);

setTimeout(() => {
  console.error('esm consumer: still running after 30 s');
  process.exit(1);
}, 30_000).unref();

const cookiesOf = (res) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

const fake = await createFakeLuminate();
let server;
let bridge;
try {
  const errors = [];
  const app = express();
  app.use(session({ secret: 'consumer-esm', resave: false, saveUninitialized: false, name: 'host.sid' }));
  app.post('/login', (req, res) => {
    req.session.consId = '1001641';
    res.sendStatus(204);
  });
  bridge = luminateSso({
    luminate: {
      secureUrl: fake.secureUrl,
      apiKey: fake.apiKey,
      apiLogin: fake.apiLogin,
      apiSecretKey: fake.apiSecretKey,
      signatureAlgorithm: fake.signatureAlgorithm,
    },
    constituent: (req) => (req.session.consId ? { consId: req.session.consId } : null),
    handoff: 'establishSession',
    destinations: { default: `${fake.secureUrl}/site/Donation2?df_id=1` },
    onError: (err) => errors.push(err),
  });
  app.use(bridge);
  server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const host = `http://127.0.0.1:${server.address().port}`;

  const login = await fetch(`${host}/login`, { method: 'POST' });
  assert.equal(login.status, 204);
  const hostCookie = cookiesOf(login);
  assert.match(hostCookie, /^host\.sid=/);

  const donation = `${fake.secureUrl}/site/Donation2?df_id=42`;
  const start = await fetch(`${host}/luminate/sso?next=${encodeURIComponent(donation)}`, {
    redirect: 'manual',
    headers: { cookie: hostCookie },
  });
  assert.equal(start.status, 302);
  const location = start.headers.get('location');
  assert.ok(location.startsWith(`${fake.secureUrl}/site/EstablishSession;jsessionid=`), location);
  assert.match(location, /\/site\/EstablishSession;jsessionid=[^?;/]+\?NONCE_TOKEN=[^&]+&NEXTURL=/);
  assert.equal(new URL(location).searchParams.get('NEXTURL'), donation);

  const hop = await fetch(location, { redirect: 'manual' });
  assert.equal(hop.status, 302);
  assert.equal(hop.headers.get('location'), donation);
  const loCookie = cookiesOf(hop);
  assert.ok(loCookie.length > 0, 'EstablishSession set no cookie');

  const page = await fetch(donation, { redirect: 'manual', headers: { cookie: loCookie } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /data-cons-id="1001641"/);
  assert.deepEqual(errors, []);
  console.log('esm consumer: handoff ok');
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(() => resolve()));
  }
  await bridge?.close();
  await fake.close();
}
