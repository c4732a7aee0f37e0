import * as crypto from 'node:crypto';
import type { BridgeStore } from '../sso/store';

// crypto.hash (Node 20.12 and later) hashes in one call, at a third of createHash's cost per
// throttled click; earlier Node 20 releases take the long way to the same digest.
const sha256Base64url: (text: string) => string = typeof crypto.hash === 'function'
  ? (text) => crypto.hash('sha256', text, 'base64url')
  : (text) => crypto.createHash('sha256').update(text).digest('base64url');

/** At most `limit` events per `windowMs`, counted over a sliding window. */
export interface ThrottleRule {
  limit: number;
  windowMs: number;
}

export interface ThrottleDecision {
  /** True when the event is within the limit. */
  allowed: boolean;
  /** Events counted over the last window (weighted estimate, rounded up), this one included for `hit`. */
  count: number;
  /** When `allowed` is false: how long until one more event would be allowed. 0 otherwise. */
  retryAfterMs: number;
}

/**
 * Sliding-window counter over a BridgeStore: each id has a counter per fixed window, and the
 * estimate is the current window's count plus the previous window's, weighted by how much of it
 * still overlaps the sliding window. Two atomic store operations per event (increment + count),
 * never read-modify-write, so it holds across processes sharing one store.
 *
 * Ids (IP addresses, member numbers) are hashed into the key: stores never hold them in clear.
 */
export class SlidingWindowThrottle {
  readonly #store: BridgeStore;
  readonly #prefix: string;
  readonly #rule: ThrottleRule;
  readonly #now: () => number;

  constructor(store: BridgeStore, name: string, rule: ThrottleRule, now: () => number = Date.now) {
    this.#store = store;
    this.#prefix = `throttle:${name}:`;
    this.#rule = rule;
    this.#now = now;
  }

  /** Would one more event be allowed now? Counts nothing (e.g. before a login attempt). */
  async peek(id: string): Promise<ThrottleDecision> {
    const at = this.#position();
    const base = this.#base(id);
    const [current, previous] = await Promise.all([
      this.#store.count(`${base}${at.window}`),
      this.#store.count(`${base}${at.window - 1}`),
    ]);
    return this.#decide(current + 1, current, previous, at.elapsed);
  }

  /** Counts one event, then says whether it was within the limit. Refused events count too. */
  async hit(id: string): Promise<ThrottleDecision> {
    const at = this.#position();
    const base = this.#base(id);
    // The counter lives two windows: in the next window it is the "previous" one.
    const [current, previous] = await Promise.all([
      this.#store.increment(`${base}${at.window}`, 2 * this.#rule.windowMs).then((r) => r.count),
      this.#store.count(`${base}${at.window - 1}`),
    ]);
    return this.#decide(current, current, previous, at.elapsed);
  }

  /** Forgets the id's counts (e.g. after a successful login). */
  async reset(id: string): Promise<void> {
    const at = this.#position();
    const base = this.#base(id);
    await Promise.all([this.#store.delete(`${base}${at.window}`), this.#store.delete(`${base}${at.window - 1}`)]);
  }

  #position(): { window: number; elapsed: number } {
    const now = this.#now();
    const window = Math.floor(now / this.#rule.windowMs);
    return { window, elapsed: now - window * this.#rule.windowMs };
  }

  /** The key without its window number; the id hashed once per call. */
  #base(id: string): string {
    return `${this.#prefix}${sha256Base64url(id).slice(0, 22)}:`;
  }

  /** `current` includes the event being decided; `stored` is what the store holds afterwards. */
  #decide(current: number, stored: number, previous: number, elapsed: number): ThrottleDecision {
    const { limit, windowMs } = this.#rule;
    const overlap = (windowMs - elapsed) / windowMs;
    const estimate = previous * overlap + current;
    const count = Math.ceil(estimate - 1e-9);
    if (estimate <= limit) return { allowed: true, count, retryAfterMs: 0 };
    return { allowed: false, count, retryAfterMs: this.#waitFor(stored, previous, elapsed) };
  }

  /**
   * Time until one more event fits, assuming no other events: the previous window's weight
   * shrinks as time passes; if the current window alone is too full, its weight must shrink in
   * the next window.
   */
  #waitFor(stored: number, previous: number, elapsed: number): number {
    const { limit, windowMs } = this.#rule;
    const room = limit - 1 - stored; // what the previous window may still weigh
    if (room >= 0 && previous > 0) {
      const needOverlap = room / previous;
      const at = windowMs * (1 - needOverlap);
      return Math.max(1, Math.ceil(at - elapsed));
    }
    // Next window: stored * overlap + 1 ≤ limit.
    const needOverlap = stored > 0 ? Math.min(1, (limit - 1) / stored) : 1;
    const intoNext = windowMs * (1 - needOverlap);
    return Math.max(1, Math.ceil(windowMs - elapsed + intoNext));
  }
}

/**
 * Several limits on one event (per IP, per visitor…; undefined = a limit turned off): how long
 * until every one of them allows it, in ms. 0 when none refused.
 */
export function waitForAll(decisions: ReadonlyArray<ThrottleDecision | undefined>): number {
  let waitMs = 0;
  for (const d of decisions) if (d !== undefined && !d.allowed) waitMs = Math.max(waitMs, d.retryAfterMs);
  return waitMs;
}

/** `Retry-After` header value: whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Checks a rule given in options. `false` turns the throttle off; undefined takes the default.
 * Throws TypeError naming the option.
 */
export function checkThrottleRule(value: unknown, name: string, fallback: ThrottleRule): ThrottleRule | false {
  if (value === undefined) return fallback;
  if (value === false) return false;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be { limit, windowMs } or false (off).`);
  }
  const { limit, windowMs, ...extra } = value as Record<string, unknown>;
  const unknown = Object.keys(extra);
  if (unknown.length > 0) throw new TypeError(`${name} has an unknown key "${unknown[0]}" (expected limit, windowMs).`);
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new TypeError(`${name}.limit must be a whole number ≥ 1.`);
  }
  if (typeof windowMs !== 'number' || !Number.isInteger(windowMs) || windowMs < 1000 || windowMs > 86_400_000) {
    throw new TypeError(`${name}.windowMs must be a whole number of ms between 1000 and 86400000.`);
  }
  return { limit, windowMs };
}
