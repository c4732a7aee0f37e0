import { MemoryStore } from '../../src/store/store';
import { storeContract } from './contract';

storeContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, peer: store, isolated: new MemoryStore(), close: async () => undefined };
});
