/**
 * Review findings on the login throttle (issue 18 §2, §3), new inputs of the same kinds:
 * - Per-IP key with a port: proxies such as Azure App Service / Application Gateway write the
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
import { request } from 'undici';
import { MemoryStore, type LuminateLoginOptions } from '../../src';
import { throttleKeyForAddress } from '../../src/http/client-key';
import { TestBrowser } from '../helpers/browser';
import { formToken, startLoginApp, type LoginApp } from '../login/helpers';
import { useFakeLuminate } from '../helpers/fake-luminate';

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

async function post(browser: TestBrowser, a: LoginApp, fields: Record<string, string>, forwardedFor: string) {
  const cookie = [...browser.cookies(new URL(a.url).host)].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await request(`${a.url}/luminate/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': forwardedFor },
    body: new URLSearchParams(fields).toString(),
  });
  await res.body.text();
  return res.statusCode;
}

describe('review: a client address with a port (Azure-style X-Forwarded-For) is still one client', () => {
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

describe('review: a lockout in a bounded MemoryStore against counted (not refused) attempts', () => {
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
describe('review: NAT64 / SIIT addresses are IPv4 clients', () => {
  test('64:ff9b::198.51.100.1 and 64:ff9b::203.0.113.7 are two clients', () => {
    expect(throttleKeyForAddress('64:ff9b::198.51.100.1')).not.toBe(throttleKeyForAddress('64:ff9b::203.0.113.7'));
  });
});
