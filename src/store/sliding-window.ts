import { createHash } from 'node:crypto';
import type { BridgeStore } from './store';

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
 * Sliding-window counter over a BridgeStore: a counter per id and fixed window; the estimate is
 * the current window's count plus the previous one's weighted by its overlap. Atomic store
 * operations only, so it holds across processes. Ids (IPs, member numbers) are hashed into keys.
 */
export class SlidingWindowThrottle {
  readonly #prefix: string;
  readonly #refunds: boolean;

  /** `refunds: true` lets events be given back (`refund`): a second counter per window, `<key>:refunds` (no decrement). */
  constructor(
    private readonly store: BridgeStore,
    name: string,
    private readonly rule: ThrottleRule,
    private readonly now: () => number = Date.now,
    options: { refunds?: boolean } = {},
  ) {
    this.#prefix = `throttle:${name}:`;
    this.#refunds = options.refunds === true;
  }

  /** Would one more event be allowed now? Counts nothing. */
  async peek(id: string): Promise<ThrottleDecision> {
    const at = this.#position();
    const base = this.#base(id);
    const [current, previous] = await Promise.all([this.#net(`${base}${at.window}`), this.#net(`${base}${at.window - 1}`)]);
    return this.#decide(current + 1, current, previous, at.elapsed);
  }

  /** Counts one event, then says whether it was within the limit. Refused events count too. */
  async hit(id: string): Promise<ThrottleDecision> {
    return (await this.take(id)).decision;
  }

  /** Counts one event like `hit`, and says in which window, so that it can be given back (`refund`). */
  async take(id: string): Promise<{ decision: ThrottleDecision; window: number }> {
    const at = this.#position();
    const base = this.#base(id);
    // The counter lives two windows: in the next window it is the "previous" one.
    const [counted, refunded, previous] = await Promise.all([
      // The limit lets a bounded store keep a counter that reached it (a lockout) over all others.
      this.store.increment(`${base}${at.window}`, 2 * this.rule.windowMs, this.rule.limit).then((r) => r.count),
      this.#refunds ? this.store.count(`${base}${at.window}:refunds`) : 0,
      this.#net(`${base}${at.window - 1}`),
    ]);
    const current = Math.max(0, counted - refunded);
    return { decision: this.#decide(current, current, previous, at.elapsed), window: at.window };
  }

  /** Gives back one event counted by `take` in `window` (a login that succeeded); only with `refunds: true`. */
  async refund(id: string, window: number): Promise<void> {
    if (!this.#refunds) return;
    await this.store.increment(`${this.#base(id)}${window}:refunds`, 2 * this.rule.windowMs);
  }

  /** Forgets the id's counts (e.g. after a successful login). */
  async reset(id: string): Promise<void> {
    const at = this.#position();
    const base = this.#base(id);
    const keys = [`${base}${at.window}`, `${base}${at.window - 1}`];
    if (this.#refunds) keys.push(`${base}${at.window}:refunds`, `${base}${at.window - 1}:refunds`);
    await Promise.all(keys.map((key) => this.store.delete(key)));
  }

  /** A window's count less what was given back of it. */
  async #net(key: string): Promise<number> {
    if (!this.#refunds) return this.store.count(key);
    const [counted, refunded] = await Promise.all([this.store.count(key), this.store.count(`${key}:refunds`)]);
    return Math.max(0, counted - refunded);
  }

  #position(): { window: number; elapsed: number } {
    const now = this.now();
    const window = Math.floor(now / this.rule.windowMs);
    return { window, elapsed: now - window * this.rule.windowMs };
  }

  /** The key without its window number. */
  #base(id: string): string {
    return `${this.#prefix}${createHash('sha256').update(id).digest('base64url').slice(0, 22)}:`;
  }

  /** `current` includes the event being decided; `stored` is what the store holds afterwards. */
  #decide(current: number, stored: number, previous: number, elapsed: number): ThrottleDecision {
    const { limit, windowMs } = this.rule;
    const overlap = (windowMs - elapsed) / windowMs;
    const estimate = previous * overlap + current;
    const count = Math.ceil(estimate - 1e-9);
    if (estimate <= limit) return { allowed: true, count, retryAfterMs: 0 };
    return { allowed: false, count, retryAfterMs: this.#waitFor(stored, previous, elapsed) };
  }

  /** Time until one more event fits: the previous window's weight shrinks; if the current is too full, wait into the next. */
  #waitFor(stored: number, previous: number, elapsed: number): number {
    const { limit, windowMs } = this.rule;
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

/** One limit and the id it counts; undefined: that limit is off. */
export type ThrottleCheck = readonly [throttle: SlidingWindowThrottle, id: string] | undefined;

export interface Admission {
  /** Per check, in the order given: its decision (undefined for a limit that is off). */
  decisions: Array<ThrottleDecision | undefined>;
  /** 0 when the event was admitted; else ms until every limit would allow one more. */
  waitMs: number;
  /** Gives back what an admitted event counted (throttles made with `refunds: true` only). */
  refund(): Promise<void>;
}

/**
 * Admits one event under several limits, counting it BEFORE the work it guards: counted after,
 * a burst passes a check none of it is counted in yet (seen: 200 concurrent login POSTs all
 * reached Luminate with a limit of 5). The caller refunds work that should not count.
 * An event already over a limit is refused on a read, storing nothing, so a flood of refusals
 * cannot fill a bounded store and push a lockout out. One that loses the race keeps its counts.
 */
export async function admit(checks: ReadonlyArray<ThrottleCheck>): Promise<Admission> {
  const peeked = await Promise.all(checks.map((check) => check?.[0].peek(check[1])));
  const refusedOnRead = waitForAll(peeked);
  if (refusedOnRead > 0) return { decisions: peeked, waitMs: refusedOnRead, refund: async () => undefined };
  const taken = await Promise.all(checks.map((check) => check?.[0].take(check[1])));
  const decisions = taken.map((t) => t?.decision);
  return {
    decisions,
    waitMs: waitForAll(decisions),
    refund: async () => {
      await Promise.all(checks.map((check, i) => (check && taken[i] ? check[0].refund(check[1], taken[i].window) : undefined)));
    },
  };
}

/** Ms until every limit allows the event (undefined: a limit that is off); 0 when none refused. */
function waitForAll(decisions: ReadonlyArray<ThrottleDecision | undefined>): number {
  let waitMs = 0;
  for (const d of decisions) if (d !== undefined && !d.allowed) waitMs = Math.max(waitMs, d.retryAfterMs);
  return waitMs;
}

/** `Retry-After` header value: whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
