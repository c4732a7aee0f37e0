import { setTimeout as sleep } from 'node:timers/promises';
import { abortAfter } from '../util/abort';
import type { LuminateError } from '../errors';
import { errorCodeOf, failedOnStaleConnection, isSafeToRetry, toLuminateError, type AbortState } from './network-errors';

/** Pause before the single retry of a connection that was refused or never established. */
const RETRY_DELAY_MS = 50;
/** No retry when less than this is left of the call's deadline. */
const RETRY_MIN_REMAINING_MS = 250;

/** One call's deadline combined with the caller's signal. */
export interface Deadline {
  /** Aborts with a TimeoutError once `timeoutMs` has passed, or with the caller's reason when the caller aborts. */
  signal: AbortSignal;
  /** What toLuminateError needs to tell a timeout from a caller's abort. */
  state: AbortState;
  timeoutMs: number;
  /** Date.now() when the call began. */
  started: number;
  /** Stops the timer and stops listening to the caller: call it once the call has settled. */
  end: () => void;
}

/** Starts a call's deadline of `timeoutMs` ms (retry included), joined with `caller`'s signal if any. */
export function startDeadline(timeoutMs: number, host: string, caller?: AbortSignal): Deadline {
  const { controller, end: stopTimer } = abortAfter(timeoutMs);
  const onCallerAbort = (): void => controller.abort(caller?.reason);
  if (caller?.aborted) onCallerAbort();
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  const end = (): void => {
    stopTimer();
    caller?.removeEventListener('abort', onCallerAbort);
  };
  // The caller's signal is checked first (toLuminateError): when it has aborted, this is no timeout.
  const state: AbortState = { deadline: controller.signal, timeoutMs, host };
  if (caller !== undefined) state.caller = caller;
  return { signal: controller.signal, state, timeoutMs, started: Date.now(), end };
}

/** A failed call's error as a LuminateError, logged (debug) with its code, HTTP status and time taken. */
export function callFailure(
  err: unknown, deadline: Deadline, name: string, log: (format: string, ...args: unknown[]) => void,
): LuminateError {
  const error = toLuminateError(err, deadline.state);
  const status = error.upstreamStatus === undefined ? '' : ` HTTP ${error.upstreamStatus}`;
  log('%s failed: %s%s in %d ms', name, error.code, status, Date.now() - deadline.started);
  return error;
}

/**
 * Runs `send(false)`, and once more, time allowing, when a retry cannot repeat a side effect:
 * - the connection was never made (nothing was sent): after a short pause, on the pool;
 * - a `repeatable` request (reads, logins, getSingleSignOnToken; never `create` or other writes) went
 *   out on a reused pooled connection reset or closed before any reply byte: at once, as `send(true)`,
 *   which must use a new connection.
 * Same deadline and signal; never a third attempt. An abort during the pause rejects with an AbortError.
 */
export async function retryOnce<T>(send: (freshConnection: boolean) => Promise<T>, ctx: {
  deadline: Pick<Deadline, 'signal' | 'timeoutMs' | 'started'>;
  /** True once the owner is closing: no retry then. */
  closing: () => boolean;
  repeatable?: boolean;
  /** Told the error code and why before the retry (for the debug log). */
  onRetry: (code: string | undefined, why: string) => void;
}): Promise<T> {
  try {
    return await send(false);
  } catch (err) {
    const { signal, timeoutMs, started } = ctx.deadline;
    const remaining = timeoutMs - (Date.now() - started);
    const neverSent = isSafeToRetry(err);
    const stale = !neverSent && ctx.repeatable === true && failedOnStaleConnection(err);
    if (!(neverSent || stale) || signal.aborted || remaining < RETRY_MIN_REMAINING_MS || ctx.closing()) throw err;
    ctx.onRetry(errorCodeOf(err), neverSent ? 'before anything was sent' : 'on a reused connection before any reply byte');
    if (neverSent) await sleep(RETRY_DELAY_MS, undefined, { signal });
    return send(stale);
  }
}
