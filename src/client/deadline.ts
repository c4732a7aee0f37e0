import { EventEmitter } from 'node:events';
import { errorCodeOf, failedOnStaleConnection, isSafeToRetry, type AbortState } from './network-errors';
import type { AbortSignalLike } from './types';

/** Pause before the single retry of a connection that was refused or never established. */
const RETRY_DELAY_MS = 50;
/** No retry when less than this is left of the call's deadline. */
const RETRY_MIN_REMAINING_MS = 250;

/**
 * What aborts one call: undici takes an EventEmitter with `aborted` and `reason` as a signal,
 * just as an AbortSignal. Making an AbortSignal (and the first listener on it) costs more than
 * the rest of a call's set-up; this costs next to nothing, and a real one is made only on the
 * rare paths that need it (an error to classify, a retry to wait for).
 */
export class DeadlineSignal extends EventEmitter implements AbortSignalLike {
  aborted = false;
  reason: unknown = undefined;
  #abortSignal: AbortSignal | undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }

  /** AbortSignal's way to listen, for code written against AbortSignal (only 'abort' is emitted). */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void {
    if (options?.once === true) this.once(type, listener);
    else this.on(type, listener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    this.removeListener(type, listener);
  }

  /** A real AbortSignal that follows this one, for code that needs one (made once, on demand). */
  toAbortSignal(): AbortSignal {
    if (this.#abortSignal === undefined) {
      const controller = new AbortController();
      if (this.aborted) controller.abort(this.reason);
      else this.once('abort', () => controller.abort(this.reason));
      this.#abortSignal = controller.signal;
    }
    return this.#abortSignal;
  }
}

/** One call's deadline combined with the caller's signal. `clear()` must run when the call ends. */
export interface Deadline {
  signal: DeadlineSignal;
  /** What toLuminateError needs to tell a timeout from a caller's abort (as things stand when read). */
  readonly state: AbortState;
  timeoutMs: number;
  started: number;
  clear(): void;
}

/** An AbortSignal in the state `signal` is in now (for the error path only). */
function snapshot(signal: DeadlineSignal): AbortSignal {
  return signal.aborted ? AbortSignal.abort(signal.reason) : new AbortController().signal;
}

export function startDeadline(timeoutMs: number, host: string, callerSignal?: AbortSignalLike): Deadline {
  // One signal that the timer and the caller's signal both abort. AbortSignal.any would do the
  // same but costs more than the rest of a call's set-up (it tracks its sources by weak reference).
  // toLuminateError asks the caller's signal first, so an abort by the caller still reads as the
  // caller's and not as a timeout.
  const combined = new DeadlineSignal();
  const timer = setTimeout(() => {
    combined.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  let forward: (() => void) | undefined;
  if (callerSignal !== undefined) {
    if (callerSignal.aborted) {
      combined.abort(callerSignal.reason);
    } else {
      forward = () => combined.abort(callerSignal.reason);
      callerSignal.addEventListener('abort', forward, { once: true });
    }
  }
  const clear = (): void => {
    clearTimeout(timer);
    if (forward !== undefined) callerSignal?.removeEventListener('abort', forward);
  };
  return {
    signal: combined,
    get state(): AbortState {
      const state: AbortState = { deadline: snapshot(combined), timeoutMs, host };
      if (callerSignal !== undefined) state.caller = callerSignal;
      return state;
    },
    timeoutMs,
    started: Date.now(),
    clear,
  };
}

/** Waits `ms`, or rejects with an AbortError as soon as `signal` is aborted. */
function pause(ms: number, signal: DeadlineSignal): Promise<void> {
  const aborted = () => new DOMException('The operation was aborted', 'AbortError');
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal.removeListener('abort', onAbort);
      resolve();
    }, ms);
    signal.once('abort', onAbort);
  });
}

export interface RetryContext {
  deadline: Deadline;
  /** True once the owner is closing: no retry then. */
  closing: () => boolean;
  /**
   * True when sending the request a second time cannot do anything twice: reads, logins, and
   * getSingleSignOnToken (each call mints a fresh token). False for `create` and other writes.
   * Default false.
   */
  repeatable?: boolean;
  /** Told the error code and why before the retry (for the debug log). */
  onRetry: (code: string | undefined, why: string) => void;
}

/**
 * Runs `send(false)`, and once more, time allowing, when a retry cannot repeat a side effect:
 * - the connection was never made (so nothing was sent): after a short pause, on the pool;
 * - a `repeatable` request went out on a reused pooled connection that was reset or closed
 *   before any reply byte (a stale keep-alive connection): at once, as `send(true)`, which
 *   must use a new connection.
 * The retry runs under the same deadline and signal as the first attempt; there is never a third.
 */
export async function retryOnce<T>(send: (freshConnection: boolean) => Promise<T>, ctx: RetryContext): Promise<T> {
  try {
    return await send(false);
  } catch (err) {
    const { signal, timeoutMs, started } = ctx.deadline;
    const remaining = timeoutMs - (Date.now() - started);
    const neverSent = isSafeToRetry(err);
    const stale = !neverSent && ctx.repeatable === true && failedOnStaleConnection(err);
    if (!(neverSent || stale) || signal.aborted || remaining < RETRY_MIN_REMAINING_MS || ctx.closing()) throw err;
    ctx.onRetry(errorCodeOf(err), neverSent ? 'before anything was sent' : 'on a reused connection before any reply byte');
    if (neverSent) await pause(RETRY_DELAY_MS, signal);
    return send(stale);
  }
}
