/**
 * `prepare: true` on two host processes sharing one redis-server (sessions on connect-redis, the
 * bridge on RedisStore): a token prepared on A is taken by the click on B, and a click on B while
 * A's prepare is still in flight waits for it (A's pending mark in Redis) instead of minting.
 */
import { request } from 'undici';
import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { oneSiteBrowser as sharedJarBrowser, startInstance, type Instance } from './instances';

let redis: RedisServer;
let fake: FakeLuminate;
let a: Instance;
let b: Instance;

const tokenCalls = () => fake.requests.filter((r) => r.apiMethod === 'getSingleSignOnToken').length;

const oneSiteBrowser = () => sharedJarBrowser([a, b]);

async function loggedIn(email: string): Promise<TestBrowser> {
  const browser = oneSiteBrowser();
  expect((await browser.fetch('POST', `${a.url}/login`, { email })).status).toBe(303);
  return browser;
}

async function prepareOn(instance: Instance, browser: TestBrowser): Promise<number> {
  const url = new URL(`${instance.url}/luminate/sso/prepare`);
  const cookie = [...browser.cookies(url.host)].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await request(url, { method: 'POST', headers: { 'x-luminate-intent': '1', 'sec-fetch-site': 'same-origin', cookie } });
  await res.body.text();
  return res.statusCode;
}

async function preparedStats(instance: Instance): Promise<{ minted: number; used: number }> {
  const res = await request(`${instance.url}/test/stats`);
  return ((await res.body.json()) as { prepared: { minted: number; used: number } }).prepared;
}

const donation = () => `${fake.secureUrl}/site/Donation2?df_id=1234`;
const clickOn = (instance: Instance, browser: TestBrowser) =>
  browser.navigate(`${instance.url}/luminate/sso?next=${encodeURIComponent(donation())}`);

describeWithRedis('prepare: true on two host processes sharing one Redis', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
    fake = await createFakeLuminate();
    const settings = { redisUrl: redis.url, fake, throttle: { perVisitor: { limit: 20, windowMs: 60_000 }, perIp: false }, prepare: true };
    [a, b] = await Promise.all([startInstance(settings), startInstance(settings)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await fake?.close();
    await redis?.close();
  }, 20_000);
  beforeEach(() => fake.reset());

  it('prepare on A, click on B: B uses A\'s token, one token call', async () => {
    const browser = await loggedIn('grace@example.org');
    expect(await prepareOn(a, browser)).toBe(204);
    expect(tokenCalls()).toBe(1);
    const end = await clickOn(b, browser);
    expect(loggedInConsId(end.text)).toBe('0012345');
    expect(tokenCalls()).toBe(1);
    expect(await preparedStats(a)).toMatchObject({ minted: 1, used: 0 });
    expect(await preparedStats(b)).toMatchObject({ minted: 0, used: 1 });
  });

  it('a click on B while A\'s prepare is in flight waits for it: one token call', async () => {
    const browser = await loggedIn('grace@example.org');
    await prepareOn(a, browser); // the email is looked up and remembered in the session: only the token call is left
    await clickOn(a, browser);
    fake.reset();
    fake.faults = { latencyMs: 500, times: 1 };
    const preparing = prepareOn(a, browser);
    await new Promise((r) => setTimeout(r, 150));
    const end = await clickOn(b, browser);
    expect(loggedInConsId(end.text)).toBe('0012345');
    expect(await preparing).toBe(204);
    expect(tokenCalls()).toBe(1);
  });
});
