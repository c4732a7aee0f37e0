/**
 * The BridgeStore contract (see the doc comments in src/store/store.ts), as tests any
 * implementation must pass. `storeContract(name, open)` registers them; each test opens fresh
 * stores, so tests never see each other's keys.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { BridgeStore } from '../../src/store/store';
import { SlidingWindowThrottle } from '../../src/store/sliding-window';

export interface OpenedStores {
  /** The store under test. */
  store: BridgeStore;
  /** Another handle on the SAME state (another client / process view); may be `store` itself. */
  peer: BridgeStore;
  /** A store that must share nothing with `store` (another prefix, another instance). */
  isolated: BridgeStore;
  close(): Promise<void>;
}

/** Polls `check` every 20 ms until it returns true; fails after `limitMs`. Bounded. */
export async function eventually(check: () => Promise<boolean>, limitMs = 3000): Promise<void> {
  const rounds = Math.ceil(limitMs / 20);
  for (let i = 0; i < rounds; i += 1) {
    if (await check()) return;
    await delay(20);
  }
  throw new Error(`condition not met within ${limitMs} ms`);
}

const LONG = 60_000;

export function storeContract(name: string, open: () => Promise<OpenedStores>): void {
  describe(`BridgeStore contract: ${name}`, () => {
    let s: OpenedStores;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.close();
    });

    it('setIfAbsent: true the first time only, per key', async () => {
      expect(await s.store.setIfAbsent('callback:a', LONG)).toBe(true);
      expect(await s.store.setIfAbsent('callback:a', LONG)).toBe(false);
      expect(await s.peer.setIfAbsent('callback:a', LONG)).toBe(false);
      expect(await s.store.setIfAbsent('callback:b', LONG)).toBe(true);
    });

    it('50 concurrent setIfAbsent for one key (through both handles): exactly one true', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? s.peer : s.store).setIfAbsent('race', LONG)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('100 concurrent increments count exactly: each count once, 1..100', async () => {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 ? s.peer : s.store).increment('counter', LONG)),
      );
      expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(await s.store.count('counter')).toBe(100);
      expect(await s.peer.count('counter')).toBe(100);
    });

    it('increment: a new counter lives windowMs; later increments do not extend it', async () => {
      const first = await s.store.increment('window', 5_000);
      expect(first.count).toBe(1);
      expect(first.resetInMs).toBeGreaterThan(0);
      expect(first.resetInMs).toBeLessThanOrEqual(5_000);
      const second = await s.store.increment('window', LONG);
      expect(second.count).toBe(2);
      expect(second.resetInMs).toBeLessThanOrEqual(5_000);
    });

    it('keys expire after their TTL: a lock can be taken again, a counter starts over', async () => {
      expect(await s.store.setIfAbsent('short', 40)).toBe(true);
      await eventually(() => s.peer.setIfAbsent('short', LONG));
      expect(await s.store.setIfAbsent('short', LONG)).toBe(false); // the new TTL holds

      await s.store.increment('short-counter', 40);
      await s.store.increment('short-counter', 40);
      await eventually(async () => (await s.store.count('short-counter')) === 0);
      expect((await s.peer.increment('short-counter', LONG)).count).toBe(1);
    });

    it('count: 0 when absent, the counter value, 1 for a setIfAbsent key', async () => {
      expect(await s.store.count('nothing')).toBe(0);
      await s.store.increment('three', LONG);
      await s.store.increment('three', LONG);
      await s.store.increment('three', LONG);
      expect(await s.peer.count('three')).toBe(3);
      await s.store.setIfAbsent('lock', LONG);
      expect(await s.store.count('lock')).toBe(1);
    });

    it('delete removes a lock and a counter; absent keys are fine', async () => {
      await s.store.setIfAbsent('lock', LONG);
      await s.store.increment('counter', LONG);
      await s.peer.delete('lock');
      await s.peer.delete('counter');
      await s.peer.delete('never-there');
      expect(await s.store.setIfAbsent('lock', LONG)).toBe(true);
      expect(await s.store.count('counter')).toBe(0);
      expect((await s.store.increment('counter', LONG)).count).toBe(1);
    });

    it('keys are independent of each other, including look-alikes', async () => {
      await s.store.setIfAbsent('k', LONG);
      for (const other of ['K', 'k:', ':k', 'k ', 'kk', 'ünïcode-k']) {
        expect(await s.store.count(other)).toBe(0);
        expect(await s.store.setIfAbsent(other, LONG)).toBe(true);
      }
      expect((await s.store.increment('k2', LONG)).count).toBe(1);
      expect(await s.store.count('k')).toBe(1);
    });

    it('an isolated store (another prefix or instance) shares nothing', async () => {
      await s.store.setIfAbsent('shared-name', LONG);
      await s.store.increment('shared-counter', LONG);
      expect(await s.isolated.setIfAbsent('shared-name', LONG)).toBe(true);
      expect(await s.isolated.count('shared-counter')).toBe(0);
      await s.isolated.delete('shared-name');
      expect(await s.store.setIfAbsent('shared-name', LONG)).toBe(false);
    });

    it('put / take: take returns the value once and removes it; put replaces', async () => {
      const { store, peer } = s;
      expect(await store.take!('value')).toBeUndefined();
      await store.put!('value', 'first', LONG);
      await store.put!('value', '{"token":"second"}', LONG);
      expect(await peer.take!('value')).toBe('{"token":"second"}');
      expect(await store.take!('value')).toBeUndefined();
      expect(await s.isolated.take!('value')).toBeUndefined();
    });

    it('take is atomic: 50 concurrent takes (through both handles) of one value, exactly one gets it', async () => {
      await s.store.put!('once', 'v', LONG);
      const taken = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? s.peer : s.store).take!('once')));
      expect(taken.filter((v) => v === 'v')).toHaveLength(1);
      expect(taken.filter((v) => v === undefined)).toHaveLength(49);
    });

    it('a value expires after its ttlMs', async () => {
      await s.store.put!('short-value', 'v', 40);
      await s.store.put!('long-value', 'w', LONG);
      await delay(120);
      expect(await s.peer.take!('short-value')).toBeUndefined();
      expect(await s.store.take!('long-value')).toBe('w');
    });

    it('a sliding-window throttle over both handles counts every hit once', async () => {
      const rule = { limit: 5, windowMs: 60_000 };
      const a = new SlidingWindowThrottle(s.store, 'contract', rule);
      const b = new SlidingWindowThrottle(s.peer, 'contract', rule);
      const decisions = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? b : a).hit('203.0.113.9')));
      // Two windows may be involved if the minute turns mid-test; at most 5 pass in any case.
      expect(decisions.filter((d) => d.allowed).length).toBeLessThanOrEqual(5);
      expect(decisions.filter((d) => !d.allowed).length).toBeGreaterThanOrEqual(3);
    });
  });
}
