/**
 * Issue 18 §2, §3: a login attempt is counted before Luminate is asked, so a concurrent burst
 * cannot outrun the limits; IPv6 clients are counted by /64; a flood of refused requests cannot
 * push a lockout out of the store; the CSRF token is replaced after a failed attempt.
 */
import { request } from 'undici';
import { MemoryStore, type LuminateLoginOptions } from '../../src';
import { TestBrowser } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { fetchWithHeaders, formToken, postLogin, startLoginApp, whoami, type LoginApp } from './helpers';

const fake = useFakeLuminate();
let app: LoginApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

const MINUTE = 60_000;
const calls = () => fake.requests.filter((r) => r.apiMethod === 'authenticateUser').length;

async function start(throttle: LuminateLoginOptions['throttle'], over: Partial<LuminateLoginOptions> = {}) {
  app = await startLoginApp(fake, { throttle, ...over }, over.store ? { sso: { store: over.store } } : {});
  return app;
}

/** A login POST with the browser's cookies, from `forwardedFor` (the app trusts its loopback proxy). */
async function post(browser: TestBrowser, a: LoginApp, fields: Record<string, string>, forwardedFor?: string) {
  const cookie = [...browser.cookies(new URL(a.url).host)].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await request(`${a.url}/luminate/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie,
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
  await res.body.text();
  return res.statusCode;
}

describe('a concurrent burst against a slow Luminate (300 ms)', () => {
  it('one session, one token, 200 wrong guesses for one member at once: at most the limit (5) reach Luminate', async () => {
    const a = await start({ perIp: { limit: 20, windowMs: 15 * MINUTE }, perIdentifier: { limit: 5, windowMs: 15 * MINUTE } });
    const browser = new TestBrowser();
    const token = await formToken(browser, a);
    fake.faults.latencyMs = 300;
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => post(browser, a, { _csrf: token, member_id: 'M-1001', last_name: `Guess${i}` })),
    );
    expect(calls()).toBeLessThanOrEqual(5);
    // Refused by the throttle (429), or by the token the first failure replaced (403).
    expect(statuses.filter((s) => s === 303).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s !== 303 && s !== 403 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    // The real member is locked out as well until the window passes: the guesses were counted.
    fake.faults = {};
    expect(await post(browser, a, { _csrf: await formToken(browser, a), member_id: 'M-1001', last_name: 'Lovelace' })).toBe(429);
  });

  it('60 different member numbers at once from one address: at most the per-IP limit (20) reach Luminate', async () => {
    const a = await start({ perIp: { limit: 20, windowMs: 15 * MINUTE }, perIdentifier: { limit: 5, windowMs: 15 * MINUTE } });
    const browser = new TestBrowser();
    const token = await formToken(browser, a);
    fake.faults.latencyMs = 300;
    await Promise.all(Array.from({ length: 60 }, (_, i) => post(browser, a, { _csrf: token, member_id: `M-${5000 + i}`, last_name: 'Smith' })));
    expect(calls()).toBeLessThanOrEqual(20);
    expect(calls()).toBeGreaterThanOrEqual(1);
  });

  it("a login that succeeds gives its place back: a shared office address is not locked out by its members' logins", async () => {
    const a = await start({ perIp: { limit: 2, windowMs: MINUTE }, perIdentifier: false });
    for (let i = 0; i < 4; i += 1) {
      const browser = new TestBrowser();
      await postLogin(browser, a, { member_id: 'M-1001', last_name: 'Lovelace' });
      expect(await whoami(browser, a)).toBe('1001641');
    }
    const browser = new TestBrowser();
    expect(await post(browser, a, { _csrf: await formToken(browser, a), member_id: 'M-1', last_name: 'x' })).toBe(303);
    expect(await post(browser, a, { _csrf: await formToken(browser, a), member_id: 'M-2', last_name: 'x' })).toBe(303);
    expect(await post(browser, a, { _csrf: await formToken(browser, a), member_id: 'M-3', last_name: 'x' })).toBe(429);
  });
});

describe('the CSRF token after a failed attempt', () => {
  it('is replaced: the same token is refused for the next attempt, a reloaded form works', async () => {
    const a = await start({ perIp: false, perIdentifier: false });
    const browser = new TestBrowser();
    const token = await formToken(browser, a);
    expect(await post(browser, a, { _csrf: token, member_id: 'M-1001', last_name: 'Byron' })).toBe(303);
    expect(await post(browser, a, { _csrf: token, member_id: 'M-1001', last_name: 'Lovelace' })).toBe(403);
    expect(calls()).toBe(1);
    const fresh = await formToken(browser, a);
    expect(fresh).not.toBe(token);
    await postLogin(browser, a, { member_id: 'M-1001', last_name: 'Lovelace' }, fresh);
    expect(await whoami(browser, a)).toBe('1001641');
  });
});

describe('IPv6 clients', () => {
  it('are counted by /64: 60 attempts from 60 addresses of one /64 meet the per-IP limit of 20', async () => {
    const a = await start({ perIp: { limit: 20, windowMs: 15 * MINUTE }, perIdentifier: false });
    const browser = new TestBrowser();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const token = await formToken(browser, a);
      statuses.push(await post(browser, a, { _csrf: token, member_id: `M-${i}`, last_name: 'Smith' }, `2001:db8:77:1:${(i + 1).toString(16)}::1`));
    }
    expect(calls()).toBe(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    // Another /64 is another client.
    expect(await post(browser, a, { _csrf: await formToken(browser, a), member_id: 'M-99', last_name: 'Smith' }, '2001:db8:77:2::1')).toBe(303);
  });

  it('an IPv4-mapped address is the IPv4 address', async () => {
    const a = await start({ perIp: { limit: 1, windowMs: MINUTE }, perIdentifier: false });
    const browser = new TestBrowser();
    expect(await post(browser, a, { _csrf: await formToken(browser, a), member_id: 'M-1', last_name: 'x' }, '192.0.2.44')).toBe(303);
    expect(await post(browser, a, { _csrf: await formToken(browser, a), member_id: 'M-2', last_name: 'x' }, '::ffff:192.0.2.44')).toBe(429);
  });
});

describe('a lockout in a bounded MemoryStore', () => {
  it('survives a flood of distinct-address bridge clicks, each refused with 429', async () => {
    const store = new MemoryStore({ maxEntries: 30 });
    const a = await start({ perIp: false, perIdentifier: { limit: 5, windowMs: 15 * MINUTE } }, { store });
    const attacker = new TestBrowser();
    for (let i = 0; i < 5; i += 1) {
      expect(await post(attacker, a, { _csrf: await formToken(attacker, a), member_id: 'M-1001', last_name: `Guess${i}` })).toBe(303);
    }
    expect(await post(attacker, a, { _csrf: await formToken(attacker, a), member_id: 'M-1001', last_name: 'Guess5' })).toBe(429);

    // The attacker logs in with an account of their own and clicks the bridge from ever new addresses.
    await postLogin(attacker, a, { member_id: 'M-0042', last_name: 'Hopper' });
    const statuses: number[] = [];
    for (let i = 0; i < 80; i += 1) {
      const res = await fetchWithHeaders(attacker, 'GET', `${a.url}/luminate/sso`, { 'x-forwarded-for': `198.51.100.${i + 1}` });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(60);

    // The lockout holds.
    const before = calls();
    expect(await post(attacker, a, { _csrf: await formToken(attacker, a), member_id: 'M-1001', last_name: 'Lovelace' })).toBe(429);
    expect(calls()).toBe(before);
  });
});
