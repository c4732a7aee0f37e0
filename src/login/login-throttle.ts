import { LuminateError } from '../errors';
import { asLuminateError } from '../sso/failure';
import type { BridgeStore } from '../sso/store';
import { SlidingWindowThrottle, retryAfterSeconds, waitForAll, type ThrottleDecision } from '../throttle/sliding-window';
import type { ResolvedLoginOptions } from './options';

function storeFailed(e: unknown): LuminateError {
  return asLuminateError(e, 'SSO_STORE_UNAVAILABLE', 'The throttle store failed; no login is attempted without it.');
}

/**
 * Failed logins, per client IP and per identifier (member number, user name). Before a login is
 * tried both counters are only read (`peek`); a failure is counted on both (`hit`). Concurrent
 * attempts can each pass the check before any is counted, so a burst may overshoot a limit by
 * the number of requests in flight; the next attempt after it is refused.
 */
export class LoginThrottle {
  readonly #perIp?: SlidingWindowThrottle;
  readonly #perIdentifier?: SlidingWindowThrottle;

  constructor(store: BridgeStore, rules: ResolvedLoginOptions['throttle'], now: () => number = Date.now) {
    if (rules.perIp) this.#perIp = new SlidingWindowThrottle(store, 'login-ip', rules.perIp, now);
    if (rules.perIdentifier) this.#perIdentifier = new SlidingWindowThrottle(store, 'login-id', rules.perIdentifier, now);
  }

  /**
   * Resolves when another attempt is allowed; rejects with LOGIN_THROTTLED (429,
   * retryAfterSeconds) when a limit is reached, or with the store's error (fail closed).
   */
  async check(ip: string, identifier: string): Promise<void> {
    let decisions: Array<ThrottleDecision | undefined>;
    try {
      decisions = await Promise.all([this.#perIp?.peek(ip), this.#perIdentifier?.peek(identifier)]);
    } catch (e) {
      throw storeFailed(e);
    }
    const waitMs = waitForAll(decisions);
    if (waitMs === 0) return;
    const seconds = retryAfterSeconds(waitMs);
    throw new LuminateError('LOGIN_THROTTLED', `Too many failed logins; the next attempt is allowed in ${seconds} s.`, { retryAfterSeconds: seconds });
  }

  /** Counts one failed attempt on both counters. Rejects with the store's error. */
  async failed(ip: string, identifier: string): Promise<void> {
    try {
      await Promise.all([this.#perIp?.hit(ip), this.#perIdentifier?.hit(identifier)]);
    } catch (e) {
      throw storeFailed(e);
    }
  }

  /**
   * After a successful login: the identifier's failures are forgotten (the person got in). The
   * IP's are not, or one valid account would reset the counter for guesses at all the others.
   */
  async succeeded(identifier: string): Promise<void> {
    try {
      await this.#perIdentifier?.reset(identifier);
    } catch (e) {
      throw storeFailed(e);
    }
  }
}
