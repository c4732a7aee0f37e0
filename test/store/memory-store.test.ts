import { MemoryStore } from '../../src/store/store';
import { storeContract } from './contract';

storeContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, peer: store, isolated: new MemoryStore(), close: async () => undefined };
});

describe('MemoryStore options', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses maxEntries %p with a TypeError (a store that can hold nothing would refuse every counter)', (maxEntries) => {
    expect(() => new MemoryStore({ maxEntries })).toThrow(/^MemoryStore: maxEntries must be a positive whole number/);
  });
});

describe('MemoryStore values (put / take)', () => {
  it('holds at most maxEntries values: the oldest goes first; marks and counters are not pushed out', async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    await store.setIfAbsent('mark', 60_000);
    await store.increment('counter', 60_000);
    for (const k of ['a', 'b', 'c', 'd']) await store.put(k, `value-${k}`, 60_000);
    expect(await store.take('a')).toBeUndefined();
    expect(await store.take('d')).toBe('value-d');
    expect(await store.count('mark')).toBe(1);
    expect(await store.count('counter')).toBe(1);
  });

  it('a value lives ttlMs on the store clock', async () => {
    let now = 1_000_000;
    const store = new MemoryStore({ now: () => now });
    await store.put('v', 'x', 60_000);
    now += 59_999;
    await store.put('w', 'y', 60_000);
    now += 1;
    expect(await store.take('v')).toBeUndefined();
    expect(await store.take('w')).toBe('y');
  });
});
