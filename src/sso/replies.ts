/** The start route's answers: the handoff itself, an anonymous visitor, a throttled or non-navigation request. */
import type { Request, Response } from 'express';
import { debugFor, redact } from '../debug';
import { LuminateError } from '../errors';
import { callHookSafely } from '../http/failure';
import { newHandoffId } from '../http/handoff-id';
import { sendRedirect } from '../http/redirect';
import { publicPath, rawQueryOf, withQueryParam } from '../http/request-urls';
import { singleSignOnForm } from '../luminate/handoff';
import type { Attribution, SingleSignOnToken } from '../luminate/types';
import type { StartContext } from './start-context';

const log = debugFor('sso');

/**
 * 429 + Retry-After: the host's error handler (onFailure 'error'), or a page with a plain link to
 * the destination, so the gift can still be made as a guest.
 */
export function refuseThrottled(
  ctx: StartContext, req: Request, res: Response, err: LuminateError, destination: string, fail: (err: LuminateError) => void,
): void {
  res.setHeader('Retry-After', String(err.retryAfterSeconds ?? 60));
  if (ctx.config.onFailure === 'error') {
    fail(err);
    return;
  }
  callHookSafely(ctx.config.onError, err, req);
  ctx.pages.send(req, res, {
    kind: 'throttled', status: 429, title: 'Please wait a moment',
    message: 'We could not sign you in automatically just now: too many attempts.',
    link: { href: destination, label: 'Continue without signing in' },
  });
}

/**
 * A logged-in visitor's request that is not a top-level navigation: 403, no token, nothing
 * counted, whatever onFailure says. Not a redirect to the destination: a prefetched redirect
 * would later stand in for the visitor's real click and send them on as a guest; an error status
 * is discarded by the browser, so the click itself still reaches the bridge. The page links on.
 */
export function refuseNonNavigation(ctx: StartContext, req: Request, res: Response, reason: string, destination: string): void {
  log('not a navigation (%s): no token', reason);
  callHookSafely(ctx.config.onError, new LuminateError('SSO_NOT_NAVIGATION', `Refused to mint a token for ${reason}: only a top-level navigation is handed over.`), req);
  ctx.pages.send(req, res, {
    kind: 'not-navigation', status: 403, title: 'Open the link to continue',
    message: 'Single sign-on starts only when the link is opened in the browser window.',
    link: { href: destination, label: 'Continue' },
  });
}

export function sendAnonymous(ctx: StartContext, req: Request, res: Response, destination: string): void {
  const { config } = ctx;
  ctx.applyHeaders(req, res);
  if (!config.loginUrl) {
    log('anonymous visitor and no loginUrl: continuing as a guest');
    res.redirect(302, destination);
    return;
  }
  // Our own route and the raw query: relative, so it cannot point anywhere else. Both URLs are
  // public ones (under baseUrl's path), like every URL the browser is given.
  const query = rawQueryOf(req);
  const returnTo = publicPath(`${req.baseUrl}${config.paths.start}${query ? `?${query}` : ''}`, config.baseUrl);
  log('anonymous visitor: sending to loginUrl');
  res.redirect(302, publicPath(withQueryParam(config.loginUrl, config.loginReturnParam, returnTo), config.baseUrl));
}

export function sendHandoff(
  ctx: StartContext, req: Request, res: Response, token: SingleSignOnToken, destination: string, callbackUrl: string, attribution: Attribution,
): void {
  const { config } = ctx;
  const info = { consId: token.consId, destination };
  if (config.handoff === 'establishSession') {
    if (token.nonce) {
      // No source/sub_source in this URL: EstablishSession documents only NONCE_TOKEN and NEXTURL,
      // and the token call already carried the attribution for this session.
      log('handoff establishSession for cons_id %s (nonce %s)', token.consId, redact(token.nonce));
      ctx.applyHeaders(req, res);
      sendRedirect(res, ctx.establishSessionUrl({ ...token, nonce: token.nonce }, destination)); // no body: the URL carries the nonce
      callHookSafely(config.onHandoff, { ...info, handoff: 'establishSession' }, req);
      return;
    }
    log('Luminate sent no nonce (an older site): falling back to singleSignOn');
  }
  // Luminate fills ${errorResponse/code} in before signing; it must reach Luminate unencoded.
  // `hid` makes each handoff's error redirect unique (see newHandoffId): otherwise two visitors
  // failing in the same second for one destination would get one signed URL, and the replay guard
  // would refuse the second visitor's (first) use of it.
  const errorRedirect = `${callbackUrl}?next=${encodeURIComponent(destination)}&hid=${newHandoffId(config.apiSecretKey)}&code=\${errorResponse/code}`;
  const form = singleSignOnForm({
    secureUrl: config.secureUrl,
    apiKey: config.apiKey,
    token: token.token,
    destination,
    errorRedirect,
    rememberMe: config.rememberMe,
    attribution,
  });
  log('handoff singleSignOn: auto-post page to %s for cons_id %s (token %s); Luminate errors return to %s',
    form.action, token.consId, redact(token.token), callbackUrl);
  // Every origin the form POST may end up on: Luminate, the callback, the destination.
  ctx.pages.sendHandoff(req, res, form, [config.secureUrl, callbackUrl, destination].map((url) => new URL(url).origin));
  callHookSafely(config.onHandoff, { ...info, handoff: 'singleSignOn' }, req);
}
