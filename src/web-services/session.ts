import type { Debugger } from 'debug';
import { LuminateError } from '../errors';
import { untilAborted } from '../util/abort';

/** One Web Services session. The SessionId is a secret: it never leaves this module's users. */
export interface Session {
  readonly id: string;
  /** When the session was last used (ms): Luminate's inactivity clock restarts with every request. */
  lastUsed: number;
}

/**
 * Keeps the current session: reused while fresh, replaced when idle too long or refused, and
 * logged in single-flight. A caller's signal only stops that caller's wait, never the shared Login.
 */
export class SessionKeeper {
  #session: Session | undefined;
  #pending: Promise<Session> | undefined;

  constructor(
    private readonly login: () => Promise<string>,
    private readonly idleMs: number,
    private readonly log: Debugger,
  ) {}

  get fresh(): boolean {
    return this.#session !== undefined && Date.now() - this.#session.lastUsed < this.idleMs;
  }

  /** The session to use now: the current one while fresh, else the result of one shared Login. */
  current(signal?: AbortSignal): Promise<Session> {
    if (this.fresh) return Promise.resolve(this.#session!);
    if (this.#session !== undefined) {
      this.log('session idle for %d ms (sessionIdleMs %d): logging in again', Date.now() - this.#session.lastUsed, this.idleMs);
    }
    this.#session = undefined;
    return this.#loginShared(signal);
  }

  /**
   * A new session after `stale` was refused (or, without `stale`, a forced Login). When another
   * caller has already replaced `stale`, its session is used: one refusal, one Login.
   */
  renew(stale: Session | undefined, signal?: AbortSignal): Promise<Session> {
    if (stale !== undefined && this.#session !== stale && this.fresh) return Promise.resolve(this.#session!);
    if (this.#session === stale || stale === undefined) this.#session = undefined;
    return this.#loginShared(signal);
  }

  clear(): void {
    this.#session = undefined;
  }

  #loginShared(signal: AbortSignal | undefined): Promise<Session> {
    if (this.#pending === undefined) {
      const started = Date.now();
      const pending = this.login().then((id) => (this.#session = { id, lastUsed: started }));
      this.#pending = pending;
      const forget = (): void => {
        if (this.#pending === pending) this.#pending = undefined;
      };
      pending.then(forget, forget);
    }
    if (signal === undefined) return this.#pending;
    return untilAborted(this.#pending, signal, () =>
      new LuminateError('LUMINATE_ABORTED', 'the call to Luminate Web Services was aborted by the caller', { cause: signal.reason }));
  }
}
