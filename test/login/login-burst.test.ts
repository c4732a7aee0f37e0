/**
 * Issue 18 §2, §3: a login attempt is counted before Luminate is asked, so a concurrent burst
 * cannot outrun the limits; IPv6 clients are counted by /64; a flood of refused requests cannot
 * push a lockout out of the store; the CSRF token is replaced after a failed attempt.
 */
import { request } from 'undici';
import { MemoryStore, type LuminateLoginOptions } from '../../src';
import { throttleKeyForAddress } from '../../src/http/client-key';
import { TestBrowser } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { authenticateCalls, fetchWithHeaders, formToken, postLogin, startThrottledLoginApp, whoami, type LoginApp } from './helpers';

const fake = useFakeLuminate();
let app: LoginApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

const MINUTE = 60_000;
const calls = () => authenticateCalls(fake);

async function start(throttle: LuminateLoginOptions['throttle'], over: Partial<LuminateLoginOptions> = {}) {
  app = await startThrottledLoginApp(fake, throttle, over);
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

/*
 * From a review of the first version (new inputs of the same kinds):
 *  * - Per-IP key with a port: proxies such as Azure App Service / Application Gateway write the
 *   client as `IP:port` (`203.0.113.9:51234`, `[2001:db8::1]:443`) into X-Forwarded-For, and
 *   Express's req.ip keeps it. throttleKeyForAddress keeps anything that is not a bare address as
 *   given, so every new source port (every new connection) is a new client: the per-IP limit
 *   never applies, and the /64 rule neither.
 * - Lockout eviction: refused requests no longer store counters, and one-off counters give way
 *   first, but counters that reached 2 ("repeats") are evicted oldest-first among themselves. An
 *   attacker who makes two attempts per fresh member number from one /64 at a time (each within
 *   every limit, so each is counted; the /64's counter exists already) makes one new counter per
 *   pair and turns it into a repeat; with the store full, making it drops the oldest repeat, the
 *   victim's lockout, out of a bounded MemoryStore. Shown here with maxEntries 30; the default 100,000 needs
 *   about 200,000 attempts (20 per /64 within the per-IP limit: ~10,000 /64s; a /48 has 65,536).
 */
describe('a client address with a port (Azure-style X-Forwarded-For) is still one client', () => {
  test.each([
    ['203.0.113.9:51234', '203.0.113.9'],
    ['[2001:db8:1:2::1]:443', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::1]', '2001:db8:1:2::/64'],
  ])('throttleKeyForAddress(%s) is %s', (address, key) => {
    expect(throttleKeyForAddress(address)).toBe(key);
  });

  test('30 attempts from one IPv4 address on 30 source ports meet the per-IP limit of 20', async () => {
    const a = await start({ perIp: { limit: 20, windowMs: 15 * MINUTE }, perIdentifier: false });
    const browser = new TestBrowser();
    for (let i = 0; i < 30; i += 1) {
      await post(browser, a, { _csrf: await formToken(browser, a), member_id: `M-${i}`, last_name: 'Smith' }, `203.0.113.9:${50000 + i}`);
    }
    expect(calls()).toBe(20);
  });
});

describe('a lockout in a bounded MemoryStore against counted (not refused) attempts', () => {
  test('two attempts for each of 10 fresh member numbers from each of 4 /64s (all within the limits) do not push the lockout of M-1001 out', async () => {
    const store = new MemoryStore({ maxEntries: 30 });
    const a = await start({ perIp: { limit: 20, windowMs: 15 * MINUTE }, perIdentifier: { limit: 5, windowMs: 15 * MINUTE } }, { store });
    const attacker = new TestBrowser();
    for (let i = 0; i < 5; i += 1) {
      expect(await post(attacker, a, { _csrf: await formToken(attacker, a), member_id: 'M-1001', last_name: `Guess${i}` }, '2001:db8:ff:ff::1')).toBe(303);
    }
    expect(await post(attacker, a, { _csrf: await formToken(attacker, a), member_id: 'M-1001', last_name: 'Guess5' }, '2001:db8:ff:ff::1')).toBe(429);

    // Each pair makes one new counter (the /64's exists already) and turns it into a repeat: with
    // the store full, making it drops the oldest repeat, which is the victim's lockout.
    for (let net = 0; net < 4; net += 1) {
      for (let id = 0; id < 10; id += 1) {
        for (let n = 0; n < 2; n += 1) {
          await post(attacker, a, { _csrf: await formToken(attacker, a), member_id: `X-${net}-${id}`, last_name: 'x' }, `2001:db8:${net}:1::${n + 1}`);
        }
      }
    }

    const before = calls();
    expect(await post(attacker, a, { _csrf: await formToken(attacker, a), member_id: 'M-1001', last_name: 'Lovelace' }, '2001:db8:ee:ee::1')).toBe(429);
    expect(calls()).toBe(before);
  });
});

/**
 * Review finding (low, the other direction): addresses that embed a whole IPv4 address in their
 * last 32 bits (the NAT64 / SIIT-DC well-known prefix 64:ff9b::/96, what an IPv6-only data centre
 * sees of IPv4 clients) are keyed by their /64, so every IPv4 client on the internet shares one
 * per-IP count: on a campaign day, site-wide 429s. They are IPv4 clients and should be keyed as
 * such, like ::ffff:a.b.c.d already is.
 */
describe('NAT64 / SIIT addresses are IPv4 clients', () => {
  test('64:ff9b::198.51.100.1 and 64:ff9b::203.0.113.7 are two clients', () => {
    expect(throttleKeyForAddress('64:ff9b::198.51.100.1')).not.toBe(throttleKeyForAddress('64:ff9b::203.0.113.7'));
  });
});
