import type { NextFunction, Request, Response } from 'express';
import { debugFor } from '../debug';
import { causeText } from './cause-text';
import { LuminateError, isLuminateError } from '../errors';

const log = debugFor('sso');

/** Any thrown value as a LuminateError; foreign errors keep their text only as `cause`. */
export function asLuminateError(err: unknown, fallbackCode: LuminateError['code'], message: string): LuminateError {
  return isLuminateError(err) ? err : new LuminateError(fallbackCode, message, { cause: err });
}

/** Calls a user hook; a hook that throws must never break the visitor's answer. */
export function callHookSafely<A extends unknown[]>(hook: ((...args: A) => void) | undefined, ...args: A): void {
  if (!hook) return;
  try {
    Promise.resolve(hook(...args) as unknown).catch((e: unknown) => log('a hook rejected: %s', causeText(e)));
  } catch (e) {
    // The host's own text is left out (causeText): it may carry anything, its secrets included.
    log('a hook threw: %s', causeText(e));
  }
}

/** The two options the failure policy reads (luminateSso's `onFailure` and `onError`). */
interface FailurePolicy {
  onFailure: 'continue' | 'error';
  onError?: ((err: LuminateError, req: Request) => void) | undefined;
}

/** `next(err)`; the host's error page must still not be cached or leak a referrer (the query may carry a signature). */
export function toErrorHandler(res: Response, next: NextFunction, err: LuminateError): void {
  if (!res.headersSent) {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
  }
  next(err);
}

/** `continue` sends the visitor on to the destination as a guest (a gift can still be made), `error` calls next(err). */
export function applyFailurePolicy(
  config: FailurePolicy,
  err: LuminateError,
  req: Request,
  res: Response,
  next: NextFunction,
  destination: string,
  prepare: (req: Request, res: Response) => void,
): void {
  callHookSafely(config.onError, err, req);
  log('failure %s (luminate code %s); policy %s', err.code, err.luminateCode ?? '-', config.onFailure);
  if (config.onFailure === 'error') {
    toErrorHandler(res, next, err);
    return;
  }
  prepare(req, res);
  res.redirect(302, destination);
}
