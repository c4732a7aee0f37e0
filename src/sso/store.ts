/**
 * The bridge's shared state: the replay guard for signed callbacks, throttle counters and locks.
 * The in-memory default serves one process; several processes need a shared implementation
 * (e.g. `RedisStore`). Every method must be atomic on its own: no read-modify-write.
 * A store that cannot answer rejects; the bridge then fails closed (never "first use").
 */
export interface BridgeStore {
  /**
   * Records `key` for `ttlMs` and resolves true when it was not already recorded (first use),
   * false when it was. Must be atomic: two concurrent calls for one key never both get true.
   */
  setIfAbsent(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Adds one to the counter `key` and returns the new count. A new (or expired) counter starts at
   * 1 and lives `windowMs`; later increments do not extend it. `resetInMs`: time left to live.
   */
  increment(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  /** The counter's current value, or 0 when it is absent or expired (for a key set by setIfAbsent: 1). */
  count(key: string): Promise<number>;
  /** Removes `key` (a lock released early, a counter reset). Absent keys are fine. */
  delete(key: string): Promise<void>;
}

interface Entry {
  expiresAt: number;
  count: number;
}

export interface MemoryStoreOptions {
  /** Most keys held at once; the oldest are dropped beyond it. Default 100,000. */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** In-process store. Expired keys are swept as new ones arrive, so it never grows without bound. */
export class MemoryStore implements BridgeStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const existing = this.entries.get(key);
    if (existing && existing.expiresAt > now) return false;
    this.put(key, { expiresAt: now + ttlMs, count: 1 }, now);
    return true;
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const now = this.now();
    const existing = this.entries.get(key);
    if (existing && existing.expiresAt > now) {
      existing.count += 1;
      return { count: existing.count, resetInMs: existing.expiresAt - now };
    }
    this.put(key, { expiresAt: now + windowMs, count: 1 }, now);
    return { count: 1, resetInMs: windowMs };
  }

  async count(key: string): Promise<number> {
    const existing = this.entries.get(key);
    return existing && existing.expiresAt > this.now() ? existing.count : 0;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private put(key: string, entry: Entry, now: number): void {
    this.entries.delete(key); // re-insert at the end so Map order stays oldest-first
    this.entries.set(key, entry);
    this.sweep(now);
  }

  /** Drops expired entries from the old end, then the oldest while over the bound. Bounded work. */
  private sweep(now: number): void {
    let budget = 64;
    for (const [key, entry] of this.entries) {
      if (budget-- <= 0) break;
      if (entry.expiresAt <= now) this.entries.delete(key);
      else if (this.entries.size > this.maxEntries) this.entries.delete(key);
      else break;
    }
  }
}
