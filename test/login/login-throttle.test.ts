/** Failed logins are throttled per client IP and per identifier; the limit expires; a broken store fails closed. */
import type { BridgeStore, LuminateLoginOptions } from '../../src';
import { MemoryStore } from '../../src';
import { TestBrowser } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { formToken, postLogin, startLoginApp, whoami, type LoginApp } from './helpers';

const fake = useFakeLuminate();
let app: LoginApp | undefined;
let clock: number;
const now = () => clock;

beforeEach(() => {
  clock = Date.now();
});
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const MINUTE = 60_000;
const calls = () => fake.requests.filter((r) => r.apiMethod === 'authenticateUser').length;

async function attempt(browser: TestBrowser, a: LoginApp, member_id: string, last_name: string) {
  return browser.fetch('POST', `${a.url}/luminate/login`, { _csrf: await formToken(browser, a), member_id, last_name });
}

async function start(throttle: LuminateLoginOptions['throttle'], over: Partial<LuminateLoginOptions> = {}) {
  app = await startLoginApp(fake, { throttle, ...over }, { now, ...(over.store ? { sso: { store: over.store } } : {}) });
  return app;
}

describe('per identifier', () => {
  it('after the limit, the next attempt is a 429 with Retry-After and Luminate is not asked; it expires', async () => {
    const a = await start({ perIp: false, perIdentifier: { limit: 3, windowMs: MINUTE } });
    const browser = new TestBrowser();
    for (const name of ['Byron', 'King', 'Noel']) {
      expect((await attempt(browser, a, 'M-1001', name)).location).toMatch(/error=credentials$/);
    }
    // `m-1001 ` is the same identifier, however it is typed.
    const refused = await attempt(browser, a, ' m-1001', 'Lovelace');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(120);
    expect(refused.text).toContain('Too many attempts');
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(calls()).toBe(3);
    expect(a.errors.at(-1)).toMatchObject({ code: 'LOGIN_THROTTLED', status: 429 });
    expect(a.errors.at(-1)!.retryAfterSeconds).toBe(Number(refused.headers['retry-after']));

    // Another member number is not affected.
    expect((await attempt(browser, a, 'M-0042', 'Hopper')).status).toBe(303);

    // Two windows later every failure has slid out.
    clock += 2 * MINUTE + 1;
    await postLogin(browser, a, { member_id: 'M-1001', last_name: 'Lovelace' });
    expect(await whoami(browser, a)).toBe('1001641');
  });

  it('a successful login clears the identifier’s failures', async () => {
    const a = await start({ perIp: false, perIdentifier: { limit: 2, windowMs: MINUTE } });
    const browser = new TestBrowser();
    await attempt(browser, a, 'M-1001', 'Byron');
    await postLogin(browser, a, { member_id: 'M-1001', last_name: 'Lovelace' });
    await attempt(browser, a, 'M-1001', 'Byron');
    expect((await attempt(browser, a, 'M-1001', 'King')).status).toBe(303);
    expect((await attempt(browser, a, 'M-1001', 'Noel')).status).toBe(429);
  });
});

describe('per client IP', () => {
  it('many membership numbers from one address hit the per-IP limit', async () => {
    const a = await start({ perIp: { limit: 3, windowMs: MINUTE }, perIdentifier: false });
    const browser = new TestBrowser();
    for (const id of ['M-1', 'M-2', 'M-3']) expect((await attempt(browser, a, id, 'Smith')).status).toBe(303);
    const refused = await attempt(browser, a, 'M-4', 'Smith');
    expect(refused.status).toBe(429);
    expect(calls()).toBe(3);
    // Logging in with a valid account does not reset the address's counter.
    expect((await attempt(browser, a, 'M-1001', 'Lovelace')).status).toBe(429);
    clock += 2 * MINUTE + 1;
    expect((await attempt(browser, a, 'M-5', 'Smith')).status).toBe(303);
  });

  it('wrong credentials are counted, refused forms are not', async () => {
    const a = await start({ perIp: { limit: 1, windowMs: MINUTE }, perIdentifier: false });
    const browser = new TestBrowser();
    // No token, an unknown field, an empty field: none of them reaches Luminate, none is counted.
    await browser.fetch('POST', `${a.url}/luminate/login`, { member_id: 'M-1', last_name: 'x' });
    await browser.fetch('POST', `${a.url}/luminate/login`, { _csrf: await formToken(browser, a), member_id: 'M-1', last_name: 'x', zip: '1' });
    await browser.fetch('POST', `${a.url}/luminate/login`, { _csrf: await formToken(browser, a), member_id: 'M-1', last_name: '' });
    expect((await attempt(browser, a, 'M-1', 'Smith')).status).toBe(303);
    expect((await attempt(browser, a, 'M-2', 'Smith')).status).toBe(429);
  });
});

describe('the store', () => {
  function failing(): BridgeStore {
    const down = async () => {
      throw new Error('store down');
    };
    return { setIfAbsent: down, increment: down, count: down, delete: down };
  }

  it('a store that cannot answer fails closed: no login attempt, a typed error, back to the form', async () => {
    const a = await start(undefined, { store: failing() });
    const browser = new TestBrowser();
    const res = await attempt(browser, a, 'M-1001', 'Lovelace');
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${a.url}/member-login?error=unavailable`);
    expect(calls()).toBe(0);
    expect(await whoami(browser, a)).toBeNull();
    expect(a.errors.map((e) => e.code)).toEqual(['SSO_STORE_UNAVAILABLE']);
  });

  it("a store shared with luminateSso's works for both (counters live under their own keys)", async () => {
    const store = new MemoryStore({ now });
    const a = await start({ perIp: false, perIdentifier: { limit: 1, windowMs: MINUTE } }, { store });
    const browser = new TestBrowser();
    await attempt(browser, a, 'M-1001', 'Byron');
    expect(store.size).toBeGreaterThan(0);
    expect((await attempt(browser, a, 'M-1001', 'Lovelace')).status).toBe(429);
    // luminateSso's own counters and replay guard use the same store without clashing.
    await postLogin(browser, a, { member_id: 'M-0042', last_name: 'Hopper' });
    const handed = await browser.navigate(`${a.url}/luminate/sso?next=${encodeURIComponent(`${fake.secureUrl}/site/Donation2?df_id=3`)}`);
    expect(handed.text).toContain('data-cons-id="0012345"');
  });

  it('throttle: false turns both limits off', async () => {
    const a = await start(false);
    const browser = new TestBrowser();
    for (let i = 0; i < 25; i += 1) expect((await attempt(browser, a, 'M-1001', `Wrong${i}`)).status).toBe(303);
  });
});
