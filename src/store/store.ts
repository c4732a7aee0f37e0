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
  /**
   * Most keys held at once, of each kind: marks (setIfAbsent: the replay guard, locks) and
   * counters (increment: the throttles). Beyond it the oldest mark is dropped, and of counters the
   * oldest that has counted only once (see MemoryStore). Default 100,000.
   */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * In-process store. Expired keys are swept as new ones arrive, so it never grows without bound.
 * Marks and counters are bounded apart: counters are made by anyone who can send a request (one
 * per client IP), and a flood of them must not push out the replay guard's marks. They still
 * share one key space, as in Redis: a key is looked up in both.
 *
 * Counters that have counted more than once (a lockout after five failed logins, a visitor near
 * their limit) are kept apart from those that counted once: when counters are over the bound, the
 * oldest one-off counter goes first, so a flood of requests from ever new addresses (each one
 * counter of 1) cannot push a lockout, or the flooder's own counters, out of the store (seen in
 * an attack on the bridge). Only when every counter has counted twice or more is the oldest of
 * those dropped.
 */
export class MemoryStore implements BridgeStore {
  private readonly marks = new Map<string, Entry>();
  /** Counters at 1, oldest first. */
  private readonly counters = new Map<string, Entry>();
  /** Counters above 1, in the order they reached 2. */
  private readonly repeats = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Keys held, live or not yet swept. */
  get size(): number {
    return this.marks.size + this.counters.size + this.repeats.size;
  }

  async setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    if (this.live(key, now) !== undefined) return false;
    this.put(this.marks, key, { expiresAt: now + ttlMs, count: 1 }, now);
    return true;
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const now = this.now();
    const existing = this.live(key, now);
    if (existing !== undefined) {
      existing.count += 1;
      if (existing.count === 2 && this.counters.delete(key)) this.repeats.set(key, existing);
      return { count: existing.count, resetInMs: existing.expiresAt - now };
    }
    this.put(this.counters, key, { expiresAt: now + windowMs, count: 1 }, now);
    this.sweepRepeats(now);
    return { count: 1, resetInMs: windowMs };
  }

  async count(key: string): Promise<number> {
    return this.live(key, this.now())?.count ?? 0;
  }

  async delete(key: string): Promise<void> {
    this.marks.delete(key);
    this.counters.delete(key);
    this.repeats.delete(key);
  }

  /** The key's entry while it lives, whichever kind made it. */
  private live(key: string, now: number): Entry | undefined {
    const entry = this.marks.get(key) ?? this.counters.get(key) ?? this.repeats.get(key);
    return entry !== undefined && entry.expiresAt > now ? entry : undefined;
  }

  private put(entries: Map<string, Entry>, key: string, entry: Entry, now: number): void {
    // An expired entry of either kind may still hold the key: the new one replaces it.
    this.marks.delete(key);
    this.counters.delete(key);
    this.repeats.delete(key);
    entries.set(key, entry); // at the end, so Map order stays oldest-first
    this.sweep(entries, now, () => entries.size > this.maxEntries);
  }

  /**
   * Both kinds of counter together within the bound: the oldest one-off counters give way first
   * (never the one just made, or a full store would stop counting anything new), then the oldest
   * repeat counters.
   */
  private sweepRepeats(now: number): void {
    const over = () => this.counters.size + this.repeats.size > this.maxEntries;
    this.sweep(this.counters, now, () => this.counters.size > 1 && over());
    this.sweep(this.repeats, now, over);
  }

  /** Drops expired entries from the old end, then the oldest while `over()`. Bounded work. */
  private sweep(entries: Map<string, Entry>, now: number, over: () => boolean): void {
    let budget = 64;
    for (const [key, entry] of entries) {
      if (budget-- <= 0) break;
      if (entry.expiresAt <= now) entries.delete(key);
      else if (over()) entries.delete(key);
      else break;
    }
  }
}
