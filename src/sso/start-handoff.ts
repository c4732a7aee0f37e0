import type { NextFunction, Request, Response } from 'express';
import type { Attribution, SingleSignOnToken } from '../luminate/types';
import { debugFor } from '../debug';
import { abortAfter, untilAborted } from '../util/abort';
import { LuminateError, type LuminateErrorCode } from '../errors';
import { attributionFor } from './attribution';
import { resolveDestination } from '../http/destinations';
import { applyFailurePolicy, asLuminateError } from '../http/failure';
import { publicUrl } from '../http/request-urls';
import { notNavigation } from '../http/navigation';
import { refuseNonNavigation, refuseThrottled, sendAnonymous, sendHandoff } from './replies';
import type { StartContext } from './start-context';
import { describeVisitor, mintToken, toConstituentRef, type HookRef } from './visitor';
import { preparedKeyFor } from './prepared-tokens';
import { remember } from './find-constituent';

const log = debugFor('sso');

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
  const click = abortAfter(config.timeoutMs);
  const { signal } = click.controller;
  res.on('close', () => {
    click.end();
    if (!res.writableFinished) click.controller.abort(new DOMException('the visitor left', 'AbortError'));
  });
  const timeoutError = (cause?: unknown) =>
    new LuminateError('LUMINATE_TIMEOUT', `No single sign-on within ${config.timeoutMs} ms.`, { cause });
  // Past the deadline, whatever failed is the timeout.
  const failure = (e: unknown, code: LuminateErrorCode, message: string) =>
    (click.timedOut() ? timeoutError(e) : asLuminateError(e, code, message));

  let ref: HookRef;
  let attribution: Attribution;
  try {
    const value: unknown = await untilAborted(Promise.resolve(config.constituent(req)), signal, () => timeoutError());
    if (value === null || value === undefined) {
      sendAnonymous(ctx, req, res, destination);
      return;
    }
    ref = toConstituentRef(value);
    log('constituent hook: %s', describeVisitor(ref));
    attribution = await attributionFor(config, req, signal, () => timeoutError());
  } catch (e) {
    if (!res.destroyed) fail(failure(e, 'SSO_CONSTITUENT_HOOK_FAILED', 'The constituent hook threw.'));
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
    const message = 'Cannot build the callback URL: the Host header is not a plain host name; set the baseUrl option.';
    fail(new LuminateError('SSO_INVALID_HOST', message));
    return;
  }

  // A token prepared on intent (`prepare`): no token call, and so no throttle count, on the click.
  const key = ctx.prepared && preparedKeyFor(req, ref);
  const prepared = key === undefined ? undefined : await ctx.prepared?.take(key, attribution, signal);
  if (prepared !== undefined) {
    if ('email' in ref) remember(req, ref.email, prepared.consId); // the prepare left the session as it was
    if (!res.destroyed) sendHandoff(ctx, req, res, prepared, destination, callbackUrl, attribution);
    return;
  }

  if (ctx.throttle !== undefined) {
    try {
      await untilAborted(ctx.throttle(req, ref), signal, () => timeoutError());
    } catch (e) {
      if (res.destroyed) return;
      const err = failure(e, 'SSO_STORE_UNAVAILABLE', 'The token throttle failed.');
      if (err.code === 'SSO_THROTTLED') refuseThrottled(ctx, req, res, err, destination, fail);
      else fail(err);
      return;
    }
  }

  let token: SingleSignOnToken;
  try {
    token = await mintToken(ctx, req, ref, attribution, signal, () => timeoutError());
  } catch (e) {
    if (!res.destroyed) fail(failure(e, 'LUMINATE_NETWORK_ERROR', 'The token call failed.'));
    return;
  }
  if (res.destroyed) return; // the visitor left; the token simply expires unused
  sendHandoff(ctx, req, res, token, destination, callbackUrl, attribution);
}
