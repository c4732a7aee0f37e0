/**
 * RedisStore against a real redis-server (started here on a free loopback port): the contract
 * suite, key layout, odd replies, and what each method does when Redis goes away.
 */
import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { RedisStore } from '../../src';
import { isLuminateError } from '../../src/errors';
import { SlidingWindowThrottle } from '../../src/store/sliding-window';
import { StoreSingleFlight } from '../../src/store/single-flight';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { eventually, storeContract } from './contract';

let redis: RedisServer;
const clients: RedisClientType[] = [];

async function connect(url = redis.url): Promise<RedisClientType> {
  // Fast reconnects and a bounded connect: outage tests must not wait on back-off.
  const client: RedisClientType = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: () => 50 } });
  client.on('error', () => undefined); // reported per command by the store; not an 'error' crash
  clients.push(client);
  await client.connect();
  return client;
}

async function closeClients(): Promise<void> {
  for (const c of clients.splice(0)) if (c.isOpen) c.destroy();
}

const prefix = () => `test:${randomBytes(6).toString('hex')}:`;

/** Rejects with SSO_STORE_UNAVAILABLE (checked), resolving to the error's message. */
async function storeError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => { throw new Error('expected a rejection'); },
    (e: unknown) => e,
  );
  expect(isLuminateError(err)).toBe(true);
  expect(err).toMatchObject({ code: 'SSO_STORE_UNAVAILABLE', status: 503 });
  return (err as Error).message;
}

