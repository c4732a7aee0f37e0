import { MemoryStore } from '../../src/store/store';
import { resolveSsoOptions } from '../../src/sso/resolve-options';
import { SlidingWindowThrottle, admit, retryAfterSeconds } from '../../src/store/sliding-window';

function setup(limit: number, windowMs: number, start = 0) {
  const clock = { now: start };
  const store = new MemoryStore({ now: () => clock.now });
  const throttle = new SlidingWindowThrottle(store, 'test', { limit, windowMs }, () => clock.now);
  return { clock, store, throttle };
}

describe('SlidingWindowThrottle', () => {
  it('allows `limit` hits in a window and refuses the next, with the time until one more fits', async () => {
    const { throttle } = setup(3, 10_000);
    for (let i = 1; i <= 3; i += 1) expect(await throttle.hit('a')).toEqual({ allowed: true, count: i, retryAfterMs: 0 });
    const refused = await throttle.hit('a');
    expect(refused.allowed).toBe(false);
    expect(refused.count).toBe(4);
    // 4 stored in window 0; in window 1 one more fits when 4 × overlap + 1 ≤ 3, i.e. overlap ≤ 0.5.
    expect(refused.retryAfterMs).toBe(15_000);
  });

  it('counts ids separately', async () => {
    const { throttle } = setup(1, 10_000);
    expect((await throttle.hit('a')).allowed).toBe(true);
    expect((await throttle.hit('b')).allowed).toBe(true);
    expect((await throttle.hit('a')).allowed).toBe(false);
  });

  it('slides: the previous window weighs in proportionally to its overlap', async () => {
    const { clock, throttle } = setup(4, 10_000);
    for (let i = 0; i < 4; i += 1) await throttle.hit('a'); // window 0 holds 4
    clock.now = 12_500; // window 1, 25% in: the previous window still weighs 0.75 × 4 = 3
    expect(await throttle.hit('a')).toEqual({ allowed: true, count: 4, retryAfterMs: 0 });
    const refused = await throttle.hit('a'); // 3 + 2 = 5 > 4
    expect(refused.allowed).toBe(false);
    // One more fits once 4 × overlap + 2 + 1 ≤ 4 → overlap ≤ 0.25 → at 17,500.
    expect(refused.retryAfterMs).toBe(5_000);
    clock.now = 17_500;
    expect((await throttle.peek('a')).allowed).toBe(true);
  });

  it('retryAfterMs is exact: one ms earlier the next event is still refused, at it it is allowed', async () => {
    const { clock, throttle } = setup(5, 60_000, 7_000);
    let last = await throttle.hit('x');
    for (let i = 0; i < 7; i += 1) last = await throttle.hit('x');
    expect(last.allowed).toBe(false);
    const readyAt = clock.now + last.retryAfterMs;
    clock.now = readyAt - 1;
    expect((await throttle.peek('x')).allowed).toBe(false);
    clock.now = readyAt;
    expect((await throttle.peek('x')).allowed).toBe(true);
  });

  it('peek counts nothing', async () => {
    const { throttle } = setup(1, 10_000);
    for (let i = 0; i < 5; i += 1) expect((await throttle.peek('a')).allowed).toBe(true);
    await throttle.hit('a');
    const next = await throttle.peek('a');
    expect(next.allowed).toBe(false);
    // The approximation spreads window 0's hit over the window: it weighs until window 1 ends.
    expect(next.retryAfterMs).toBe(20_000);
  });

  it('expires: two windows later the id starts afresh', async () => {
    const { clock, throttle } = setup(2, 10_000);
    for (let i = 0; i < 5; i += 1) await throttle.hit('a');
    clock.now = 20_000;
    expect(await throttle.hit('a')).toEqual({ allowed: true, count: 1, retryAfterMs: 0 });
  });

  it('reset forgets the id', async () => {
    const { throttle } = setup(1, 10_000);
    await throttle.hit('a');
    await throttle.hit('a');
    await throttle.reset('a');
    expect((await throttle.hit('a')).allowed).toBe(true);
  });

  it('keeps ids out of the store keys', async () => {
    const keys: string[] = [];
    const store = new MemoryStore();
    const spy = {
      setIfAbsent: store.setIfAbsent.bind(store),
      increment: (key: string, ms: number) => (keys.push(key), store.increment(key, ms)),
      count: (key: string) => (keys.push(key), store.count(key)),
      delete: store.delete.bind(store),
    };
    await new SlidingWindowThrottle(spy, 'login-id', { limit: 3, windowMs: 1000 }).hit('donor@example.org');
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toMatch(/^throttle:login-id:[A-Za-z0-9_-]{22}:\d+$/);
      expect(key).not.toContain('donor');
    }
  });

  it('a failing store rejects (the caller decides; never a silent pass)', async () => {
    const down = async () => {
      throw new Error('store down');
    };
    const throttle = new SlidingWindowThrottle({ setIfAbsent: down, increment: down, count: down, delete: down }, 't', { limit: 1, windowMs: 1000 });
    await expect(throttle.hit('a')).rejects.toThrow('store down');
    await expect(throttle.peek('a')).rejects.toThrow('store down');
  });

  it('concurrent hits in one process are all counted', async () => {
    const { throttle } = setup(10, 60_000);
    const decisions = await Promise.all(Array.from({ length: 25 }, () => throttle.hit('same')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
  });
});

describe('admit: counted before the work, under several limits', () => {
  function pair(refunds: boolean) {
    const clock = { now: 0 };
    const store = new MemoryStore({ now: () => clock.now });
    const perIp = new SlidingWindowThrottle(store, 'ip', { limit: 3, windowMs: 60_000 }, () => clock.now, { refunds });
    const perId = new SlidingWindowThrottle(store, 'id', { limit: 2, windowMs: 60_000 }, () => clock.now, { refunds });
    return { store, perIp, perId };
  }

  it('concurrent events cannot all pass: at most the limit are admitted', async () => {
    const { perId } = pair(false);
    const admissions = await Promise.all(Array.from({ length: 30 }, () => admit([[perId, 'same']])));
    expect(admissions.filter((a) => a.waitMs === 0)).toHaveLength(2);
  });

  it('an event already over a limit is refused on a read: nothing is counted, no key is stored', async () => {
    const { store, perIp, perId } = pair(false);
    await admit([[perId, 'a'], [perIp, '198.51.100.1']]);
    await admit([[perId, 'a'], [perIp, '198.51.100.1']]);
    const held = store.size;
    for (let i = 2; i < 50; i += 1) {
      const refused = await admit([[perId, 'a'], [perIp, `198.51.100.${i}`]]);
      expect(refused.waitMs).toBeGreaterThan(0);
      expect(refused.decisions[0]?.allowed).toBe(false);
    }
    expect(store.size).toBe(held);
  });

  it('refund gives the places back (throttles made with refunds); a limit that is off is skipped', async () => {
    const { perIp } = pair(true);
    for (let i = 0; i < 10; i += 1) {
      const admitted = await admit([[perIp, 'office'], undefined]);
      expect(admitted.waitMs).toBe(0);
      await admitted.refund();
    }
    expect((await perIp.peek('office')).count).toBe(1);
  });

  it('without refunds, refund does nothing', async () => {
    const { perId } = pair(false);
    await (await admit([[perId, 'a']])).refund();
    await (await admit([[perId, 'a']])).refund();
    expect((await admit([[perId, 'a']])).waitMs).toBeGreaterThan(0);
  });
});

describe('retryAfterSeconds', () => {
  it.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [15_000, 15],
  ])('%i ms → %i s', (ms, s) => {
    expect(retryAfterSeconds(ms)).toBe(s);
  });
});

