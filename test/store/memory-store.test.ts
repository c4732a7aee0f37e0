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
