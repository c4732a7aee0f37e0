import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { LuminateClient } from '../luminate/luminate-client';
import type { ConstituentRef, SingleSignOnToken } from '../luminate/types';
import { debugFor, maskEmail, redact } from '../debug';
import { untilAborted } from '../util/abort';
import { LuminateError, isLuminateError } from '../errors';
import { callAttribution, configuredAttribution, requestAttribution } from './attribution';
import { checkEmail, type CheckedEmail } from './email';
import { consIdForEmail, forget } from './find-constituent';
import type { SingleFlight } from '../store/single-flight';
import { resolveDestination, type CompiledDestinations } from '../http/destinations';
import { applyFailurePolicy, asLuminateError, callHookSafely } from '../http/failure';
import { sendRedirect, singleSignOnForm, type EstablishSessionUrl } from '../luminate/handoff';
import type { BridgePages } from '../http/message-page';
import { sendThrottledPage, type MintThrottle } from './mint-throttle';
import type { Attribution, ResolvedSsoOptions } from './options';
import { publicPath, publicUrl, rawQueryOf, withQueryParam } from '../http/request-urls';
import type { HandoffCsp } from '../http/security-headers';
import { notNavigation } from '../http/navigation';

const log = debugFor('sso');

export interface StartContext {
  config: ResolvedSsoOptions;
  client: Pick<LuminateClient, 'getSingleSignOnToken' | 'callServerApi'>;
  /** Shares one email lookup (and creation) between concurrent clicks. */
  flight: SingleFlight;
  destinations: CompiledDestinations;
  applyHeaders: (req: Request, res: Response, csp?: HandoffCsp) => void;
  /** The handoff and throttled pages (in the host's layout with `renderPage`). */
  pages: BridgePages;
  /** Limits token requests per visitor and per client IP. */
  throttle: MintThrottle;
  /** EstablishSession URLs for config.secureUrl: establishSessionUrls(config.secureUrl). */
  establishSessionUrl: EstablishSessionUrl;
}

/** Who the hook says the visitor is: an id Luminate takes as is, or an email to look up. */
type HookRef = ConstituentRef | { email: CheckedEmail };

/** Checks what the constituent hook returned: exactly one non-empty id, or one plausible email. */
function toConstituentRef(value: unknown): HookRef {
  const v = (typeof value === 'object' && value !== null ? value : {}) as { consId?: unknown; memberId?: unknown; email?: unknown };
  const given = [v.consId, v.memberId, v.email].filter((x) => x !== undefined).length;
  if (v.email !== undefined && given === 1) {
    const email = checkEmail(v.email);
    // The address itself stays out of the message: errors reach logs and onError.
    if (email === undefined) {
      throw new LuminateError(
        'SSO_CONSTITUENT_HOOK_FAILED',
        'The constituent hook returned an email that is not a plausible address (one "@", a dotted domain, at most 254 characters).',
      );
    }
    return { email };
  }
  const id = v.consId !== undefined ? v.consId : v.memberId;
  if (typeof value !== 'object' || given !== 1 || typeof id !== 'string' || id.trim() === '') {
    throw new LuminateError(
      'SSO_CONSTITUENT_HOOK_FAILED',
      `The constituent hook must return { consId: string }, { memberId: string }, { email: string } or null; it returned ${shapeOf(value)}.`,
    );
  }
  return v.consId !== undefined ? { consId: id.trim() } : { memberId: id.trim() };
}

