import { LuminateError } from '../errors';
import { asLuminateError } from '../http/failure';
import type { BridgeStore } from '../store/store';
import { SlidingWindowThrottle, admit, retryAfterSeconds, type ThrottleCheck } from '../store/sliding-window';
import type { ResolvedLoginOptions } from './resolve-options';

/** Runs a store operation; its failure becomes SSO_STORE_UNAVAILABLE. */
async function inStore<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw asLuminateError(e, 'SSO_STORE_UNAVAILABLE', 'The throttle store failed; no login is attempted without it.');
  }
}

/** A login attempt's places in the counts, taken before Luminate is asked. */
export interface LoginAttempt {
  /** The credentials were right: the identifier's failures are forgotten, the IP's place given back. */
  succeeded(): Promise<void>;
  /** Luminate did not judge the credentials (site set-up, network, odd reply): both places given back. */
  notJudged(): Promise<void>;
}

/**
 * Login attempts, per client (IPv6 by /64, see throttleKeyForAddress) and per identifier (member
 * number, user name). Each attempt is counted on both BEFORE Luminate is asked, so a burst of
 * concurrent attempts cannot all pass the check (seen: 200 concurrent wrong passwords all reached
 * Luminate when failures were counted only after its answer); attempts that turn out not to be
 * failures give their places back.
 */
export class LoginThrottle {
  readonly #perIp?: SlidingWindowThrottle;
  readonly #perIdentifier?: SlidingWindowThrottle;

  constructor(store: BridgeStore, rules: ResolvedLoginOptions['throttle'], now: () => number = Date.now) {
    const refunds = { refunds: true };
    if (rules.perIp) this.#perIp = new SlidingWindowThrottle(store, 'login-ip', rules.perIp, now, refunds);
    if (rules.perIdentifier) this.#perIdentifier = new SlidingWindowThrottle(store, 'login-id', rules.perIdentifier, now, refunds);
  }

  /**
   * Counts the attempt and resolves when it may go to Luminate; rejects with LOGIN_THROTTLED
   * (429, retryAfterSeconds) when a limit is reached, or with the store's error (fail closed).
   * `clientKey`: throttleClientKey(req).
   */
  async begin(clientKey: string, identifier: string): Promise<LoginAttempt> {
    const checks: ThrottleCheck[] = [this.#perIp && [this.#perIp, clientKey], this.#perIdentifier && [this.#perIdentifier, identifier]];
    const admission = await inStore(() => admit(checks));
    if (admission.waitMs > 0) {
      const seconds = retryAfterSeconds(admission.waitMs);
      throw new LuminateError('LOGIN_THROTTLED', `Too many failed logins; the next attempt is allowed in ${seconds} s.`, { retryAfterSeconds: seconds });
    }
    return {
      // The identifier's failures are forgotten (the person got in); the IP's earlier failures
      // stay, or one valid account would reset the counter for guesses at all the others.
      succeeded: () => inStore(async () => {
        await admission.refund();
        await this.#perIdentifier?.reset(identifier);
      }),
      notJudged: () => inStore(() => admission.refund()),
    };
  }
}
