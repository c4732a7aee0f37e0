import { LuminateError } from '../errors';
import { ExpiringValues } from './expiring-values';

/**
 * The bridge's shared state: the replay guard for signed callbacks, throttle counters and locks.
 * The in-memory default serves one process; several processes need a shared implementation
 * (e.g. `RedisStore`). Every method must be atomic on its own: no read-modify-write.
 * A store that cannot answer rejects (SSO_STORE_UNAVAILABLE is the code to use); the bridge then
 * fails closed (never "first use"). Keys are non-empty strings the bridge builds; times are in ms.
 */
export interface BridgeStore {
  /**
   * Records `key` for `ttlMs` and resolves true when it was not already recorded (first use),
   * false when it was. Must be atomic: two concurrent calls for one key never both get true.
   */
  setIfAbsent(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Adds one to the counter `key` and returns the new count. A new (or expired) counter starts at
   * 1 and lives `windowMs`; later increments do not extend it. `resetInMs`: ms left to live.
   * `limit` (optional): the throttle limit; a counter that reached it is a lockout, which a store
   * that must drop keys to stay bounded keeps over the others (MemoryStore). Others may ignore it.
   */
  increment(key: string, windowMs: number, limit?: number): Promise<{ count: number; resetInMs: number }>;
  /** The counter's current value, or 0 when it is absent or expired (for a key set by setIfAbsent: 1). */
  count(key: string): Promise<number>;
  /** Removes `key` (a lock released early, a counter reset). Absent keys are fine. */
  delete(key: string): Promise<void>;
  /**
   * Optional; needed by luminateSso's `prepare` (a prepared token and its handoff fields: a secret).
   * Keeps the string `value` under `key` for `ttlMs`, replacing what was there.
   */
  put?(key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Optional; needed by `prepare`. The value `put` left under `key`, removed in the same step, or
   * undefined when there is none (or it expired). Atomic: two concurrent takes never both get it.
   */
  take?(key: string): Promise<string | undefined>;
}

interface Entry {
  expiresAt: number;
  count: number;
}

export interface MemoryStoreOptions {
  /**
   * Most keys held at once, of each kind: marks (setIfAbsent), counters (increment) and values
   * (put). Beyond it the oldest mark or value goes; of counters, the oldest one-off, then the oldest
   * below its limit; a lockout never goes (see MemoryStore). Default 100,000.
   */
  maxEntries?: number;
  /** Clock in ms since the epoch, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * In-process store, bounded: expired keys are swept as new ones arrive. Marks and counters are
 * bounded apart, so a flood of counters (one per client IP) cannot push out the replay guard's
 * marks; they share one key space, as in Redis.
 *
 * Over the bound, counters are dropped in tiers: one-off counters first (never the one just made),
 * then those below their limit, oldest first; never a lockout (a counter at the limit `increment`
 * was given). Seen in an attack: floods from ever new addresses, or pairs of attempts for fresh
 * member numbers, evicted lockouts when counters were dropped oldest-first. When every counter is
 * a lockout, a new counter is refused (SSO_STORE_UNAVAILABLE: the throttles fail closed for it);
 * failing open would give unthrottled attempts to whoever filled the store.
 */
export class MemoryStore implements BridgeStore {
  private readonly marks = new Map<string, Entry>();
  /** Counters at 1, oldest first. */
  private readonly counters = new Map<string, Entry>();
  /** Counters above 1 and below their limit, in the order they reached 2. */
  private readonly repeats = new Map<string, Entry>();
  /** Counters at or over their limit (lockouts), in the order they reached it. Never evicted. */
  private readonly lockouts = new Map<string, Entry>();
  /** Values (put/take), bounded apart: they are not in the key space of marks and counters. */
  private readonly values: ExpiringValues;
  private readonly maxEntries: number;
  private readonly now: () => number;

  /** @throws TypeError when `maxEntries` is not a positive whole number. */
  constructor(options: MemoryStoreOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new TypeError(`MemoryStore: maxEntries must be a positive whole number, got ${String(max)}.`);
    }
    this.maxEntries = max;
    this.now = options.now ?? Date.now;
    this.values = new ExpiringValues(max);
  }

  /** Keys held, live or not yet swept. */
  get size(): number {
    return this.marks.size + this.counterCount() + this.values.size;
  }

  /** See BridgeStore. Never rejects: over `maxEntries` marks, the oldest mark is dropped. */
  async setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    if (this.live(key, now) !== undefined) return false;
    this.dropKey(key); // an expired entry of any kind may still hold the key
    this.marks.set(key, { expiresAt: now + ttlMs, count: 1 }); // at the end, so Map order stays oldest-first
    this.sweep(this.marks, now, () => this.marks.size > this.maxEntries);
    return true;
  }

  /** @throws LuminateError (rejects) SSO_STORE_UNAVAILABLE when a new counter is needed and every counter is a live lockout. */
  async increment(key: string, windowMs: number, limit?: number): Promise<{ count: number; resetInMs: number }> {
    const now = this.now();
    const existing = this.live(key, now);
    if (existing !== undefined) {
      existing.count += 1;
      this.promote(key, existing, limit);
      return { count: existing.count, resetInMs: existing.expiresAt - now };
    }
    this.dropKey(key);
    if (!this.roomForCounter(now)) {
      throw new LuminateError('SSO_STORE_UNAVAILABLE', `MemoryStore is full: all ${this.maxEntries} counters are at their ` +
        'throttle limit (lockouts, never dropped), so a new counter is refused until some expire. Raise maxEntries or use a shared store.');
    }
    const entry = { expiresAt: now + windowMs, count: 1 };
    this.counters.set(key, entry);
    this.promote(key, entry, limit);
    return { count: 1, resetInMs: windowMs };
  }

  async count(key: string): Promise<number> {
    return this.live(key, this.now())?.count ?? 0;
  }

  async delete(key: string): Promise<void> {
    this.dropKey(key);
  }

  /** See BridgeStore. Never rejects: over `maxEntries` values, the oldest is dropped. */
  async put(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.put(key, value, ttlMs, this.now());
  }

  /** See BridgeStore. Never rejects. */
  async take(key: string): Promise<string | undefined> {
    return this.values.take(key, this.now());
  }

  /** The key's entry while it lives, whichever kind made it. */
  private live(key: string, now: number): Entry | undefined {
    const entry = this.marks.get(key) ?? this.counters.get(key) ?? this.repeats.get(key) ?? this.lockouts.get(key);
    return entry !== undefined && entry.expiresAt > now ? entry : undefined;
  }

  private dropKey(key: string): void {
    this.marks.delete(key);
    this.counters.delete(key);
    this.repeats.delete(key);
    this.lockouts.delete(key);
  }

  private counterCount(): number {
    return this.counters.size + this.repeats.size + this.lockouts.size;
  }

  /** Moves a counter (not a mark) to the tier its count puts it in: repeats at 2, lockouts at `limit`. */
  private promote(key: string, entry: Entry, limit: number | undefined): void {
    if (this.marks.has(key) || this.lockouts.has(key)) return;
    if (limit !== undefined && entry.count >= limit) {
      this.counters.delete(key);
      this.repeats.delete(key);
      this.lockouts.set(key, entry);
    } else if (entry.count >= 2 && this.counters.delete(key)) {
      this.repeats.set(key, entry);
    }
  }

  /**
   * Makes room for one new counter (expired ones, then one-offs, then repeats; lockouts only when
   * expired). False when every counter is a live lockout. A promotion never adds a counter, so one drop makes room.
   */
  private roomForCounter(now: number): boolean {
    const over = () => this.counterCount() >= this.maxEntries;
    this.sweep(this.lockouts, now, () => false);
    this.sweep(this.counters, now, over);
    this.sweep(this.repeats, now, over);
    if (!over()) return true;
    // The sweeps' budget ran out, or only lockouts are left.
    const oldest = this.counters.keys().next().value ?? this.repeats.keys().next().value;
    if (oldest !== undefined) {
      this.dropKey(oldest);
      return true;
    }
    for (const [key, entry] of this.lockouts) if (entry.expiresAt <= now) this.lockouts.delete(key);
    return !over();
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
