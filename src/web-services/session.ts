import type { Debugger } from 'debug';
import { LuminateError } from '../errors';
import { untilAborted } from '../util/abort';

/** One Web Services session. The SessionId is a secret: it never leaves this module's users. */
export interface Session {
  readonly id: string;
  /** When the session was last used (ms): Luminate's inactivity clock restarts with every request. */
  lastUsed: number;
}

/** Waits for `promise`, or rejects with LUMINATE_ABORTED as soon as `signal` aborts. */
export function waitUnlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  const aborted = (): LuminateError =>
    new LuminateError('LUMINATE_ABORTED', 'the call to Luminate Web Services was aborted by the caller', { cause: signal.reason });
  return untilAborted(promise, signal, aborted);
}

/**
 * Keeps the current session: reused while fresh, replaced when idle too long or refused, and
 * logged in single-flight (however many calls need a session at once, one Login is in flight).
 * A caller's signal only stops that caller's wait, never the shared Login.
 */
export class SessionKeeper {
  #session: Session | undefined;
  #pending: Promise<Session> | undefined;

  constructor(
    private readonly login: () => Promise<string>,
    private readonly idleMs: number,
    private readonly log: Debugger,
  ) {}

  /** True while a session is held and not idle too long. */
  get fresh(): boolean {
    return this.#session !== undefined && Date.now() - this.#session.lastUsed < this.idleMs;
  }

  /** The session to use now: the current one while fresh, else the result of one shared Login. */
  current(signal?: AbortSignal): Promise<Session> {
    const session = this.#session;
    if (session !== undefined) {
      const idle = Date.now() - session.lastUsed;
      if (idle < this.idleMs) return Promise.resolve(session);
      this.log('session idle for %d ms (sessionIdleMs %d): logging in again', idle, this.idleMs);
      this.#session = undefined;
    }
    return waitUnlessAborted(this.#loginShared(), signal);
  }

  /**
   * A new session after `stale` was refused (or, without `stale`, a forced Login). When another
   * caller has already replaced `stale`, its session is used: one refusal, one Login.
   */
  renew(stale: Session | undefined, signal?: AbortSignal): Promise<Session> {
    if (stale !== undefined && this.#session !== undefined && this.#session !== stale && this.fresh) {
      return Promise.resolve(this.#session);
    }
    if (this.#session === stale || stale === undefined) this.#session = undefined;
    return waitUnlessAborted(this.#loginShared(), signal);
  }

  /** Forgets the session (close()). */
  clear(): void {
    this.#session = undefined;
  }

  #loginShared(): Promise<Session> {
    if (this.#pending !== undefined) return this.#pending;
    const started = Date.now();
    const pending = this.login().then((id) => {
      const session: Session = { id, lastUsed: started };
      this.#session = session;
      return session;
    });
    this.#pending = pending;
    const forget = (): void => {
      if (this.#pending === pending) this.#pending = undefined;
    };
    pending.then(forget, forget); // a side chain that never rejects unhandled
    return pending;
  }
}
