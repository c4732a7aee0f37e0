import { setTimeout as delay } from 'node:timers/promises';
import { errorCodeOf, isSafeToRetry, type AbortState } from './network-errors';

/** Pause before the single retry of a connection that was refused or never established. */
const RETRY_DELAY_MS = 50;
/** No retry when less than this is left of the call's deadline. */
const RETRY_MIN_REMAINING_MS = 250;

/** One call's deadline combined with the caller's signal. `clear()` must run when the call ends. */
export interface Deadline {
  signal: AbortSignal;
  /** What toLuminateError needs to tell a timeout from a caller's abort. */
  state: AbortState;
  started: number;
  clear(): void;
}

export function startDeadline(timeoutMs: number, host: string, callerSignal?: AbortSignal): Deadline {
  // One controller that the timer and the caller's signal both abort. AbortSignal.any would do the
  // same but costs more than the rest of a call's set-up (it tracks its sources by weak reference).
  // The signal in `state` is this combined one: toLuminateError asks the caller's signal first, so
  // an abort by the caller still reads as the caller's and not as a timeout.
  const combined = new AbortController();
  const timer = setTimeout(() => {
    combined.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  const state: AbortState = { deadline: combined.signal, timeoutMs, host };
  let forward: (() => void) | undefined;
  if (callerSignal !== undefined) {
    state.caller = callerSignal;
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
  return { signal: combined.signal, state, started: Date.now(), clear };
}

export interface RetryContext {
  deadline: Deadline;
  /** True once the owner is closing: no retry then. */
  closing: () => boolean;
  /** Told the error code before the retry (for the debug log). */
  onRetry: (code: string | undefined) => void;
}

/**
 * Runs `send`, and once more only when the connection was never made (so nothing was sent and a
 * retry cannot repeat a side effect), time allowing.
 */
export async function retryIfNeverSent<T>(send: () => Promise<T>, ctx: RetryContext): Promise<T> {
  try {
    return await send();
  } catch (err) {
    const { signal, state, started } = ctx.deadline;
    const remaining = state.timeoutMs - (Date.now() - started);
    if (!isSafeToRetry(err) || signal.aborted || remaining < RETRY_MIN_REMAINING_MS || ctx.closing()) throw err;
    ctx.onRetry(errorCodeOf(err));
    await delay(RETRY_DELAY_MS, undefined, { signal });
    return send();
  }
}