describeWithRedis('RedisStore', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
  }, 20_000);
  afterAll(async () => {
    await closeClients();
    await redis?.close();
  });

  storeContract('RedisStore (two connections, one prefix)', async () => {
    const [a, b] = [await connect(), await connect()];
    const p = prefix();
    return {
      store: new RedisStore({ client: a, prefix: p }),
      peer: new RedisStore({ client: b, prefix: p }),
      isolated: new RedisStore({ client: a, prefix: prefix() }),
      close: async () => {
        a.destroy();
        b.destroy();
      },
    };
  });

  describe('keys, replies and options', () => {
    let client: RedisClientType;
    beforeAll(async () => {
      client = await connect();
    });

    it('every key carries the prefix (default "luminate-sso:"), with the TTL asked for', async () => {
      await client.flushAll();
      const store = new RedisStore({ client });
      await store.setIfAbsent('callback:abc', 30_000);
      await store.increment('throttle:x:1', 60_000);
      expect((await client.keys('*')).sort()).toEqual(['luminate-sso:callback:abc', 'luminate-sso:throttle:x:1']);
      const ttl = await client.pTTL('luminate-sso:callback:abc');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30_000);
      expect(await client.get('luminate-sso:throttle:x:1')).toBe('1');
    });

    it('throttle ids and provisioning locks reach Redis hashed: no IP or email in any key', async () => {
      await client.flushAll();
      const store = new RedisStore({ client, prefix: 'site1:' });
      await new SlidingWindowThrottle(store, 'perIp', { limit: 5, windowMs: 60_000 }).hit('198.51.100.23');
      let keysDuringTask: string[] = [];
      await new StoreSingleFlight(store, { lockTtlMs: 10_000, waitMs: 1000 }).run('ada.lovelace@example.org', async () => {
        keysDuringTask = await client.keys('*');
      });
      expect(keysDuringTask.some((k) => /^site1:flight:[\w-]{22}$/.test(k))).toBe(true);
      const keys = [...keysDuringTask, ...(await client.keys('*'))];
      expect(keys.join(' ')).not.toMatch(/198\.51|ada|example\.org/);
      expect(await client.keys('site1:flight:*')).toEqual([]); // released
    });

    it('an increment after the script cache was flushed sends the script again', async () => {
      const store = new RedisStore({ client, prefix: prefix() });
      expect((await store.increment('n', 60_000)).count).toBe(1);
      await client.scriptFlush();
      expect((await store.increment('n', 60_000)).count).toBe(2);
    });

    it('a key that is not a counter is an unexpected reply: SSO_STORE_UNAVAILABLE, not a number', async () => {
      const p = prefix();
      const store = new RedisStore({ client, prefix: p });
      await client.set(`${p}text`, 'not-a-number');
      await client.lPush(`${p}list`, 'x');
      expect(await storeError(store.count('text'))).toMatch(/unexpected reply to GET/);
      expect(await storeError(store.count('list'))).toMatch(/WRONGTYPE/);
      expect(await storeError(store.increment('text', 1000))).toMatch(/Redis replied ERR/);
      expect(await store.setIfAbsent('list', 1000)).toBe(false); // taken, whatever its type
    });

    it('put keeps the value with its TTL under the prefix; take of a key that is not a value is SSO_STORE_UNAVAILABLE', async () => {
      const p = prefix();
      const store = new RedisStore({ client, prefix: p });
      await store.put('prepared:k', '{"v":1}', 20_000);
      expect(await client.get(`${p}prepared:k`)).toBe('{"v":1}');
      const ttl = await client.pTTL(`${p}prepared:k`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(20_000);
      expect(await store.take('prepared:k')).toBe('{"v":1}');
      expect(await client.exists(`${p}prepared:k`)).toBe(0);
      await client.lPush(`${p}list`, 'x');
      expect(await storeError(store.take('list'))).toMatch(/WRONGTYPE/);
      await expect(store.put('k', 'v', 0)).rejects.toMatchObject({ code: 'LUMINATE_INVALID_ARGUMENT' });
      await expect(store.put('k', 5 as never, 1000)).rejects.toMatchObject({ code: 'LUMINATE_INVALID_ARGUMENT' });
    });

    it('a client that was never connected: SSO_STORE_UNAVAILABLE telling to connect', async () => {
      const idle = createClient({ url: redis.url });
      const store = new RedisStore({ client: idle });
      expect(await storeError(store.setIfAbsent('k', 1000))).toMatch(/not connected \(call `await client.connect\(\)` first\)/);
    });

    it('bad options are TypeErrors naming the option; bad arguments are typed errors', async () => {
      expect(() => new RedisStore(undefined as never)).toThrow(TypeError);
      expect(() => new RedisStore({} as never)).toThrow('client must be a node-redis client');
      expect(() => new RedisStore({ client, prefix: 'a b' })).toThrow('prefix must be');
      expect(() => new RedisStore({ client, commandTimeoutMs: 0 })).toThrow('commandTimeoutMs must be');
      expect(() => new RedisStore({ client, ttl: 5 } as never)).toThrow('unknown option "ttl"');
      const store = new RedisStore({ client, prefix: prefix() });
      await expect(store.setIfAbsent('k', 0)).rejects.toMatchObject({ code: 'LUMINATE_INVALID_ARGUMENT' });
      await expect(store.increment('k', Number.NaN)).rejects.toMatchObject({ code: 'LUMINATE_INVALID_ARGUMENT' });
      await expect(store.count('')).rejects.toMatchObject({ code: 'LUMINATE_INVALID_ARGUMENT' });
      // Fractions of a millisecond round up, never to 0 (which Redis refuses).
      expect(await store.setIfAbsent('fraction', 0.4)).toBe(true);
    });
  });

  describe('when Redis goes away', () => {
    // Its own server: stopping it must not disturb the other tests.
    let own: RedisServer;
    beforeAll(async () => {
      own = await startRedisServer();
    }, 20_000);
    afterAll(async () => {
      await own?.close();
    });

    it('stopped: every method rejects with SSO_STORE_UNAVAILABLE (none hangs); restarted: it answers again', async () => {
      const store = new RedisStore({ client: await connect(own.url), prefix: prefix(), commandTimeoutMs: 300 });
      expect(await store.setIfAbsent('before', 60_000)).toBe(true);
      await own.stop();
      const failures = await Promise.all([
        storeError(store.setIfAbsent('k', 60_000)),
        storeError(store.increment('c', 60_000)),
        storeError(store.count('c')),
        storeError(store.delete('k')),
      ]);
      for (const message of failures) expect(message).toMatch(/^Redis (did not answer|failed on) (SET|EVALSHA|GET|DEL)/);
      await own.start();
      await eventually(() => store.setIfAbsent('after', 60_000).catch(() => false), 5000);
      expect((await store.increment('c', 60_000)).count).toBe(1); // a fresh server: the script is sent again
    }, 20_000);

    it('frozen (connection open, no answers): each call ends at commandTimeoutMs with SSO_STORE_UNAVAILABLE', async () => {
      const store = new RedisStore({ client: await connect(own.url), prefix: prefix(), commandTimeoutMs: 200 });
      expect(await store.count('x')).toBe(0);
      own.pause();
      try {
        const messages = await Promise.all([storeError(store.setIfAbsent('k', 1000)), storeError(store.count('k'))]);
        expect(messages).toEqual(['Redis did not answer SET within 200 ms.', 'Redis did not answer GET within 200 ms.']);
      } finally {
        own.resume();
      }
      await eventually(async () => (await store.count('x').catch(() => -1)) === 0);
    }, 20_000);
  });
});
