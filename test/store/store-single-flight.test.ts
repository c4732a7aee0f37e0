/**
 * StoreSingleFlight over a shared store: two instances stand for two processes. The task is a
 * check-then-create against a shared "database", as the bridge's email lookup is.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { LuminateError } from '../../src/errors';
import { StoreSingleFlight } from '../../src/store/single-flight';
import { MemoryStore, type BridgeStore } from '../../src/store/store';

const EMAIL = 'newt.scamander@example.org';

/** find-or-create with a slow create; counts creations and the most tasks running at once. */
function fakeDirectory() {
  const records = new Set<string>();
  const stats = { creates: 0, runs: 0, running: 0, maxRunning: 0 };
  const findOrCreate = (email: string) => async () => {
    stats.runs += 1;
    stats.running += 1;
    stats.maxRunning = Math.max(stats.maxRunning, stats.running);
    try {
      await delay(5);
      if (records.has(email)) return `found ${email}`;
      await delay(30);
      records.add(email);
      stats.creates += 1;
      return `created ${email}`;
    } finally {
      stats.running -= 1;
    }
  };
  return { stats, findOrCreate };
}

const options = { lockTtlMs: 10_000, waitMs: 3000, pollMs: 5 };

it('two processes, many concurrent calls each: one creation, tasks never overlap, every caller answered', async () => {
  const store = new MemoryStore();
  const [a, b] = [new StoreSingleFlight(store, options), new StoreSingleFlight(store, options)];
  const dir = fakeDirectory();
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).run(EMAIL, dir.findOrCreate(EMAIL))));
  expect(dir.stats.creates).toBe(1);
  expect(dir.stats.maxRunning).toBe(1);
  expect(dir.stats.runs).toBe(2); // once per process: the in-process layer shares one run
  expect(new Set(answers)).toEqual(new Set([`created ${EMAIL}`, `found ${EMAIL}`]));
  expect(a.size + b.size).toBe(0);
  expect(store.size).toBe(0); // the lock was released
});

it('different keys do not wait for each other', async () => {
  const store = new MemoryStore();
  const a = new StoreSingleFlight(store, options);
  const dir = fakeDirectory();
  await Promise.all([a.run('one@example.org', dir.findOrCreate('one@example.org')), a.run('two@example.org', dir.findOrCreate('two@example.org'))]);
  expect(dir.stats.maxRunning).toBe(2);
  expect(dir.stats.creates).toBe(2);
});

it('a task that fails still releases the lock; the error reaches the caller', async () => {
  const store = new MemoryStore();
  const a = new StoreSingleFlight(store, options);
  await expect(a.run(EMAIL, async () => { throw new Error('luminate down'); })).rejects.toThrow('luminate down');
  expect(store.size).toBe(0);
  await expect(a.run(EMAIL, async () => 'ok')).resolves.toBe('ok');
});

it('a lock left by a process that died: the others run the task after waitMs (bounded), not forever', async () => {
  const store = new MemoryStore();
  const held = { ...options, waitMs: 100 };
  // What another process's lock looks like: set, never released.
  const probe = new StoreSingleFlight(store, held);
  let lockKey = '';
  const spy: BridgeStore = {
    setIfAbsent: (k, ttl) => { lockKey = k; return store.setIfAbsent(k, ttl); },
    increment: (k, w) => store.increment(k, w),
    count: (k) => store.count(k),
    delete: async () => undefined, // the "dead" holder never deletes
  };
  await new StoreSingleFlight(spy, held).run(EMAIL, async () => 'first');
  expect(lockKey).toMatch(/^flight:[\w-]{22}$/);
  expect(lockKey).not.toContain('newt');
  expect(await store.count(lockKey)).toBe(1);
  await expect(probe.run(EMAIL, async () => 'ran anyway')).resolves.toBe('ran anyway');
});

it('a store that fails while taking the lock rejects with its typed error; the task does not run', async () => {
  const down = new LuminateError('SSO_STORE_UNAVAILABLE', 'Redis failed on SET: ECONNREFUSED.');
  const failing: BridgeStore = {
    setIfAbsent: async () => { throw down; },
    increment: async () => { throw down; },
    count: async () => { throw down; },
    delete: async () => { throw down; },
  };
  const task = jest.fn(async () => 'ran');
  await expect(new StoreSingleFlight(failing, options).run(EMAIL, task)).rejects.toBe(down);
  expect(task).not.toHaveBeenCalled();
});

it('a store that fails only on release: the result stands', async () => {
  const store = new MemoryStore();
  const flaky: BridgeStore = {
    setIfAbsent: (k, t) => store.setIfAbsent(k, t),
    increment: (k, w) => store.increment(k, w),
    count: (k) => store.count(k),
    delete: async () => { throw new LuminateError('SSO_STORE_UNAVAILABLE', 'gone'); },
  };
  await expect(new StoreSingleFlight(flaky, options).run(EMAIL, async () => 'done')).resolves.toBe('done');
});
