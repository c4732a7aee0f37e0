import type { AbortSignalLike } from '../client/types';

/** Waits for `promise`, or rejects with `onAbort()` when the signal fires first. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignalLike, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', abort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', abort); reject(e); },
    );
  });
}
