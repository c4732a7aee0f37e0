import request from 'supertest';
import { luminateSso } from '../../src';
import { MemoryStore, type BridgeStore } from '../../src/store/store';
import type { FakeLuminate } from '../../src/testing';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { bridgeOptionsFor, startHostApp, type HostApp } from '../helpers/host-app';

const tokenCalls = (fake: FakeLuminate) => fake.requests.filter((r) => r.apiMethod === 'getSingleSignOnToken').length;

/** A supertest agent logged in on the host as `consId`, its requests coming from `ip`. */
async function visitor(app: HostApp, consId: string, ip = '203.0.113.7') {
  const agent = request.agent(app.url);
  await agent.post('/login').type('form').send({ consId }).expect(303);
  return { sso: (query = '') => agent.get(`/luminate/sso${query}`).set('X-Forwarded-For', ip) };
}

describe('token minting is throttled per visitor and per client IP', () => {
  const fake = useFakeLuminate();
  let app: HostApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const destination = () => `${fake.secureUrl}/site/Donation2?df_id=1`;

  it('per visitor: over the limit the visitor gets 429 + Retry-After and a link on as a guest; Luminate is not called', async () => {
    app = await startHostApp(fake, { throttle: { perVisitor: { limit: 3, windowMs: 60_000 }, perIp: false } });
    const donor = await visitor(app, '1001641');
    for (let i = 0; i < 3; i += 1) expect((await donor.sso()).status).toBe(200);
    const refused = await donor.sso();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(120);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(refused.headers['content-security-policy']).toBeDefined();
    expect(refused.text).toContain(`<a href="${destination()}">Continue without signing in</a>`);
    expect(tokenCalls(fake)).toBe(3);
    expect(app.errors.map((e) => [e.code, e.status])).toEqual([['SSO_THROTTLED', 429]]);
    expect(app.errors[0]!.retryAfterSeconds).toBe(Number(refused.headers['retry-after']));

    // Another visitor from the same address is not affected.
    const other = await visitor(app, '0012345');
    expect((await other.sso()).status).toBe(200);
    expect(tokenCalls(fake)).toBe(4);
  });

  it('per visitor means per constituent: a new session does not reset the count', async () => {
    app = await startHostApp(fake, { throttle: { perVisitor: { limit: 2, windowMs: 60_000 }, perIp: false } });
    for (let i = 0; i < 2; i += 1) expect((await (await visitor(app, '1001641', `198.51.100.${i}`)).sso()).status).toBe(200);
    expect((await (await visitor(app, '1001641', '198.51.100.9')).sso()).status).toBe(429);
  });

  it('per client IP: many visitors from one address are limited together; other addresses are not', async () => {
    app = await startHostApp(fake, { throttle: { perVisitor: false, perIp: { limit: 2, windowMs: 60_000 } } });
    expect((await (await visitor(app, '1001641', '192.0.2.1')).sso()).status).toBe(200);
    expect((await (await visitor(app, '0012345', '192.0.2.1')).sso()).status).toBe(200);
    expect((await (await visitor(app, '1002001', '192.0.2.1')).sso()).status).toBe(429);
    expect((await (await visitor(app, '1002001', '192.0.2.2')).sso()).status).toBe(200);
    expect(tokenCalls(fake)).toBe(3);
  });

  it('per client IP, IPv6 clients are counted by /64 and IPv4-mapped addresses as IPv4', async () => {
    app = await startHostApp(fake, { throttle: { perVisitor: false, perIp: { limit: 2, windowMs: 60_000 } } });
    expect((await (await visitor(app, '1001641', '2001:db8:5:6::1')).sso()).status).toBe(200);
    expect((await (await visitor(app, '0012345', '2001:db8:5:6:a:b:c:d')).sso()).status).toBe(200);
    expect((await (await visitor(app, '1002001', '2001:db8:5:6:ffff::9')).sso()).status).toBe(429);
    expect((await (await visitor(app, '1002001', '2001:db8:5:7::1')).sso()).status).toBe(200);
    expect((await (await visitor(app, '1001641', '192.0.2.9')).sso()).status).toBe(200);
    expect((await (await visitor(app, '0012345', '::ffff:192.0.2.9')).sso()).status).toBe(200);
    expect((await (await visitor(app, '1002001', '::ffff:192.0.2.9')).sso()).status).toBe(429);
    expect(tokenCalls(fake)).toBe(5);
  });

  it('a refused click stores nothing: a flood from ever new addresses adds no counters to the store', async () => {
    const store = new MemoryStore();
    app = await startHostApp(fake, { store, throttle: { perVisitor: { limit: 1, windowMs: 60_000 }, perIp: { limit: 60, windowMs: 60_000 } } });
    expect((await (await visitor(app, '1001641', '198.51.100.1')).sso()).status).toBe(200);
    const held = store.size;
    const donor = await visitor(app, '1001641', '198.51.100.1');
    for (let i = 2; i < 40; i += 1) {
      const res = await donor.sso().set('X-Forwarded-For', `198.51.100.${i}`);
      expect(res.status).toBe(429);
    }
    expect(store.size).toBe(held);
    expect(tokenCalls(fake)).toBe(1);
  });

  it("onFailure 'error': the host's error handler gets SSO_THROTTLED with status 429, and Retry-After is set", async () => {
    app = await startHostApp(fake, { onFailure: 'error', throttle: { perVisitor: { limit: 1, windowMs: 60_000 } } });
    const donor = await visitor(app, '1001641');
    expect((await donor.sso()).status).toBe(200);
    const refused = await donor.sso();
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toEqual({ code: 'SSO_THROTTLED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('the limit expires: after Retry-After the visitor is handed over again', async () => {
    app = await startHostApp(fake, { throttle: { perVisitor: { limit: 1, windowMs: 1000 }, perIp: false } });
    const donor = await visitor(app, '1001641');
    expect((await donor.sso()).status).toBe(200);
    const refused = await donor.sso();
    expect(refused.status).toBe(429);
    const waitS = Number(refused.headers['retry-after']);
    expect(waitS).toBeGreaterThanOrEqual(1);
    expect(waitS).toBeLessThanOrEqual(3);
    // The wait is what Retry-After said for the last refusal (a refusal counts nothing more).
    await new Promise((r) => setTimeout(r, waitS * 1000 + 50));
    expect((await donor.sso()).status).toBe(200);
  });

  it('anonymous visitors mint nothing and are not counted', async () => {
    app = await startHostApp(fake, { loginUrl: undefined, throttle: { perVisitor: false, perIp: { limit: 1, windowMs: 60_000 } } });
    for (let i = 0; i < 3; i += 1) {
      const res = await request(app.url).get('/luminate/sso').set('X-Forwarded-For', '192.0.2.50');
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(destination());
    }
    expect((await (await visitor(app, '1001641', '192.0.2.50')).sso()).status).toBe(200);
  });

  it('a failing store is not a pass: no token is minted, the visitor continues as a guest (SSO_STORE_UNAVAILABLE)', async () => {
    const down = async (): Promise<never> => {
      throw new Error('store down');
    };
    const store: BridgeStore = { setIfAbsent: down, increment: down, count: down, delete: down };
    app = await startHostApp(fake, { store });
    const res = await (await visitor(app, '1001641')).sso();
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(destination());
    expect(tokenCalls(fake)).toBe(0);
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_STORE_UNAVAILABLE']);
  });

  it('a store that never answers is bounded by the deadline (LUMINATE_TIMEOUT, guest)', async () => {
    const hang = () => new Promise<never>(() => undefined);
    const store: BridgeStore = { setIfAbsent: hang, increment: hang, count: hang, delete: hang };
    app = await startHostApp(fake, { store, luminate: { timeoutMs: 300 } });
    const res = await (await visitor(app, '1001641')).sso();
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(destination());
    expect(app.errors.map((e) => e.code)).toEqual(['LUMINATE_TIMEOUT']);
    expect(tokenCalls(fake)).toBe(0);
  });

  it('throttle: false mints for every click', async () => {
    app = await startHostApp(fake, { throttle: false });
    const donor = await visitor(app, '1001641');
    for (let i = 0; i < 15; i += 1) expect((await donor.sso()).status).toBe(200);
    expect(tokenCalls(fake)).toBe(15);
  });

  it('the default allows 10 a minute per visitor', async () => {
    app = await startHostApp(fake, { store: new MemoryStore() });
    const donor = await visitor(app, '1001641');
    for (let i = 0; i < 10; i += 1) expect((await donor.sso()).status).toBe(200);
    expect((await donor.sso()).status).toBe(429);
  });

  it.each([
    ['a number', 5, /luminateSso\(\): throttle must be \{ perVisitor, perIp \} or false/],
    ['an unknown key', { perSession: { limit: 1, windowMs: 1000 } }, /unknown option "throttle\.perSession"/],
    ['a bad limit', { perIp: { limit: -1, windowMs: 60_000 } }, /luminateSso\(\): throttle.perIp.limit must be a whole number/],
    ['a bad window', { perVisitor: { limit: 5, windowMs: 'minute' } }, /luminateSso\(\): throttle.perVisitor.windowMs must be/],
  ])('option throttle with %s is refused at startup', (_t, throttle, message) => {
    expect(() => luminateSso(bridgeOptionsFor(fake, { throttle: throttle as never }))).toThrow(message);
  });
});
