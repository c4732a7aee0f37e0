import type { NextFunction, Request, Response } from 'express';
import type { LuminateClient } from '../luminate/luminate-client';
import { debugFor, redact } from '../debug';
import { LuminateError } from '../errors';
import { asLuminateError, callHookSafely, toErrorHandler } from '../http/failure';
import type { EstablishSessionUrl } from '../luminate/handoff';
import { sendRedirect } from '../http/redirect';
import { publicPath, publicUrl, withQueryParam } from '../http/request-urls';
import { throttleClientKey } from '../http/client-key';
import { readCredentials } from './credentials';
import { bodyField, csrfValid, rotateCsrfToken } from './csrf';
import type { LoginAttempt, LoginThrottle } from './login-throttle';
import { LOGIN_ROOT, verifyLoginResponse, type VerifiedLogin } from '../luminate/login-response';
import type { ResolvedLoginOptions } from './resolve-options';
import type { ApplyHeaders, BridgePages, PageKind } from '../http/message-page';
import { resolveReturnTo } from './return-to';
import { startLoginSession } from './session';

const log = debugFor('login');

export interface LoginContext {
  config: ResolvedLoginOptions;
  client: Pick<LuminateClient, 'callServerApi'>;
  throttle: LoginThrottle;
  applyHeaders: ApplyHeaders;
  /** The router's pages (in the host's layout with `renderPage`). */
  pages: BridgePages;
  now: () => number;
  establishSessionUrl: EstablishSessionUrl;
}

/**
 * What the host's form shows for `?error=`: `credentials` (refused; which field is never said),
 * `incomplete` (a field left empty), `unavailable` (Luminate or the store could not answer).
 */
export type LoginFormError = 'credentials' | 'incomplete' | 'unavailable';

/**
 * Luminate errors that mean the bridge or the site is set up wrong, not that the visitor typed
 * something wrong: API key (2), API administrator (3), IP white list (4), method not available
 * (5, 6, 14), a parameter the site wants and the form lacks (9), no authentication fields (33).
 */
const CONFIGURATION_CODES: ReadonlySet<number> = new Set([2, 3, 4, 5, 6, 9, 14, 33]);

/**
 * What a failed call means, and what is reported. A configuration problem goes to the host's error
 * handler; refused credentials stay counted and go back to the form; Luminate's own trouble
 * (network, timeout, odd reply, a reply that does not verify) gives the attempt's places back.
 */
function judge(err: LuminateError, mode: string): { outcome: 'configuration' | 'refused' | 'unavailable'; err: LuminateError } {
  const code = err.luminateCode;
  if (err.code !== 'LUMINATE_CONSTITUENT_NOT_FOUND' && (code === undefined || CONFIGURATION_CODES.has(code))) {
    if (code === undefined) return { outcome: 'unavailable', err };
    if (code !== 33) return { outcome: 'configuration', err };
    const fix = 'Mark the fields (Setup > Database Configuration, or ask Blackbaud support) ' +
      'and list their column names in luminateLogin({ fields }).';
    return {
      outcome: 'configuration',
      err: new LuminateError(
        'LUMINATE_NO_AUTH_FIELDS',
        `Luminate refused authenticateUser with error 33: no constituent field is marked "Use for Authentication" on the site. ${fix}`,
        { luminateCode: 33, ...(err.upstreamStatus !== undefined ? { upstreamStatus: err.upstreamStatus } : {}), cause: err },
      ),
    };
  }
  const message = `Luminate refused the ${mode} credentials (Luminate code ${code ?? '-'}).`;
  const options = { ...(code !== undefined && { luminateCode: code }), cause: err };
  return { outcome: 'refused', err: new LuminateError('LOGIN_CREDENTIALS_REFUSED', message, options) };
}

