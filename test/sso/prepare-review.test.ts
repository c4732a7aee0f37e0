/**
 * `prepare: true` under attack and in races (review of issue 20), through a real host app and the
 * stand-in: a prepare never writes the visitor's session (a logout while it runs stays a logout).
 */
import express from 'express';
import session from 'express-session';
import { request } from 'undici';
import type { FakeLuminate } from '../../src/testing';
import { MemoryStore } from '../../src/store/store';
import { luminateSso, type LuminateSsoMiddleware, type LuminateSsoOptions } from '../../src';
import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { bridgeOptionsFor, startHostApp, type HostApp } from '../helpers/host-app';
import { listenOnLoopback } from '../helpers/listen';

const tokenCalls = (fake: FakeLuminate) => fake.requests.filter((r) => r.apiMethod === 'getSingleSignOnToken').length;
const lookups = (fake: FakeLuminate) => fake.requests.filter((r) => r.apiMethod === 'getUser').length;

/** The host's logout (destroys the session, as most sites do) and a page saying who is logged in. */
const hostPages = (app: express.Express) => {
  app.get('/logout', (req, res) => req.session.destroy(() => res.status(204).end()));
  app.get('/whoami', (req, res) => res.json({ user: req.session.user ?? null }));
};

/** What the intent script sends: a same-origin POST with the header and the session cookie. */
async function prepare(browser: TestBrowser, app: HostApp) {
  const url = new URL(`${app.url}/luminate/sso/prepare`);
  const cookie = [...browser.cookies(url.host)].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await request(url, {
    method: 'POST',
    headers: { 'x-luminate-intent': '1', 'sec-fetch-site': 'same-origin', origin: app.url, ...(cookie && { cookie }) },
  });
  await res.body.text();
  return { status: res.statusCode, setCookie: res.headers['set-cookie'] };
}

describe('prepare: true — sessions, logout and races', () => {
  const fake = useFakeLuminate();
  let app: HostApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const click = (browser: TestBrowser, a: HostApp) =>
    browser.navigate(`${a.url}/luminate/sso?next=${encodeURIComponent(`${fake.secureUrl}/site/Donation2?df_id=42`)}`);
  const start = (over: Partial<LuminateSsoOptions> = {}) => startHostApp(fake, { prepare: true, ...over }, '/', hostPages);

  it('a logout while a prepare (email visitor) runs stays a logout: the prepare does not write the session back', async () => {
    app = await start();
    const browser = new TestBrowser();
    expect((await browser.fetch('POST', `${app.url}/login`, { email: 'grace@example.org' })).status).toBe(303);
    fake.faults = { latencyMs: 400, times: 1 }; // the email lookup is slow
    const preparing = prepare(browser, app);
    await new Promise((r) => setTimeout(r, 150));
    expect((await browser.fetch('GET', `${app.url}/logout`)).status).toBe(204);
    expect((await preparing).status).toBe(204);
    expect(tokenCalls(fake)).toBe(1);
    const who = await browser.fetch('GET', `${app.url}/whoami`);
    expect(JSON.parse(who.text)).toEqual({ user: null });
    // The click after the logout is a guest's: sent to the host's login, no token.
    const end = await click(browser, app);
    expect(new URL(end.url).pathname).toBe('/login');
    expect(tokenCalls(fake)).toBe(1);
  });

  it('an email visitor: the click that uses the prepared token remembers the cons_id, so later intents look nothing up', async () => {
    app = await start();
    const browser = new TestBrowser();
    expect((await browser.fetch('POST', `${app.url}/login`, { email: 'grace@example.org' })).status).toBe(303);
    await prepare(browser, app);
    expect(lookups(fake)).toBe(1);
    expect(loggedInConsId((await click(browser, app)).text)).toBe('0012345');
    await prepare(browser, app);
    expect(loggedInConsId((await click(browser, app)).text)).toBe('0012345');
    expect(lookups(fake)).toBe(1);
    expect(tokenCalls(fake)).toBe(2);
  });

  it('a hover never creates a Luminate record (provision): the prepare prepares nothing, the click creates it as today', async () => {
    const provisioned: string[] = [];
    app = await start({ provision: (req) => { provisioned.push(req.path); return { firstName: 'Newt' }; } });
    const browser = new TestBrowser();
    expect((await browser.fetch('POST', `${app.url}/login`, { email: 'newt@example.org' })).status).toBe(303);
    expect((await prepare(browser, app)).status).toBe(204);
    expect(fake.requests.map((r) => r.apiMethod)).toEqual(['getUser']);
    expect(provisioned).toEqual([]);
    const end = await click(browser, app);
    const created = fake.constituents.filter((c) => c.email === 'newt@example.org');
    expect(created).toHaveLength(1);
    expect(loggedInConsId(end.text)).toBe(created[0]!.consId);
    expect(provisioned).toEqual(['/luminate/sso']);
  });

  it('a click (another session, same new email) during a hover\'s lookup does not share its "do not create": it creates and logs in', async () => {
    app = await start({ provision: () => ({ firstName: 'Newt' }) });
    const hovering = new TestBrowser();
    const clicking = new TestBrowser();
    for (const b of [hovering, clicking]) await b.fetch('POST', `${app.url}/login`, { email: 'newt@example.org' });
    fake.faults = { latencyMs: 300, times: 1 }; // the hover's getUser is slow
    const preparing = prepare(hovering, app);
    await new Promise((r) => setTimeout(r, 50));
    const end = await click(clicking, app);
    const created = fake.constituents.filter((c) => c.email === 'newt@example.org');
    expect(created).toHaveLength(1);
    expect(loggedInConsId(end.text)).toBe(created[0]!.consId);
    expect((await preparing).status).toBe(204);
    expect(app.errors).toEqual([]);
  });

  it('a prepare stuck on Luminate holds the click at most half the deadline: the click then mints and lands logged in', async () => {
    app = await start(); // luminate.timeoutMs 1500
    const browser = new TestBrowser();
    await browser.fetch('POST', `${app.url}/login`, { consId: '1001641' });
    fake.faults = { latencyMs: 5000, times: 1 }; // the prepare's token call hangs past its deadline
    const preparing = prepare(browser, app);
    await new Promise((r) => setTimeout(r, 50));
    const clickedAt = Date.now();
    const end = await click(browser, app);
    const waited = Date.now() - clickedAt;
    expect(loggedInConsId(end.text)).toBe('1001641');
    expect(waited).toBeLessThan(1300); // half of 1500 ms, then its own token call; not the prepare's whole deadline
    expect((await preparing).status).toBe(204);
    expect(app.errors).toEqual([]);
  });
});

