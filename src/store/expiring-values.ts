/**
 * MemoryStore's values (put/take): at most `max` at once, each with its own lifetime. Expired
 * values are swept from the old end as new ones arrive; beyond `max` the oldest goes.
 */
export class ExpiringValues {
  readonly #values = new Map<string, { value: string; expiresAt: number }>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#values.size;
  }

  put(key: string, value: string, ttlMs: number, now: number): void {
    this.#values.delete(key); // re-inserted at the end, so Map order stays oldest-first
    this.#values.set(key, { value, expiresAt: now + ttlMs });
    let budget = 64; // bounded work per put
    for (const [k, entry] of this.#values) {
      if (budget-- <= 0 || (entry.expiresAt > now && this.#values.size <= this.#max)) break;
      this.#values.delete(k);
    }
  }

  /** The live value under `key`, removed; undefined when absent or expired. */
  take(key: string, now: number): string | undefined {
    const entry = this.#values.get(key);
    this.#values.delete(key);
    return entry !== undefined && entry.expiresAt > now ? entry.value : undefined;
  }
}
