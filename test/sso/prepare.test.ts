/**
 * `prepare: true` through a real host app and the stand-in: a token minted on intent
 * (`POST /luminate/sso/prepare`) is used by the click with no second token call; the stand-in
 * counts the calls.
 */
import { captureDebugLines } from '../helpers/debug-lines';
import type express from 'express';
import { request } from 'undici';
import { MemoryStore } from '../../src/store/store';
import type { FakeLuminate } from '../../src/testing';
import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';
import type { LuminateSsoOptions } from '../../src';

const tokenCalls = (fake: FakeLuminate) => fake.requests.filter((r) => r.apiMethod === 'getSingleSignOnToken').length;

/** The host page switching the session's constituent without a new session (as a site's "act as" might). */
const switchRoute = (app: express.Express) => {
  app.get('/switch', (req, res) => {
    req.session.user = { consId: String(req.query.consId) };
    req.session.save(() => res.status(204).end());
  });
};

async function logIn(browser: TestBrowser, app: HostApp, consId: string) {
  const res = await browser.fetch('POST', `${app.url}/login`, { consId });
  expect(res.status).toBe(303);
}

/** What the intent script sends: a same-origin POST with the header and the session cookie. */
async function prepare(browser: TestBrowser, app: HostApp, headers: Record<string, string> = {}, method = 'POST', query = '') {
  const url = new URL(`${app.url}/luminate/sso/prepare${query}`);
  const cookie = [...browser.cookies(url.host)].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await request(url, {
    method: method as 'POST',
    headers: { 'x-luminate-intent': '1', 'sec-fetch-site': 'same-origin', origin: app.url, ...(cookie && { cookie }), ...headers },
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

describe('prepare: true — the token is minted on intent and the click uses it', () => {
  const fake = useFakeLuminate();
  let app: HostApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const donate = (df = '42') => `${fake.secureUrl}/site/Donation2?df_id=${df}`;
  const click = (browser: TestBrowser, a: HostApp, df = '42', query = '') =>
    browser.navigate(`${a.url}/luminate/sso?next=${encodeURIComponent(donate(df))}${query}`);
  const start = (over: Partial<LuminateSsoOptions> = {}) => startHostApp(fake, { prepare: true, ...over }, '/', switchRoute);

  it.each(['singleSignOn', 'establishSession'] as const)('%s: prepare → 204 without the token; the click uses it, no second call',
    async (handoff) => {
    app = await start({ handoff });
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    const prepared = await prepare(browser, app);
    expect(prepared.status).toBe(204);
    expect(prepared.text).toBe('');
    expect(prepared.headers['cache-control']).toBe('no-store');
    expect(tokenCalls(fake)).toBe(1);
    const { token, nonce } = fake.issuedTokens[0]!;
    expect(JSON.stringify(prepared.headers)).not.toContain(token);
    if (nonce) expect(JSON.stringify(prepared.headers)).not.toContain(nonce);

    const end = await click(browser, app);
    expect(loggedInConsId(end.text)).toBe('1001641');
    expect(new URL(end.url).searchParams.get('df_id')).toBe('42');
    expect(tokenCalls(fake)).toBe(1);
    expect(app.handoffs).toEqual([{ consId: '1001641', handoff, destination: donate('42') }]);
    expect(app.bridge.stats().prepared).toEqual({ minted: 1, used: 1, unused: 0, refused: 0 });
    // Single use: the next click mints as today.
    expect(loggedInConsId((await click(browser, app, '7')).text)).toBe('1001641');
    expect(tokenCalls(fake)).toBe(2);
    expect(app.errors).toEqual([]);
  });

  it('a click during an in-flight prepare waits for it: one token call', async () => {
    app = await start();
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    fake.faults = { latencyMs: 400, times: 1 };
    const preparing = prepare(browser, app);
    await new Promise((r) => setTimeout(r, 100));
    const end = await click(browser, app);
    expect(loggedInConsId(end.text)).toBe('1001641');
    expect((await preparing).status).toBe(204);
    expect(tokenCalls(fake)).toBe(1);
    expect(app.bridge.stats().prepared).toMatchObject({ minted: 1, used: 1 });
  });

  it('at most one per visitor: a second prepare while one is kept makes no token call', async () => {
    app = await start();
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    await Promise.all([prepare(browser, app), prepare(browser, app)]);
    expect((await prepare(browser, app)).status).toBe(204);
    expect(tokenCalls(fake)).toBe(1);
    await click(browser, app);
    expect(tokenCalls(fake)).toBe(1);
  });

  it('an expired prepared token is not used: the click mints as today', async () => {
    let now = Date.now();
    app = await start({ prepare: { ttlMs: 1000 }, store: new MemoryStore({ now: () => now }) });
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    await prepare(browser, app);
    now += 1001;
    const end = await click(browser, app);
    expect(loggedInConsId(end.text)).toBe('1001641');
    expect(tokenCalls(fake)).toBe(2);
    expect(app.bridge.stats().prepared).toMatchObject({ minted: 1, used: 0 });
    // The slot expired with it: the visitor's next intent prepares again.
    await prepare(browser, app);
    expect(tokenCalls(fake)).toBe(3);
  });

  it('another session (same constituent) cannot take it; its own session still can', async () => {
    app = await start();
    const mine = new TestBrowser();
    const other = new TestBrowser();
    await logIn(mine, app, '1001641');
    await logIn(other, app, '1001641');
    await prepare(mine, app);
    expect(loggedInConsId((await click(other, app)).text)).toBe('1001641');
    expect(tokenCalls(fake)).toBe(2);
    expect(loggedInConsId((await click(mine, app)).text)).toBe('1001641');
    expect(tokenCalls(fake)).toBe(2);
  });

  it('a click for another constituent (same session) mints as today and lands as that constituent', async () => {
    app = await start();
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    await prepare(browser, app);
    expect((await browser.fetch('GET', `${app.url}/switch?consId=0012345`)).status).toBe(204);
    const end = await click(browser, app);
    expect(loggedInConsId(end.text)).toBe('0012345');
    expect(tokenCalls(fake)).toBe(2);
    expect(app.bridge.stats().prepared).toMatchObject({ minted: 1, used: 0 });
  });

  it('a token prepared for another attribution (source in the link) is not used', async () => {
    app = await start({ attribution: { fromQuery: true } });
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    await prepare(browser, app, {}, 'POST', '?source=hover');
    await click(browser, app, '42', '&source=other');
    expect(tokenCalls(fake)).toBe(2);
    await prepare(browser, app, {}, 'POST', '?source=same');
    await click(browser, app, '42', '&source=same');
    expect(tokenCalls(fake)).toBe(3);
    expect(app.bridge.stats().prepared).toEqual({ minted: 2, used: 1, unused: 1, refused: 0 });
  });

  it.each([
    ['cross-site (Fetch Metadata)', { 'sec-fetch-site': 'cross-site' }, 'POST'],
    ['same-site, another origin', { 'sec-fetch-site': 'same-site' }, 'POST'],
    ['an Origin of another site', { origin: 'https://evil.example' }, 'POST'],
    ['without the X-Luminate-Intent header', { 'x-luminate-intent': '' }, 'POST'],
    ['a GET', {}, 'GET'],
    ['a PUT', {}, 'PUT'],
  ])('refused with 403 SSO_PREPARE_REFUSED, no token call: %s', async (_title, headers, method) => {
    app = await start();
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    const res = await prepare(browser, app, headers, method);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toEqual({ code: 'SSO_PREPARE_REFUSED' });
    expect(tokenCalls(fake)).toBe(0);
    expect(app.bridge.stats().prepared).toMatchObject({ minted: 0, refused: 1 });
  });

  it('nothing to prepare: an anonymous visitor, or no session at all → 204, no token call', async () => {
    app = await start();
    expect((await prepare(new TestBrowser(), app)).status).toBe(204);
    // A hook that names a constituent without a session: express-session makes up an id no click brings back.
    const bare = await startHostApp(fake, { prepare: true, constituent: () => ({ consId: '1001641' }) }, '/');
    try {
      const res = await request(`${bare.url}/luminate/sso/prepare`, { method: 'POST', headers: { 'x-luminate-intent': '1' } });
      expect(res.statusCode).toBe(204);
      expect(res.headers['set-cookie']).toBeUndefined();
    } finally {
      await bare.close();
    }
    expect(tokenCalls(fake)).toBe(0);
  });

  it('prepare counts in the token throttle like a click; a prepared click adds no count', async () => {
    app = await start({ throttle: { perVisitor: { limit: 2, windowMs: 60_000 }, perIp: false } });
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    await prepare(browser, app);
    await click(browser, app);
    await prepare(browser, app);
    await click(browser, app);
    expect(tokenCalls(fake)).toBe(2);
    expect((await prepare(browser, app)).status).toBe(204); // throttled: nothing prepared, nothing said
    expect(tokenCalls(fake)).toBe(2);
    expect((await browser.fetch('GET', `${app.url}/luminate/sso`)).status).toBe(429);
  });

  it('a prepared token Luminate no longer accepts goes through the failure policy: the visitor continues as a guest', async () => {
    app = await start();
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    await prepare(browser, app);
    fake.issuedTokens[0]!.expiresAt = 0; // expired at Luminate before the click
    const end = await click(browser, app);
    expect(new URL(end.url).searchParams.get('df_id')).toBe('42');
    expect(loggedInConsId(end.text)).toBe('');
    expect(tokenCalls(fake)).toBe(1);
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CALLBACK_ERROR']);
  });

  it('a failed prepare (Luminate down) leaves the click to mint and succeed', async () => {
    app = await start();
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    fake.faults = { status: 503, times: 1 };
    expect((await prepare(browser, app)).status).toBe(204);
    expect(loggedInConsId((await click(browser, app)).text)).toBe('1001641');
    expect(tokenCalls(fake)).toBe(2);
    expect(app.errors).toEqual([]);
  });
});

describe('prepare: what it leaves in logs and the store', () => {
  const fake = useFakeLuminate();
  const lines = captureDebugLines();

  it.each(['singleSignOn', 'establishSession'] as const)(
    '%s: no debug line holds the token or its fields; store keys hold no session id or cons_id',
    async (handoff) => {
      const memory = new MemoryStore();
      const keys: string[] = [];
      const store = new Proxy(memory, {
        get(target, name) {
          const value = Reflect.get(target, name) as unknown;
          if (typeof value !== 'function') return value;
          return (key: string, ...rest: unknown[]) => {
            keys.push(key);
            return (value as (...args: unknown[]) => unknown).call(target, key, ...rest);
          };
        },
      });
      lines.length = 0;
      const app = await startHostApp(fake, { prepare: true, handoff, store });
      let sessionId = '';
      try {
        const browser = new TestBrowser();
        await logIn(browser, app, '1001641');
        sessionId = /^s:([^.]+)\./.exec(decodeURIComponent(browser.cookies(new URL(app.url).host).get('host.sid') ?? ''))?.[1] ?? '';
        await prepare(browser, app);
        const end = await browser.navigate(`${app.url}/luminate/sso`);
        expect(loggedInConsId(end.text)).toBe('1001641');
        expect(tokenCalls(fake)).toBe(1);
      } finally {
        await app.close();
      }
      const { token, nonce, routingId } = fake.issuedTokens[0]!;
      const secrets = [token, nonce, routingId].filter((v): v is string => typeof v === 'string' && v !== '');
      expect(secrets.length).toBeGreaterThanOrEqual(2);
      expect(lines.some((l) => /prepared a token/.test(l))).toBe(true);
      for (const secret of secrets) expect(lines.join('\n')).not.toContain(secret);
      expect(sessionId.length).toBeGreaterThan(10);
      expect(keys.filter((k) => k.startsWith('prepare')).length).toBeGreaterThanOrEqual(3);
      for (const key of keys) expect(key).not.toContain(sessionId);
      for (const key of keys) expect(key).not.toContain('1001641');
    });
});

describe('prepare: the intent script and its tag', () => {
  const fake = useFakeLuminate();
  let app: HostApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('serves intent.js as cacheable JavaScript; intentScriptTag gives its public path and the Luminate origin', async () => {
    let tag = '';
    app = await startHostApp(fake, { prepare: true, baseUrl: 'http://www.example.org/app' }, '/give', (host) => {
      host.get('/give/page', (req, res) => {
        tag = app!.bridge.intentScriptTag(req);
        res.end();
      });
    });
    const script = await request(`${app.url}/give/luminate/sso/intent.js`);
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=3600');
    expect(await script.body.text()).toContain("'X-Luminate-Intent': '1'");
    await (await request(`${app.url}/give/page`)).body.text();
    const origin = new URL(fake.secureUrl).origin;
    expect(tag).toBe(`<script src="/app/give/luminate/sso/intent.js" data-luminate-origin="${origin}" defer></script>`);
  });

  it('off by default: no routes, and the tag is empty', async () => {
    app = await startHostApp(fake);
    expect((await request(`${app.url}/luminate/sso/intent.js`)).statusCode).toBe(404);
    const prepare404 = await request(`${app.url}/luminate/sso/prepare`, { method: 'POST', headers: { 'x-luminate-intent': '1' } });
    expect(prepare404.statusCode).toBe(404);
    expect(app.bridge.intentScriptTag({ baseUrl: '' } as never)).toBe('');
    expect(app.bridge.stats().prepared).toBeUndefined();
  });
});
