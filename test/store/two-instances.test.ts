/**
 * Two host-site processes on different ports sharing one redis-server (sessions on connect-redis,
 * the bridge on RedisStore) and one stand-in Luminate: what a load balancer in front of several
 * instances needs to hold.
 */
import { request } from 'undici';
import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { TestBrowser, loggedInConsId, parseAutoPostForm } from '../helpers/browser';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { eventually } from './contract';
import { oneSiteBrowser as sharedJarBrowser, startInstance, type Instance } from './instances';

const PER_VISITOR = 10;

let redis: RedisServer;
let fake: FakeLuminate;
let a: Instance;
let b: Instance;

const oneSiteBrowser = () => sharedJarBrowser([a, b]);

async function loggedIn(email: string, on: Instance = a): Promise<TestBrowser> {
  const browser = oneSiteBrowser();
  const res = await browser.fetch('POST', `${on.url}/login`, { email });
  expect(res.status).toBe(303);
  return browser;
}

async function errorsOf(instance: Instance): Promise<string[]> {
  const res = await request(`${instance.url}/test/errors`);
  return (await res.body.json()) as string[];
}

const donationPage = (df: number) => `${fake.secureUrl}/site/Donation2?df_id=${df}`;
const startUrl = (instance: Instance, df: number) => `${instance.url}/luminate/sso?next=${encodeURIComponent(donationPage(df))}`;

/** A signed error callback from the stand-in (the token is refused), as a path + query. */
async function signedCallbackPath(df: number): Promise<string> {
  // One visitor per callback: the per-visitor throttle counts every click.
  const browser = await loggedIn(`callback.${df}@example.org`);
  const page = await browser.fetch('GET', startUrl(a, df));
  const form = parseAutoPostForm(page.text, a.url)!;
  const refused = await browser.fetch('POST', form.action, form.fields.map(([k, v]) => [k, k === 'sso_auth_token' ? 'bogus' : v] as [string, string]));
  expect(refused.location).toMatch(/\/luminate\/sso\/callback\?.*&signature=/);
  const url = new URL(refused.location!);
  return `${url.pathname}${url.search}`;
}

describeWithRedis('two host processes sharing one Redis', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
    fake = await createFakeLuminate();
    const settings = { redisUrl: redis.url, fake, throttle: { perVisitor: { limit: PER_VISITOR, windowMs: 60_000 }, perIp: false }, provisionDelayMs: 150 };
    [a, b] = await Promise.all([startInstance(settings), startInstance(settings)]);
    expect(a.url).not.toBe(b.url);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await fake?.close();
    await redis?.close();
  }, 20_000);
  afterEach(async () => {
    for (const instance of [a, b]) await errorsOf(instance).catch(() => undefined);
  });

  it('a session made on A is the same session on B (express-session on connect-redis)', async () => {
    const browser = await loggedIn('grace@example.org', a);
    const end = await browser.navigate(startUrl(b, 1234));
    expect(end.url.startsWith(`${donationPage(1234)}&`)).toBe(true);
    expect(loggedInConsId(end.text)).toBe('0012345');
  });

  it('a signed callback accepted on A is refused on B, and the other way round', async () => {
    const first = await signedCallbackPath(501);
    expect((await new TestBrowser().fetch('GET', `${a.url}${first}`)).location).toBe(donationPage(501));
    const replayOnB = await new TestBrowser().fetch('GET', `${b.url}${first}`);
    expect(replayOnB.status).toBe(400);
    expect(replayOnB.location).toBeUndefined();

    const second = await signedCallbackPath(502);
    expect((await new TestBrowser().fetch('GET', `${b.url}${second}`)).status).toBe(302);
    expect((await new TestBrowser().fetch('GET', `${a.url}${second}`)).status).toBe(400);

    expect(await errorsOf(a)).toEqual(['SSO_CALLBACK_ERROR', 'SSO_CALLBACK_REPLAYED']);
    expect(await errorsOf(b)).toEqual(['SSO_CALLBACK_REPLAYED', 'SSO_CALLBACK_ERROR']);
  }, 20_000);

  it('one callback sent to A and B at once is followed exactly once', async () => {
    const path = await signedCallbackPath(503);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => new TestBrowser().fetch('GET', `${(i % 2 ? b : a).url}${path}`)),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([302, ...Array(9).fill(400)]);
  }, 20_000);

  it('concurrent first clicks on A and B for one new email create one constituent', async () => {
    const email = 'first.click@example.org';
    const browsers = await Promise.all(Array.from({ length: 8 }, () => loggedIn(email)));
    const ends = await Promise.all(browsers.map((browser, i) => browser.navigate(startUrl(i % 2 ? b : a, 1234))));
    const creates = fake.requests.filter((r) => r.apiMethod === 'create' && r.body.primary_email === email);
    const records = fake.constituents.filter((c) => c.email === email);
    expect(creates).toHaveLength(1);
    expect(records).toHaveLength(1);
    expect(ends.map((e) => loggedInConsId(e.text))).toEqual(Array(8).fill(records[0]!.consId));
  }, 30_000);

  it('throttling counts across both: the per-visitor limit holds for the sum of A and B', async () => {
    const browser = await loggedIn('ada@example.org');
    const statuses: number[] = [];
    for (let i = 0; i < 2 * PER_VISITOR; i += 1) {
      const res = await browser.fetch('GET', startUrl(i % 2 ? b : a, 1234));
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(statuses).toEqual([...Array(PER_VISITOR).fill(200), ...Array(PER_VISITOR).fill(429)]);
  }, 20_000);

  // Last: it stops Redis.
  it('Redis stopped mid-run: no crash; callbacks fail closed through the failure policy; back when Redis is', async () => {
    const path = await signedCallbackPath(504);
    const browser = await loggedIn('grace@example.org');
    await redis.stop();

    // The replay guard cannot answer: the callback is not followed (its next is 504), the
    // visitor goes to the default destination as a guest (onFailure 'continue').
    const callback = await new TestBrowser().fetch('GET', `${b.url}${path}`);
    expect(callback.status).toBe(302);
    expect(callback.location).toBe(donationPage(1));
    expect(await errorsOf(b)).toEqual(['SSO_STORE_UNAVAILABLE']);
    // A visitor with a session: the host's session store is down first; its error handler answers.
    const click = await browser.fetch('GET', startUrl(a, 1234));
    expect(click.status).toBe(500);
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();

    await redis.start();
    await eventually(async () => (await new TestBrowser().fetch('POST', `${a.url}/login`, { email: 'x@example.org' })).status === 303, 10_000);
    await eventually(async () => (await new TestBrowser().fetch('POST', `${b.url}/login`, { email: 'x@example.org' })).status === 303, 10_000);
    const again = await (await loggedIn('grace@example.org')).navigate(startUrl(b, 1234));
    expect(loggedInConsId(again.text)).toBe('0012345');
  }, 40_000);
});
