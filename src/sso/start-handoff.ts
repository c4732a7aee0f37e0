import type { NextFunction, Request, Response } from 'express';
import type { LuminateClient } from '../client/luminate-client';
import type { ConstituentRef, SingleSignOnToken } from '../client/types';
import { debugFor, redact } from '../debug';
import { LuminateError } from '../errors';
import { resolveDestination, type CompiledDestinations } from './destinations';
import { applyFailurePolicy, asLuminateError, callHookSafely } from './failure';
import { establishSessionUrl, renderAutoPostPage, singleSignOnForm } from './handoff';
import type { ResolvedSsoOptions } from './options';
import { publicBaseOf, rawQueryOf, withQueryParam } from './request-urls';
import { newCspNonce, type HandoffCsp } from './security-headers';

const log = debugFor('sso');

export interface StartContext {
  config: ResolvedSsoOptions;
  client: Pick<LuminateClient, 'getSingleSignOnToken'>;
  destinations: CompiledDestinations;
  applyHeaders: (req: Request, res: Response, csp?: HandoffCsp) => void;
}

/** Checks what the constituent hook returned: exactly one non-empty id. */
function toConstituentRef(value: unknown): ConstituentRef {
  const v = value as { consId?: unknown; memberId?: unknown };
  const hasCons = v.consId !== undefined;
  const hasMember = v.memberId !== undefined;
  const id = hasCons ? v.consId : v.memberId;
  if (typeof value !== 'object' || hasCons === hasMember || typeof id !== 'string' || id.trim() === '') {
    throw new LuminateError(
      'SSO_CONSTITUENT_HOOK_FAILED',
      'The constituent hook must return { consId: string }, { memberId: string } or null.',
    );
  }
  return hasCons ? { consId: id.trim() } : { memberId: id.trim() };
}

/** Waits for `promise`, or rejects with `onAbort()` when the signal fires first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
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

function origins(...urls: string[]): string[] {
  return [...new Set(urls.map((u) => new URL(u).origin))];
}

/** `GET <start>?next=…`: resolve the destination and constituent, mint a token, hand the browser over. */
export async function startHandoff(ctx: StartContext, req: Request, res: Response, next: NextFunction): Promise<void> {
  const { config } = ctx;
  const { url: destination, refused } = resolveDestination(req.query.next, ctx.destinations);
  if (refused) log('refused next (%s); using the default destination', refused);
  log('start: destination %s', destination);
  const fail = (err: LuminateError) =>
    applyFailurePolicy(config, err, req, res, next, destination, (rq, rs) => ctx.applyHeaders(rq, rs));

  // One deadline covers the hook and the token call: the visitor gets an answer within it.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, config.timeoutMs);
  const onClose = () => { if (!res.writableFinished) controller.abort(); };
  res.once('close', onClose);
  const timeoutError = (cause?: unknown) =>
    new LuminateError('LUMINATE_TIMEOUT', `No single sign-on within ${config.timeoutMs} ms.`, { cause });
  try {
    let ref: ConstituentRef;
    try {
      const hookResult = Promise.resolve().then(() => config.constituent(req));
      hookResult.catch(() => undefined); // settled late after a timeout: not an unhandled rejection
      const value = await untilAborted(hookResult, controller.signal, () => timeoutError());
      if (value === null || value === undefined) {
        sendAnonymous(ctx, req, res, destination);
        return;
      }
      ref = toConstituentRef(value);
      log('constituent hook: %s', ref.consId === undefined ? `member_id ${ref.memberId}` : `cons_id ${ref.consId}`);
    } catch (e) {
      if (res.destroyed) return;
      fail(timedOut ? timeoutError(e) : asLuminateError(e, 'SSO_CONSTITUENT_HOOK_FAILED', 'The constituent hook threw.'));
      return;
    }

    const base = publicBaseOf(req, config.baseUrl);
    if (base === undefined) {
      fail(new LuminateError('SSO_INVALID_HOST', 'Cannot build the callback URL: the Host header is not a plain host name; set the baseUrl option.'));
      return;
    }
    const callbackUrl = `${base}${req.baseUrl}${config.paths.callback}`;

    let token: SingleSignOnToken;
    try {
      token = await ctx.client.getSingleSignOnToken(ref, { signal: controller.signal });
    } catch (e) {
      if (res.destroyed) return;
      fail(timedOut ? timeoutError(e) : asLuminateError(e, 'LUMINATE_NETWORK_ERROR', 'The token call failed.'));
      return;
    }
    if (res.destroyed) return; // the visitor left; the token simply expires unused
    sendHandoff(ctx, req, res, token, destination, callbackUrl);
  } finally {
    clearTimeout(timer);
    res.removeListener('close', onClose);
  }
}

function sendAnonymous(ctx: StartContext, req: Request, res: Response, destination: string): void {
  const { config } = ctx;
  ctx.applyHeaders(req, res);
  if (!config.loginUrl) {
    log('anonymous visitor and no loginUrl: continuing as a guest');
    res.redirect(302, destination);
    return;
  }
  // Our own route and the raw query: relative, so it cannot point anywhere else.
  const query = rawQueryOf(req);
  const returnTo = `${req.baseUrl}${config.paths.start}${query ? `?${query}` : ''}`;
  log('anonymous visitor: sending to loginUrl');
  res.redirect(302, withQueryParam(config.loginUrl, config.loginReturnParam, returnTo));
}

function sendHandoff(ctx: StartContext, req: Request, res: Response, token: SingleSignOnToken, destination: string, callbackUrl: string): void {
  const { config } = ctx;
  const info = { consId: token.consId, destination };
  if (config.handoff === 'establishSession') {
    if (token.nonce) {
      log('handoff establishSession for cons_id %s (nonce %s)', token.consId, redact(token.nonce));
      ctx.applyHeaders(req, res);
      res.redirect(302, establishSessionUrl(config.secureUrl, { ...token, nonce: token.nonce }, destination));
      callHookSafely(config.onHandoff, { ...info, handoff: 'establishSession' }, req);
      return;
    }
    log('Luminate sent no nonce (an older site): falling back to singleSignOn');
  }
  // Luminate fills ${errorResponse/code} in before signing; it must reach Luminate unencoded.
  const errorRedirect = `${callbackUrl}?next=${encodeURIComponent(destination)}&code=\${errorResponse/code}`;
  const form = singleSignOnForm({
    secureUrl: config.secureUrl,
    apiKey: config.apiKey,
    token: token.token,
    destination,
    errorRedirect,
    rememberMe: config.rememberMe,
  });
  const nonce = newCspNonce();
  ctx.applyHeaders(req, res, { nonce, formActionOrigins: origins(config.secureUrl, callbackUrl, destination) });
  log('handoff singleSignOn: auto-post page to %s for cons_id %s (token %s); Luminate errors return to %s',
    form.action, token.consId, redact(token.token), callbackUrl);
  res.status(200).type('html').send(renderAutoPostPage(form, nonce));
  callHookSafely(config.onHandoff, { ...info, handoff: 'singleSignOn' }, req);
}
