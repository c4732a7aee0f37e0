// CommonJS consumer of the packed tarball: require() both entry points and run one
// establishSession handoff against the stand-in Luminate. Exits by itself (no process.exit).
'use strict';
const assert = require('node:assert/strict');
const express = require('express');
const session = require('express-session');
const { luminateSso, isLuminateError, LuminateError } = require('luminate-sso-bridge');
const { createFakeLuminate } = require('luminate-sso-bridge/testing');

// Only the exports map's entry points are reachable.
assert.throws(() => require('luminate-sso-bridge/dist/errors'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
assert.equal(require('luminate-sso-bridge/package.json').name, 'luminate-sso-bridge');
assert.ok(isLuminateError(new LuminateError('LUMINATE_TIMEOUT', 'probe')));

// Watchdog: unref'd, so it never keeps the process alive, but fires if something else does.
setTimeout(() => {
  console.error('cjs consumer: still running after 30 s');
  process.exit(1);
}, 30_000).unref();

const cookiesOf = (res) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

async function main() {
  const fake = await createFakeLuminate();
  let server;
  let bridge;
  try {
    const errors = [];
    const app = express();
    app.use(session({ secret: 'consumer-cjs', resave: false, saveUninitialized: false, name: 'host.sid' }));
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
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    }
    await bridge?.close();
    await fake.close();
  }
}

main().then(
  () => console.log('cjs consumer: handoff ok'),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
