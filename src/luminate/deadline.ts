import { setTimeout as sleep } from 'node:timers/promises';
import { errorCodeOf, failedOnStaleConnection, isSafeToRetry, type AbortState } from './network-errors';

/** Pause before the single retry of a connection that was refused or never established. */
const RETRY_DELAY_MS = 50;
/** No retry when less than this is left of the call's deadline. */
const RETRY_MIN_REMAINING_MS = 250;

/**
 * Starts a call's deadline of `timeoutMs` ms (retry included). `signal` aborts with a TimeoutError then, or
 * with `caller`'s reason; `state` tells toLuminateError which; `started` is Date.now() at the start.
 */
export function startDeadline(timeoutMs: number, host: string, caller?: AbortSignal) {
  const timeout = AbortSignal.timeout(timeoutMs);
  // The caller's signal first: when both have aborted, the caller's reason is the one kept.
  const signal = caller === undefined ? timeout : AbortSignal.any([caller, timeout]);
  const state: AbortState = { deadline: timeout, timeoutMs, host };
  if (caller !== undefined) state.caller = caller;
  return { signal, state, timeoutMs, started: Date.now() };
}

export type Deadline = ReturnType<typeof startDeadline>;

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
