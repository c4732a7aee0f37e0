import { MemoryStore } from '../../src/store/store';

describe('MemoryStore', () => {
  it('setIfAbsent answers true once per key until the key expires', async () => {
    let now = 1000;
    const store = new MemoryStore({ now: () => now });
    expect(await store.setIfAbsent('a', 100)).toBe(true);
    expect(await store.setIfAbsent('a', 100)).toBe(false);
    expect(await store.setIfAbsent('b', 100)).toBe(true);
    now += 100;
    expect(await store.setIfAbsent('a', 100)).toBe(true);
  });

  it('is atomic for concurrent callers in one process', async () => {
    const store = new MemoryStore();
    const results = await Promise.all(Array.from({ length: 50 }, () => store.setIfAbsent('same', 1000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('increment counts within the window and restarts after it', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    expect(await store.increment('k', 1000)).toEqual({ count: 1, resetInMs: 1000 });
    now = 400;
    expect(await store.increment('k', 1000)).toEqual({ count: 2, resetInMs: 600 });
    now = 1000;
    expect(await store.increment('k', 1000)).toEqual({ count: 1, resetInMs: 1000 });
  });

  it('never holds more than maxEntries keys', async () => {
    const store = new MemoryStore({ maxEntries: 100 });
    for (let i = 0; i < 1000; i += 1) await store.setIfAbsent(`k${i}`, 60_000);
    expect(store.size).toBeLessThanOrEqual(100);
    expect(await store.setIfAbsent('k999', 60_000)).toBe(false);
  });

  it('keeps the replay marks however many counters arrive (each kind has its own bound)', async () => {
    const store = new MemoryStore({ maxEntries: 100 });
    for (let i = 0; i < 10; i += 1) expect(await store.setIfAbsent(`callback:${i}`, 60_000)).toBe(true);
    // One counter per client IP, as a flood from many addresses would make.
    for (let i = 0; i < 1000; i += 1) await store.increment(`throttle:ip:${i}`, 60_000);
    for (let i = 0; i < 10; i += 1) expect(await store.setIfAbsent(`callback:${i}`, 60_000)).toBe(false);
    expect(store.size).toBeLessThanOrEqual(110);
    expect(await store.count('throttle:ip:999')).toBe(1);
  });

  it('keeps counters that counted more than once (a lockout) however many one-off counters a flood makes', async () => {
    const store = new MemoryStore({ maxEntries: 50 });
    for (let i = 0; i < 5; i += 1) await store.increment('throttle:login-id:locked', 900_000);
    for (let i = 0; i < 3; i += 1) await store.increment('throttle:sso-visitor:flooder', 60_000);
    // One counter per address of a flood from ever new addresses.
    for (let i = 0; i < 1000; i += 1) await store.increment(`throttle:sso-ip:${i}`, 60_000);
    expect(await store.count('throttle:login-id:locked')).toBe(5);
    expect(await store.count('throttle:sso-visitor:flooder')).toBe(3);
    expect(store.size).toBeLessThanOrEqual(50);
    // The newest one-off counter is kept: a full store still counts new clients.
    expect(await store.count('throttle:sso-ip:999')).toBe(1);
  });

  it('a store full of repeat counters drops the oldest of them, never the new counter', async () => {
    const store = new MemoryStore({ maxEntries: 10 });
    for (let i = 0; i < 10; i += 1) {
      await store.increment(`r${i}`, 60_000);
      await store.increment(`r${i}`, 60_000);
    }
    await store.increment('new', 60_000);
    expect(await store.count('new')).toBe(1);
    expect(await store.count('r0')).toBe(0);
    expect(await store.count('r9')).toBe(2);
    expect(store.size).toBe(10);
  });

  it('never drops a counter that reached its limit (a lockout), however many repeat counters a flood makes', async () => {
    const store = new MemoryStore({ maxEntries: 10 });
    for (let i = 0; i < 5; i += 1) await store.increment('throttle:login-id:locked', 900_000, 5);
    // Pairs of attempts for fresh names, each within its limit: repeat counters.
    for (let i = 0; i < 100; i += 1) {
      await store.increment(`throttle:login-id:x${i}`, 900_000, 5);
      await store.increment(`throttle:login-id:x${i}`, 900_000, 5);
    }
    expect(await store.count('throttle:login-id:locked')).toBe(5);
    expect(await store.count('throttle:login-id:x99')).toBe(2);
    expect(await store.count('throttle:login-id:x0')).toBe(0);
    expect(store.size).toBe(10);
  });

  it('a counter whose limit is 1 is a lockout from its first count', async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    await store.increment('one', 60_000, 1);
    for (let i = 0; i < 20; i += 1) await store.increment(`flood${i}`, 60_000, 10);
    expect(await store.count('one')).toBe(1);
  });

  it('a store full of lockouts refuses a new counter (SSO_STORE_UNAVAILABLE, fail closed), keeps counting the old ones, and takes new ones once lockouts expire', async () => {
    let now = 0;
    const store = new MemoryStore({ maxEntries: 4, now: () => now });
    for (let i = 0; i < 4; i += 1) {
      await store.increment(`locked${i}`, 1000 * (4 - i), 2);
      await store.increment(`locked${i}`, 1000 * (4 - i), 2);
    }
    await expect(store.increment('new', 60_000, 2)).rejects.toMatchObject({ code: 'SSO_STORE_UNAVAILABLE' });
    expect(await store.count('new')).toBe(0);
    expect(await store.increment('locked0', 4000, 2)).toEqual({ count: 3, resetInMs: 4000 });
    expect(store.size).toBe(4);
    // Lockouts expire out of the order of their making (different windows): the newest one, expired, makes room.
    now = 1000;
    expect(await store.increment('new', 60_000, 2)).toEqual({ count: 1, resetInMs: 60_000 });
    expect(await store.count('locked3')).toBe(0);
    expect(await store.count('locked0')).toBe(3);
    expect(store.size).toBe(4);
  });

  it('is one key space: a mark counts as 1 and increments, a counter is not absent', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    expect(await store.setIfAbsent('k', 1000)).toBe(true);
    expect(await store.count('k')).toBe(1);
    expect(await store.increment('k', 5000)).toEqual({ count: 2, resetInMs: 1000 });
    expect(await store.increment('c', 1000)).toEqual({ count: 1, resetInMs: 1000 });
    expect(await store.setIfAbsent('c', 1000)).toBe(false);
    now = 1000; // both expired: either kind may take the key anew
    expect(await store.increment('k', 1000)).toEqual({ count: 1, resetInMs: 1000 });
    expect(await store.setIfAbsent('c', 1000)).toBe(true);
    expect(store.size).toBe(2);
    await store.delete('k');
    await store.delete('c');
    expect(await store.count('k')).toBe(0);
    expect(store.size).toBe(0);
  });

  it('sweeps expired keys as new ones arrive, so the size returns to what is live', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    for (let i = 0; i < 500; i += 1) await store.setIfAbsent(`old${i}`, 10);
    now = 100;
    for (let i = 0; i < 20; i += 1) await store.setIfAbsent(`new${i}`, 10);
    expect(store.size).toBe(20);
  });
});