describe('a throttle rule in options (src/config/store.ts)', () => {
  const SITE = 'https://secure2.convio.net/myorg';
  const withPerIp = (perIp: unknown) => resolveSsoOptions({
    luminate: { secureUrl: SITE, apiKey: 'k', apiLogin: { name: 'a', password: 'p' }, apiSecretKey: 's' },
    destinations: { default: `${SITE}/site/Donation2` },
    throttle: { perIp },
  }, {}).throttle.perIp;

  it('takes the default when unset and false as off', () => {
    expect(withPerIp(undefined)).toEqual({ limit: 60, windowMs: 60_000 });
    expect(withPerIp(false)).toBe(false);
    expect(withPerIp({ limit: 2, windowMs: 1000 })).toEqual({ limit: 2, windowMs: 1000 });
  });

  it.each([
    [true, /throttle.perIp must be \{ limit, windowMs \} or false/],
    [[1, 2], /throttle.perIp must be \{ limit, windowMs \} or false/],
    [{ limit: 0, windowMs: 1000 }, /throttle.perIp.limit must be a whole number/],
    [{ limit: 1.5, windowMs: 1000 }, /throttle.perIp.limit must be a whole number/],
    [{ limit: '3', windowMs: 1000 }, /throttle.perIp.limit must be a whole number/],
    [{ limit: 3 }, /throttle.perIp.windowMs must be a whole number of ms/],
    [{ limit: 3, windowMs: 10 }, /throttle.perIp.windowMs must be a whole number of ms/],
    [{ limit: 3, windowMs: 1000, max: 3 }, /unknown option "throttle.perIp.max"/],
  ])('%j is refused', (value, message) => {
    expect(() => withPerIp(value)).toThrow(message);
  });
});
