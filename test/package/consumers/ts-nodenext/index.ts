// TypeScript CommonJS consumer of the packed tarball (package.json "type": "commonjs", so under
// nodenext this file compiles to require()): named and type imports from both entry points,
// checked strictly, then one establishSession handoff. Exits by itself (no process.exit on success).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import session from 'express-session';
import { luminateSso, isLuminateError, LuminateError, type LuminateSsoOptions, type LuminateSsoMiddleware } from 'luminate-sso-bridge';
import { createFakeLuminate, type FakeLuminate } from 'luminate-sso-bridge/testing';

declare module 'express-session' {
  interface SessionData {
    consId?: string;
  }
}

setTimeout(() => {
  console.error('ts consumer: still running after 30 s');
  process.exit(1);
}, 30_000).unref();

const cookiesOf = (res: Response): string => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

function optionsFor(fake: FakeLuminate, errors: LuminateError[]): LuminateSsoOptions {
  return {
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
    onError: (err) => {
      errors.push(err);
    },
  };
}

async function main(): Promise<void> {
  const fake: FakeLuminate = await createFakeLuminate();
  let server: Server | undefined;
  let bridge: LuminateSsoMiddleware | undefined;
  try {
    const errors: LuminateError[] = [];
    const app = express();
    app.use(session({ secret: 'consumer-ts', resave: false, saveUninitialized: false, name: 'host.sid' }));
    app.post('/login', (req, res) => {
      req.session.consId = '1001641';
      res.sendStatus(204);
    });
    bridge = luminateSso(optionsFor(fake, errors));
    app.use(bridge);
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

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
    const location = start.headers.get('location') ?? '';
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
    assert.equal(fake.issuedTokens[0]?.nonceUsed, true);
    assert.deepEqual(errors, []);
    const probe: unknown = new LuminateError('LUMINATE_TIMEOUT', 'probe');
    assert.ok(isLuminateError(probe) && probe.status === 504);
  } finally {
    if (server) {
      const s = server;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await bridge?.close();
    await fake.close();
  }
}

main().then(
  () => console.log('ts consumer: handoff ok'),
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