/** What a hook returned, by type only (`{ consId: number }`): no value reaches a log line. */
function shapeOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`;
  if (Array.isArray(value)) return 'an array';
  const keys = Object.keys(value).slice(0, 5);
  const typeOf = (v: unknown): string => (v === null ? 'null' : typeof v === 'string' && v.trim() === '' ? 'blank string' : typeof v);
  return `{ ${keys.map((k) => `${/^[A-Za-z_]\w{0,30}$/.test(k) ? k : '?'}: ${typeOf((value as Record<string, unknown>)[k])}`).join(', ')} }`;
}

function describe(ref: HookRef): string {
  if ('email' in ref) return `email ${maskEmail(ref.email.key)}`;
  return ref.consId === undefined ? `member_id ${ref.memberId}` : `cons_id ${ref.consId}`;
}

/** Mints the token; an id goes straight to Luminate, without another async step on the way. */
function mintToken(
  ctx: StartContext,
  req: Request,
  ref: HookRef,
  attribution: Attribution,
  signal: AbortSignal,
  onAbort: () => Error,
): Promise<SingleSignOnToken> {
  const call = { signal, ...callAttribution(attribution) };
  if (!('email' in ref)) return ctx.client.getSingleSignOnToken(ref, call);
  return mintTokenForEmail(ctx, req, ref, call, attribution, signal, onAbort);
}

/**
 * Mints the token, first turning an email into a cons_id. A cons_id remembered in the session
 * that Luminate no longer knows (merged or deleted record) is forgotten and looked up again, once.
 */
async function mintTokenForEmail(
  ctx: StartContext,
  req: Request,
  ref: { email: CheckedEmail },
  call: { signal: AbortSignal; source?: string; subSource?: string },
  attribution: Attribution,
  signal: AbortSignal,
  onAbort: () => Error,
): Promise<SingleSignOnToken> {
  const found = await consIdForEmail(ctx, req, ref.email, attribution, signal, onAbort);
  try {
    return await ctx.client.getSingleSignOnToken({ consId: found.consId }, call);
  } catch (e) {
    if (!found.remembered || !isLuminateError(e) || e.code !== 'LUMINATE_CONSTITUENT_NOT_FOUND') throw e;
    log('remembered cons_id %s is not found any more; looking %s up again', found.consId, maskEmail(ref.email.key));
    forget(req);
  }
  const again = await consIdForEmail(ctx, req, ref.email, attribution, signal, onAbort, true);
  return ctx.client.getSingleSignOnToken({ consId: again.consId }, call);
}

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
      if (log.enabled) log('constituent hook: %s', describe(ref));
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

/** 429 + Retry-After: the throttle page (policy 'continue') or the host's error handler ('error'). */
function refuseThrottled(
  ctx: StartContext, req: Request, res: Response, err: LuminateError, destination: string, fail: (err: LuminateError) => void,
): void {
  if (ctx.config.onFailure === 'error') {
    res.setHeader('Retry-After', String(err.retryAfterSeconds ?? 60));
    fail(err);
    return;
  }
  callHookSafely(ctx.config.onError, err, req);
  sendThrottledPage(ctx.pages, req, res, err, destination);
}

/**
 * A logged-in visitor's request that is not a top-level navigation: 403, no token, nothing
 * counted, whatever onFailure says. Not a redirect to the destination: a prefetched redirect
 * would later stand in for the visitor's real click and send them on as a guest; an error status
 * is discarded by the browser, so the click itself still reaches the bridge. The page links on.
 */
function refuseNonNavigation(ctx: StartContext, req: Request, res: Response, reason: string, destination: string): void {
  log('not a navigation (%s): no token', reason);
  callHookSafely(ctx.config.onError, new LuminateError('SSO_NOT_NAVIGATION', `Refused to mint a token for ${reason}: only a top-level navigation is handed over.`), req);
  ctx.pages.send(req, res, {
    kind: 'not-navigation', status: 403, title: 'Open the link to continue',
    message: 'Single sign-on starts only when the link is opened in the browser window.',
    link: { href: destination, label: 'Continue' },
  });
}

function sendAnonymous(ctx: StartContext, req: Request, res: Response, destination: string): void {
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

function sendHandoff(
  ctx: StartContext, req: Request, res: Response, token: SingleSignOnToken, destination: string, callbackUrl: string, attribution: Attribution,
): void {
  const { config } = ctx;
  const info = { consId: token.consId, destination };
  if (config.handoff === 'establishSession') {
    if (token.nonce) {
      // No source/sub_source in this URL: EstablishSession documents only NONCE_TOKEN and NEXTURL,
      // and the token call already carried the attribution for this session.
      if (log.enabled) log('handoff establishSession for cons_id %s (nonce %s)', token.consId, redact(token.nonce));
      ctx.applyHeaders(req, res);
      sendRedirect(res, ctx.establishSessionUrl({ ...token, nonce: token.nonce }, destination)); // no body: the URL carries the nonce
      callHookSafely(config.onHandoff, { ...info, handoff: 'establishSession' }, req);
      return;
    }
    log('Luminate sent no nonce (an older site): falling back to singleSignOn');
  }
  // Luminate fills ${errorResponse/code} in before signing; it must reach Luminate unencoded.
  // `hid` makes each handoff's error redirect unique: Luminate adds only `ts` in whole seconds, so
  // two visitors failing in the same second for one destination would otherwise get one signed URL,
  // and the replay guard would refuse the second visitor's (first) use of it.
  const errorRedirect = `${callbackUrl}?next=${encodeURIComponent(destination)}&hid=${randomBytes(9).toString('base64url')}&code=\${errorResponse/code}`;
  const form = singleSignOnForm({
    secureUrl: config.secureUrl,
    apiKey: config.apiKey,
    token: token.token,
    destination,
    errorRedirect,
    rememberMe: config.rememberMe,
    attribution,
  });
  if (log.enabled) {
    log('handoff singleSignOn: auto-post page to %s for cons_id %s (token %s); Luminate errors return to %s',
      form.action, token.consId, redact(token.token), callbackUrl);
  }
  // Every origin the form POST may end up on: Luminate, the callback, the destination.
  ctx.pages.sendHandoff(req, res, form, [config.secureUrl, callbackUrl, destination].map((url) => new URL(url).origin));
  callHookSafely(config.onHandoff, { ...info, handoff: 'singleSignOn' }, req);
}
