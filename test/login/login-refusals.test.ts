/** luminateLogin(): what is refused, and how — CSRF, unknown fields, wrong credentials, untrusted replies, error 33. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { createFakeLuminate, type FakeLuminate, type FakeLuminateOptions } from '../../src/testing';
import { TestBrowser } from '../helpers/browser';
import { ADA, formToken, postLogin, startLoginApp, whoami, type LoginApp, type LoginAppSetup } from './helpers';
import type { LuminateLoginOptions } from '../../src';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function setUp(fakeOptions: FakeLuminateOptions = {}, over: Partial<LuminateLoginOptions> = {}, setup: LoginAppSetup = {}) {
  const fake = await createFakeLuminate(fakeOptions);
  opened.push(fake);
  const app = await startLoginApp(fake, over, setup);
  opened.push(app);
  return { fake, app, browser: new TestBrowser() };
}

const calls = (fake: FakeLuminate) => fake.requests.filter((r) => r.apiMethod === 'authenticateUser').length;
const codes = (app: LoginApp) => app.errors.map((e) => e.code);

describe('CSRF', () => {
  it('a login POST without the session token is refused with 403, before Luminate is asked', async () => {
    const { fake, app, browser } = await setUp();
    await formToken(browser, app); // the visitor has a session and a token; the forged POST lacks it
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, ADA);
    expect(res.status).toBe(403);
    expect(res.location).toBeUndefined();
    expect(res.text).toContain('This form has expired');
    expect(res.headers['content-security-policy']).toContain("form-action 'none'");
    expect(calls(fake)).toBe(0);
    expect(await whoami(browser, app)).toBeNull();
    expect(codes(app)).toEqual(['LOGIN_CSRF_INVALID']);
  });

  it("a token from another visitor's session, a wrong token or a header token of the wrong length are refused", async () => {
    const { fake, app, browser } = await setUp();
    const stranger = new TestBrowser();
    const theirs = await formToken(stranger, app);
    const mine = await formToken(browser, app);
    for (const form of [{ _csrf: theirs }, { _csrf: mine.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) }, { _csrf: `${mine}x` }]) {
      expect((await browser.fetch('POST', `${app.url}/luminate/login`, { ...form, ...ADA })).status).toBe(403);
    }
    expect(calls(fake)).toBe(0);
  });

  it('the token may come as an X-CSRF-Token header (script-driven forms)', async () => {
    const { app, browser } = await setUp();
    const token = await formToken(browser, app);
    const host = new URL(app.url).host;
    const cookie = [...browser.cookies(host)].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await request(`${app.url}/luminate/login`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': token, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(ADA).toString(),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(303);
  });
});

describe('the form', () => {
  it.each([
    ['a field that is not configured', { cons_id: '1001641' }],
    ['a Luminate parameter', { center_id: '7' }],
    ['a repeated field', { member_id: 'M-2001' }],
  ])('%s is refused with 400, before Luminate is asked', async (_what, extra) => {
    const { fake, app, browser } = await setUp();
    const token = await formToken(browser, app);
    const form: Array<[string, string]> = [['_csrf', token], ...Object.entries(ADA), ...Object.entries(extra)];
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, form);
    expect(res.status).toBe(400);
    expect(calls(fake)).toBe(0);
    expect(codes(app)).toEqual(['LOGIN_BAD_REQUEST']);
    expect(await whoami(browser, app)).toBeNull();
  });

  it('an empty field sends the visitor back to the form (error=incomplete), before Luminate is asked', async () => {
    const { fake, app, browser } = await setUp();
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), member_id: 'M-1001', last_name: '  ' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${app.url}/member-login?error=incomplete`);
    expect(calls(fake)).toBe(0);
  });

  it('an oversized body gets the refused-form page with 413, not cached, and onError sees LOGIN_BAD_REQUEST', async () => {
    const { fake, app, browser } = await setUp();
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), member_id: 'x'.repeat(10_000), last_name: 'y' });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.text).toContain('Back to the login form');
    expect(codes(app)).toEqual(['LOGIN_BAD_REQUEST']);
    expect(calls(fake)).toBe(0);
  });

  it('a body with too many fields gets the same page (413, as body-parser says)', async () => {
    const { app, browser } = await setUp();
    const form: Array<[string, string]> = [['_csrf', await formToken(browser, app)], ...Array.from({ length: 25 }, (_, i): [string, string] => [`f${i}`, 'x'])];
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, form);
    expect(res.status).toBe(413);
    expect(res.text).toContain('Back to the login form');
    expect(codes(app)).toEqual(['LOGIN_BAD_REQUEST']);
  });
});

describe('wrong credentials', () => {
  it('go back to the form with one generic message, whichever field was wrong', async () => {
    const { fake, app, browser } = await setUp();
    const wrongName = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), member_id: 'M-1001', last_name: 'Byron', returnTo: '/account' });
    const wrongNumber = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), member_id: 'M-9999', last_name: 'Lovelace', returnTo: '/account' });
    expect(wrongName.status).toBe(303);
    expect(wrongName.location).toBe(`${app.url}/member-login?returnTo=%2Faccount&error=credentials`);
    expect(wrongNumber.location).toBe(wrongName.location);
    expect(wrongName.text).toBe(wrongNumber.text);
    expect(calls(fake)).toBe(2);
    expect(await whoami(browser, app)).toBeNull();
    expect(app.errors.map((e) => [e.code, e.luminateCode])).toEqual([['LOGIN_CREDENTIALS_REFUSED', 202], ['LOGIN_CREDENTIALS_REFUSED', 202]]);
  });

  it('a value no one can have (control characters, too long) gets the same answer without asking Luminate', async () => {
    const { fake, app, browser } = await setUp();
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), member_id: 'M-1001\u0000', last_name: 'Lovelace' });
    expect(res.location).toBe(`${app.url}/member-login?error=credentials`);
    expect(calls(fake)).toBe(0);
  });
});

describe('the loginResponse is trusted only once its signature verifies', () => {
  async function expectRefused(app: LoginApp, browser: TestBrowser, fake: FakeLuminate, code: string) {
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), ...ADA });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${app.url}/member-login?error=unavailable`);
    expect(await whoami(browser, app)).toBeNull();
    expect(codes(app)).toEqual([code]);
    // The nonce of an untrusted reply is never used.
    expect(fake.issuedTokens.every((t) => !t.nonceUsed)).toBe(true);
  }

  it('a reply signed with another secret key is refused', async () => {
    const { fake, app, browser } = await setUp({}, { luminate: { apiSecretKey: 'not-the-sites-key' } });
    await expectRefused(app, browser, fake, 'LOGIN_SIGNATURE_INVALID');
  });

  it('a stale reply (timestamp ten minutes old) is refused', async () => {
    const { fake, app, browser } = await setUp({ now: () => Date.now() - 10 * 60_000 });
    await expectRefused(app, browser, fake, 'LOGIN_SIGNATURE_EXPIRED');
  });

  it('a reply from ten minutes in the future is refused too', async () => {
    const { fake, app, browser } = await setUp({ now: () => Date.now() + 10 * 60_000 });
    await expectRefused(app, browser, fake, 'LOGIN_SIGNATURE_EXPIRED');
  });

  /** A login app whose replies from the stand-in pass through `rewrite` (someone between the bridge and Luminate). */
  async function tamperedApp(fake: FakeLuminate, rewrite: (body: string) => string): Promise<LoginApp> {
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        request(`${fake.url}${req.url}`, { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: Buffer.concat(chunks) })
          .then(async (upstream) => {
            const body = rewrite(await upstream.body.text());
            res.writeHead(upstream.statusCode, { 'content-type': 'text/xml' });
            res.end(body);
          })
          .catch(() => res.destroy());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    opened.push({ close: () => new Promise<void>((resolve) => { proxy.closeAllConnections(); proxy.close(() => resolve()); }) });
    const app = await startLoginApp(fake, { luminate: { secureUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/fakeorg` } });
    opened.push(app);
    return app;
  }

  it('a reply whose cons_id was changed on the way is refused', async () => {
    const fake = await createFakeLuminate();
    opened.push(fake);
    // Someone between the bridge and Luminate swaps the constituent in the reply.
    const app = await tamperedApp(fake, (body) => body.replace('<cons_id>1001641</cons_id>', '<cons_id>1002001</cons_id>'));
    await expectRefused(app, new TestBrowser(), fake, 'LOGIN_SIGNATURE_INVALID');
  });

  it('a reply whose last cons_id digit was moved into the timestamp (1001640 → 100164, ts → 0ts) is refused', async () => {
    const fake = await createFakeLuminate({ constituents: [{ consId: '1001640', memberId: 'M-1640', lastName: 'Lovelace' }, { consId: '100164', memberId: 'M-164', lastName: 'Babbage' }] });
    opened.push(fake);
    const app = await tamperedApp(fake, (body) => body
      .replace('<cons_id>1001640</cons_id>', '<cons_id>100164</cons_id>')
      .replace(/<timestamp>(\d+)<\/timestamp>/, '<timestamp>0$1</timestamp>'));
    const browser = new TestBrowser();
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), member_id: 'M-1640', last_name: 'Lovelace' });
    expect(res.location).toBe(`${app.url}/member-login?error=unavailable`);
    expect(await whoami(browser, app)).toBeNull();
    expect(codes(app)).toEqual(['LOGIN_SIGNATURE_INVALID']);
  });
});

describe('Luminate and site trouble', () => {
  it('error 33 (no authentication fields on the site) is a configuration error for the host', async () => {
    const { app, browser } = await setUp({ authenticationFields: [] });
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), ...ADA });
    expect(res.status).toBe(502);
    expect(JSON.parse(res.text)).toEqual({ code: 'LUMINATE_NO_AUTH_FIELDS' });
    expect(app.handled[0]).toMatchObject({ code: 'LUMINATE_NO_AUTH_FIELDS', luminateCode: 33 });
    expect(app.handled[0]!.message).toMatch(/Use for Authentication.*luminateLogin\(\{ fields \}\)/);
    expect(codes(app)).toEqual(['LUMINATE_NO_AUTH_FIELDS']);
    // The host's error page is not cached and leaks no referrer, like every answer of the bridge.
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('the API administrator refused (error 3) is a configuration error too', async () => {
    const { app, browser } = await setUp({}, { luminate: { apiLogin: { name: 'apiadmin', password: 'wrong-admin-password' } } });
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), ...ADA });
    expect(JSON.parse(res.text)).toEqual({ code: 'LUMINATE_AUTH_FAILED' });
    expect(res.text).not.toContain('wrong-admin-password');
  });

  it('Luminate down: back to the form with error=unavailable; not counted as a failed attempt', async () => {
    const { fake, app, browser } = await setUp({}, { throttle: { perIp: false, perIdentifier: { limit: 1, windowMs: 60_000 } } });
    fake.faults.status = 503;
    const first = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), ...ADA });
    expect(first.location).toBe(`${app.url}/member-login?error=unavailable`);
    fake.faults = {};
    const end = await postLogin(browser, app, ADA);
    expect(end.status).toBe(200);
    expect(await whoami(browser, app)).toBe('1001641');
  });

  it('without express-session the login is a typed configuration error', async () => {
    const { fake, app, browser } = await setUp({}, {}, { session: false });
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, ADA);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual({ code: 'LOGIN_SESSION_REQUIRED' });
    expect(app.handled[0]!.message).toMatch(/needs express-session in front of it/);
    expect(calls(fake)).toBe(0);
  });
});