/** `POST <login>` (with express-session): check the form, ask Luminate, verify its answer, start the host session, send the visitor on. */
export async function handleLogin(ctx: LoginContext, req: Request, res: Response, next: NextFunction): Promise<void> {
  const { config } = ctx;
  const report = (err: LuminateError) => {
    log('login not completed: %s', err.code);
    callHookSafely(config.onError, err, req);
  };
  const rawReturnTo = bodyField(req, config.returnToParam);
  const returnTo = resolveReturnTo(rawReturnTo, config.destinations.compiled, config.destinations.default);
  if (returnTo.refused) log('refused returnTo (%s); using the default', returnTo.refused);
  // Back to the host's form with a reason, keeping an accepted returnTo for the next try.
  const keepReturnTo = typeof rawReturnTo === 'string' && rawReturnTo !== '' && returnTo.refused === undefined;
  // Public URLs, like every URL the browser is given (see publicPath).
  const formUrl = publicPath(
    keepReturnTo ? withQueryParam(config.formUrl, config.returnToParam, publicPath(returnTo.url, config.baseUrl)) : config.formUrl,
    config.baseUrl,
  );
  const backToForm = (reason: LoginFormError) => {
    ctx.applyHeaders(req, res);
    res.redirect(303, withQueryParam(formUrl, 'error', reason));
  };
  const refusalPage = (kind: PageKind, status: number, title: string, message: string) =>
    ctx.pages.send(req, res, { kind, status, title, message, link: { href: formUrl, label: 'Back to the login form' } });

  if (!csrfValid(req)) {
    report(new LuminateError('LOGIN_CSRF_INVALID', 'Refused a login POST without the token of its session (expired form, or a request from another site).'));
    refusalPage('login-expired', 403, 'This form has expired', 'Please go back to the login form, reload it and try again.');
    return;
  }
  const read = readCredentials(req.body, config);
  if (!read.ok) {
    if (read.outcome === 'bad-request') {
      report(read.error);
      refusalPage('login-refused', 400, 'Unexpected form', 'This login form sent something the site does not accept.');
    } else {
      backToForm(read.outcome === 'incomplete' ? 'incomplete' : 'credentials');
    }
    return;
  }

  let attempt: LoginAttempt;
  try {
    attempt = await ctx.throttle.begin(throttleClientKey(req), read.identifier);
  } catch (e) {
    const err = asLuminateError(e, 'SSO_STORE_UNAVAILABLE', 'The throttle store failed.');
    report(err);
    if (err.code !== 'LOGIN_THROTTLED') {
      backToForm('unavailable'); // fail closed: no login without a working counter
      return;
    }
    res.setHeader('Retry-After', String(err.retryAfterSeconds ?? 60));
    const minutes = Math.max(1, Math.ceil((err.retryAfterSeconds ?? 60) / 60));
    const wait = `Please wait about ${minutes} minute${minutes === 1 ? '' : 's'} before trying again.`;
    refusalPage('login-throttled', 429, 'Too many attempts', wait);
    return;
  }

  let login: VerifiedLogin;
  try {
    // Credentials go only in the POST body of this server-to-server call (callServerApi).
    const record = await ctx.client.callServerApi(config.mode, read.params, LOGIN_ROOT);
    login = verifyLoginResponse(record, {
      secret: config.apiSecretKey,
      algorithm: config.signatureAlgorithm,
      maxAgeSeconds: config.signatureMaxAgeSeconds,
      now: ctx.now(),
    });
  } catch (e) {
    const err = asLuminateError(e, 'LUMINATE_NETWORK_ERROR', `The ${config.mode} call failed.`);
    const failure = judge(err, config.mode);
    log('%s failed: %s (luminate code %s) → %s', config.mode, err.code, err.luminateCode ?? '-', failure.outcome);
    // The next attempt needs a freshly loaded form.
    rotateCsrfToken(req);
    if (failure.outcome !== 'refused') await attempt.notJudged().catch((storeError: unknown) => report(storeError as LuminateError));
    if (failure.outcome === 'configuration') {
      callHookSafely(config.onError, failure.err, req);
      toErrorHandler(res, next, failure.err);
      return;
    }
    report(failure.err);
    // Error 1 ("unable to process") is counted, but may be Luminate's own trouble.
    backToForm(failure.outcome === 'unavailable' || failure.err.luminateCode === 1 ? 'unavailable' : 'credentials');
    return;
  }

  try {
    await startLoginSession(req, { consId: login.consId, mode: config.mode, at: ctx.now() });
  } catch (e) {
    const err = asLuminateError(e, 'LOGIN_SESSION_FAILED', 'The host session could not be started.');
    callHookSafely(config.onError, err, req);
    toErrorHandler(res, next, err);
    return;
  }
  attempt.succeeded().catch((e: unknown) => report(asLuminateError(e, 'SSO_STORE_UNAVAILABLE', 'The throttle store failed.')));
  sendOn(ctx, req, res, login, returnTo.url);
}

/** To the destination; through EstablishSession first when Luminate sent a nonce (then both sites are logged in). */
function sendOn(ctx: LoginContext, req: Request, res: Response, login: VerifiedLogin, destination: string): void {
  const { config } = ctx;
  // A site path lands under baseUrl's path, through EstablishSession or not (see publicPath).
  let target = publicPath(destination, config.baseUrl);
  if (config.establishSession && login.nonce !== undefined) {
    const nextUrl = publicUrl(req, config.baseUrl, destination);
    if (nextUrl === undefined) {
      log('cannot build an absolute NEXTURL from the Host header (set baseUrl); skipping EstablishSession');
    } else {
      target = ctx.establishSessionUrl({ nonce: login.nonce, ...(login.routingId ? { routingId: login.routingId } : {}) }, nextUrl);
    }
  }
  const viaLuminate = target !== publicPath(destination, config.baseUrl);
  log('logged in cons_id %s (%s); to %s%s', login.consId, config.mode, destination, viaLuminate ? ` through EstablishSession (nonce ${redact(login.nonce)})` : '');
  ctx.applyHeaders(req, res);
  sendRedirect(res, target, 303); // no body: the EstablishSession URL carries the nonce
  callHookSafely(config.onLogin, { consId: login.consId, mode: config.mode, destination, establishSession: viaLuminate }, req);
}
