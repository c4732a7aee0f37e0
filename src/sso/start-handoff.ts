import type { NextFunction, Request, Response } from 'express';
import type { Attribution, SingleSignOnToken } from '../luminate/types';
import { debugFor } from '../debug';
import { untilAborted } from '../util/abort';
import { LuminateError } from '../errors';
import { configuredAttribution, requestAttribution } from './attribution';
import { resolveDestination } from '../http/destinations';
import { applyFailurePolicy, asLuminateError } from '../http/failure';
import { publicUrl } from '../http/request-urls';
import { notNavigation } from '../http/navigation';
import { refuseNonNavigation, refuseThrottled, sendAnonymous, sendHandoff } from './replies';
import type { StartContext } from './start-context';
import { describeVisitor, mintToken, toConstituentRef, type HookRef } from './visitor';
import { preparedKeyFor } from './prepared-tokens';

const log = debugFor('sso');

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null &&
    typeof (value as { then?: unknown }).then === 'function';
}

/** `GET <start>?next=…`: resolve the destination and constituent, mint a token, hand the browser over. */
export async function startHandoff(ctx: StartContext, req: Request, res: Response, next: NextFunction): Promise<void> {
  const { config } = ctx;
  const { url: destination, refused } = resolveDestination(req.query.next, ctx.destinations);
  if (refused) log('refused next (%s); using the default destination', refused);
  log('start: destination %s', destination);
  const fail = (err: LuminateError) =>
    applyFailurePolicy(config, err, req, res, next, destination, (rq, rs) => ctx.applyHeaders(rq, rs));

  // One deadline covers the hook and the token call: the visitor gets an answer within it. The
  // click is also abandoned when the visitor leaves.
  const click = new AbortController();
  const { signal } = click;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    click.abort(new DOMException(`no single sign-on within ${config.timeoutMs} ms`, 'TimeoutError'));
  }, config.timeoutMs);
  const onClose = () => { if (!res.writableFinished) click.abort(new DOMException('the visitor left', 'AbortError')); };
  res.on('close', onClose); // left on: after the answer it finds the response finished and does nothing
  const timeoutError = (cause?: unknown) =>
    new LuminateError('LUMINATE_TIMEOUT', `No single sign-on within ${config.timeoutMs} ms.`, { cause });
  try {
    let ref: HookRef;
    let attribution: Attribution;
    try {
      // A hook that answers at once (most read the session) has nothing to race the deadline with.
      const answer: unknown = config.constituent(req);
      let value: unknown = answer;
      if (isThenable(answer)) {
        const hookResult = Promise.resolve(answer);
        hookResult.catch(() => undefined); // settled late after a timeout: not an unhandled rejection
        value = await untilAborted(hookResult, signal, () => timeoutError());
      }
      if (value === null || value === undefined) {
        sendAnonymous(ctx, req, res, destination);
        return;
      }
      ref = toConstituentRef(value);
      if (log.enabled) log('constituent hook: %s', describeVisitor(ref));
      // Only a per-request attribution function has anything to wait for.
      const { perRequest } = config.attribution;
      attribution = perRequest === undefined
        ? configuredAttribution(config, req)
        : await untilAborted(requestAttribution(perRequest, req), signal, () => timeoutError());
    } catch (e) {
      if (res.destroyed) return;
      fail(timedOut ? timeoutError(e) : asLuminateError(e, 'SSO_CONSTITUENT_HOOK_FAILED', 'The constituent hook threw.'));
      return;
    }

    // Only a visitor opening the link mints a token (seen: nine cross-site <img> loads and a HEAD
    // used up a visitor's throttle, and their real click got a 429).
    const refusal = notNavigation(req);
    if (refusal !== undefined) {
      refuseNonNavigation(ctx, req, res, refusal, destination);
      return;
    }

    const callbackUrl = publicUrl(req, config.baseUrl, `${req.baseUrl}${config.paths.callback}`);
    if (callbackUrl === undefined) {
      fail(new LuminateError('SSO_INVALID_HOST', 'Cannot build the callback URL: the Host header is not a plain host name; set the baseUrl option.'));
      return;
    }

    // A token prepared on intent (`prepare`): no token call, and so no throttle count, on the click.
    const key = ctx.prepared && preparedKeyFor(req, ref);
    const prepared = key === undefined ? undefined : await ctx.prepared?.take(key, attribution, signal);
    if (prepared !== undefined) {
      if (!res.destroyed) sendHandoff(ctx, req, res, prepared, destination, callbackUrl, attribution);
      return;
    }

    if (ctx.throttle.enabled) {
      try {
        await untilAborted(ctx.throttle.check(req, ref), signal, () => timeoutError());
      } catch (e) {
        if (res.destroyed) return;
        const err = timedOut ? timeoutError(e) : asLuminateError(e, 'SSO_STORE_UNAVAILABLE', 'The token throttle failed.');
        if (err.code === 'SSO_THROTTLED') refuseThrottled(ctx, req, res, err, destination, fail);
        else fail(err);
        return;
      }
    }

    let token: SingleSignOnToken;
    try {
      token = await mintToken(ctx, req, ref, attribution, signal, () => timeoutError());
    } catch (e) {
      if (res.destroyed) return;
      fail(timedOut ? timeoutError(e) : asLuminateError(e, 'LUMINATE_NETWORK_ERROR', 'The token call failed.'));
      return;
    }
    if (res.destroyed) return; // the visitor left; the token simply expires unused
    sendHandoff(ctx, req, res, token, destination, callbackUrl, attribution);
  } finally {
    clearTimeout(timer);
  }
}