/**
 * Two bridges sharing one store and one session store, as two instances behind a load balancer
 * (at `/a` and `/b` of one host app, so one cookie jar sees both). `storeOfB` wraps B's view of the store.
 */
async function twoInstances(fake: FakeLuminate, storeOfB: (shared: MemoryStore) => MemoryStore) {
  const shared = new MemoryStore();
  const app = express();
  app.use(session({ secret: 'review-secret', resave: false, saveUninitialized: false, name: 'host.sid' }));
  app.get('/login-as', (req, res) => {
    req.session.user = { consId: String(req.query.consId) };
    req.session.save(() => res.status(204).end());
  });
  const bridges: LuminateSsoMiddleware[] = [];
  for (const [path, store] of [['/a', shared], ['/b', storeOfB(shared)]] as const) {
    const bridge = luminateSso(bridgeOptionsFor(fake, { prepare: true, store }));
    bridges.push(bridge);
    app.use(path, bridge);
  }
  const listening = await listenOnLoopback(app);
  return {
    url: `http://localhost:${listening.port}`,
    async close() {
      await listening.close();
      await Promise.all(bridges.map((b) => b.close()));
    },
  };
}

describe('prepare: true — two instances on one store', () => {
  const fake = useFakeLuminate();

  it('a click on B that misses A\'s token by a hair (A finishes between B\'s two looks) still takes it: one token call', async () => {
    // B's look at A's pending mark answers late (a slow store round trip): by then A has finished.
    const slowPendingLook = (shared: MemoryStore) => new Proxy(shared, {
      get(target, name) {
        const value = Reflect.get(target, name) as unknown;
        if (typeof value !== 'function') return value;
        if (name !== 'count') return value.bind(target);
        return async (key: string) => {
          if (key.startsWith('prepare-pending:')) await new Promise((r) => setTimeout(r, 400));
          return target.count(key);
        };
      },
    });
    const two = await twoInstances(fake, slowPendingLook);
    try {
      const browser = new TestBrowser();
      expect((await browser.fetch('GET', `${two.url}/login-as?consId=1001641`)).status).toBe(204);
      fake.faults = { latencyMs: 250, times: 1 };
      const url = new URL(`${two.url}/a/luminate/sso/prepare`);
      const cookie = [...browser.cookies(url.host)].map(([k, v]) => `${k}=${v}`).join('; ');
      const preparing = request(url, { method: 'POST', headers: { 'x-luminate-intent': '1', 'sec-fetch-site': 'same-origin', cookie } });
      await new Promise((r) => setTimeout(r, 80));
      const end = await browser.navigate(`${two.url}/b/luminate/sso`);
      expect(loggedInConsId(end.text)).toBe('1001641');
      expect((await preparing).statusCode).toBe(204);
      expect(tokenCalls(fake)).toBe(1);
    } finally {
      await two.close();
    }
  });
});
