/**
 * The example site with REDIS_URL: sessions on connect-redis and the bridge on RedisStore, so a
 * login on one instance is a login on the other. Uses the built package, as the example does.
 */
import { createClient, type RedisClientType } from 'redis';
import { request } from 'undici';
import type { RunningExampleApp } from '../../example-app/app';
import { ensureDistBuilt } from '../e2e/build-dist';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';

type ExampleModule = typeof import('../../example-app/app');

async function send(url: string, init: { method?: 'GET' | 'POST'; cookie?: string; form?: Record<string, string> } = {}) {
  const headers: Record<string, string> = {};
  if (init.cookie) headers.cookie = init.cookie;
  if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await request(url, { method: init.method ?? 'GET', headers, body: init.form ? new URLSearchParams(init.form).toString() : undefined });
  const text = await res.body.text();
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return { status: res.statusCode, headers: res.headers, text, cookie: setCookie[0]?.split(';')[0] };
}

describeWithRedis('example app with REDIS_URL', () => {
  let example: ExampleModule;
  let redis: RedisServer;
  let client: RedisClientType;
  const apps: RunningExampleApp[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    ensureDistBuilt();
    example = await import('../../example-app/app');
    redis = await startRedisServer();
    client = createClient({ url: redis.url });
    await client.connect();
  }, 180_000);
  afterAll(async () => {
    for (const app of apps.splice(0)) await app.close();
    client?.destroy();
    await redis?.close();
  });

  async function start(env: Record<string, string> = {}): Promise<RunningExampleApp> {
    const app = await example.startExampleApp({
      port: 0,
      fakePort: 0,
      env: { SESSION_SECRET: 'shared-secret', REDIS_URL: redis.url, ...env },
      log: { warn: (m) => warnings.push(m) },
    });
    apps.push(app);
    return app;
  }

  it('a login on one instance is a login on the other; the bridge keeps its state in Redis', async () => {
    const [one, two] = [await start(), await start()];
    expect(one.sharedState).toBe('redis');
    const form = await send(`${one.appUrl}/login`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const login = await send(`${one.appUrl}/login`, { method: 'POST', cookie: form.cookie!, form: { username: 'ada', password: 'donate-ada', _csrf: csrf } });
    expect(login.status).toBe(303);
    const home = await send(`${two.appUrl}/`, { cookie: login.cookie! });
    expect(home.text).toContain('Welcome back, Ada Lovelace');

    const click = await send(`${two.appUrl}/luminate/sso`, { cookie: login.cookie! });
    expect(click.status).toBe(200); // the handoff page
    const keys = await client.keys('example:*');
    expect(keys.some((k) => k.startsWith('example:sess:'))).toBe(true);
    expect(keys.some((k) => k.startsWith('example:sso:throttle:'))).toBe(true);
  }, 30_000);

  it('REDIS_URL that is not a redis URL, or a Redis that does not answer: a clear start-up error, no password echoed', async () => {
    await expect(start({ REDIS_URL: 'http://user:hunter2@127.0.0.1:1' })).rejects.toThrow('REDIS_URL must be a redis:// or rediss:// URL.');
    const closedPort = redis.port === 1 ? 2 : 1; // nothing listens on port 1 (or 2)
    const failed = start({ REDIS_URL: `redis://:hunter2@127.0.0.1:${closedPort}` });
    await expect(failed).rejects.toThrow(/could not connect to Redis \(REDIS_URL\) within 5 s/);
    expect(String(await failed.catch((e: Error) => e.message))).not.toContain('hunter2');
    expect(warnings.join('\n')).not.toContain('hunter2');
  }, 30_000);
});
