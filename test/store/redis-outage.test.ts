/**
 * The bridge on a RedisStore whose Redis is stopped: every use of the store fails closed through
 * the failure policy (never a crash, a hang, or a check passed unchecked). The host's sessions
 * stay in memory here, so the bridge's own outcome is what the visitor gets.
 */
import { createClient, type RedisClientType } from 'redis';
import { RedisStore, type LuminateSsoOptions } from '../../src';
import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { TestBrowser, parseAutoPostForm } from '../helpers/browser';
import { startHostApp, type HostApp } from '../helpers/host-app';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';

describeWithRedis('the bridge when its Redis is down', () => {
  let redis: RedisServer;
  let client: RedisClientType;
  let fake: FakeLuminate;
  const apps: HostApp[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    fake = await createFakeLuminate();
    // node-redis defaults (offline queue on, reconnecting): the store's own deadline must bound each call.
    client = createClient({ url: redis.url, socket: { reconnectStrategy: () => 100 } });
    client.on('error', () => undefined);
    await client.connect();
  }, 20_000);
  afterAll(async () => {
    for (const app of apps.splice(0)) await app.close();
    client?.destroy();
    await fake?.close();
    await redis?.close();
  });

  async function host(over: Partial<LuminateSsoOptions>): Promise<HostApp> {
    const app = await startHostApp(fake, { store: new RedisStore({ client, prefix: 'outage:', commandTimeoutMs: 300 }), ...over });
    apps.push(app);
    return app;
  }

  async function loggedIn(app: HostApp, field: 'consId' | 'email', value: string): Promise<TestBrowser> {
    const browser = new TestBrowser();
    await browser.fetch('POST', `${app.url}/login`, { [field]: value });
    return browser;
  }

  const destination = () => `${fake.secureUrl}/site/Donation2?df_id=1`;

  it('clicks, callbacks and email lookups each get the failure policy; back to normal with Redis', async () => {
    const guarded = await host({}); // default throttle: counts in the store
    const byEmail = await host({ throttle: false, constituent: (req) => (req.session.user?.email ? { email: req.session.user.email } : null) });
    const strict = await host({ onFailure: 'error' });
    const unthrottled = await host({ throttle: false }); // consId visitors: no store use on a click

    // A signed callback, fetched while Redis is up, replayed once it is down.
    const visitor = await loggedIn(guarded, 'consId', '1001641');
    const page = await visitor.fetch('GET', `${guarded.url}/luminate/sso`);
    const form = parseAutoPostForm(page.text, guarded.url)!;
    const refused = await visitor.fetch('POST', form.action, form.fields.map(([k, v]) => [k, k === 'sso_auth_token' ? 'bogus' : v] as [string, string]));
    const callbackUrl = refused.location!;

    await redis.stop();
    const click = await visitor.fetch('GET', `${guarded.url}/luminate/sso`);
    expect(click.status).toBe(302); // on as a guest: the throttle could not count this click
    expect(click.location).toBe(destination());
    const callback = await new TestBrowser().fetch('GET', callbackUrl);
    expect(callback.status).toBe(302);
    expect(callback.location).toBe(destination());
    expect(guarded.errors.map((e) => [e.code, e.status])).toEqual([['SSO_STORE_UNAVAILABLE', 503], ['SSO_STORE_UNAVAILABLE', 503]]);

    const lookup = await (await loggedIn(byEmail, 'email', 'new.person@example.org')).fetch('GET', `${byEmail.url}/luminate/sso`);
    expect(lookup.status).toBe(302); // the provisioning lock could not be taken: nothing created
    expect(byEmail.errors.map((e) => e.code)).toEqual(['SSO_STORE_UNAVAILABLE']);
    expect(fake.requests.filter((r) => r.apiMethod === 'create')).toHaveLength(0);

    const underError = await (await loggedIn(strict, 'consId', '1001641')).fetch('GET', `${strict.url}/luminate/sso`);
    expect(underError.status).toBe(503);
    expect(JSON.parse(underError.text)).toEqual({ code: 'SSO_STORE_UNAVAILABLE' });

    const noStoreNeeded = await (await loggedIn(unthrottled, 'consId', '1001641')).fetch('GET', `${unthrottled.url}/luminate/sso`);
    expect(noStoreNeeded.status).toBe(200); // the handoff page: nothing to check in the store
    expect(unthrottled.errors).toEqual([]);

    await redis.start();
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i += 1) {
      status = (await visitor.fetch('GET', `${guarded.url}/luminate/sso`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200); // the handoff page again
  }, 30_000);
});
