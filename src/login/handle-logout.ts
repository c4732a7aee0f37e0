import type { NextFunction, Request, Response } from 'express';
import { debugFor } from '../debug';
import { LuminateError } from '../errors';
import { asLuminateError, callHookSafely, toErrorHandler } from '../http/failure';
import { publicPath, publicUrl, verifySignedRequest } from '../http/request-urls';
import { refusedSignatureCode, reportedLuminateCode } from '../luminate/signature';
import { newHandoffId } from '../http/handoff-id';
import { CSRF_FIELD, csrfValid, luminateCsrfToken } from './csrf';
import type { ResolvedLoginOptions } from './resolve-options';
import type { LoginContext } from './handle-login';
import { notNavigation } from '../http/navigation';
import { readLoginSession } from '../http/login-session';
import { endHostSession, hostSessionOf } from './session';

const log = debugFor('login');

/** What the logout routes need of the router's context. */
type LogoutContext = Pick<LoginContext, 'config' | 'applyHeaders' | 'pages' | 'now'>;

/**
 * Luminate's client-API `logout`, as a top-level GET: Luminate's session cookie travels on a
 * cross-site top-level GET even when it is SameSite=Lax, not on a cross-site POST. [?] The
 * vendor pages do not say which verbs `logout` accepts; GET is assumed (the stand-in takes both).
 * Luminate signs its redirect back (`sign_redirects=true`), adding ts and signature.
 */
export function luminateLogoutUrl(config: Pick<ResolvedLoginOptions, 'secureUrl' | 'apiKey' | 'apiSecretKey'>, callbackUrl: string): string {
  const url = new URL(`${config.secureUrl}/site/CRConsAPI`);
  url.searchParams.set('method', 'logout');
  url.searchParams.set('api_key', config.apiKey);
  url.searchParams.set('v', '1.0');
  // `hid`: this bridge made the URL (see newHandoffId), so a refused signature on it is worth a warning.
  const back = `${callbackUrl}?hid=${newHandoffId(config.apiSecretKey)}`;
  url.searchParams.set('success_redirect', back);
  // Luminate fills ${errorResponse/code} in before signing.
  url.searchParams.set('error_redirect', `${back}&code=\${errorResponse/code}`);
  url.searchParams.set('sign_redirects', 'true');
  return url.href;
}

/** Where the logout POST and the redirects after it may go (Chrome applies form-action to those too). */
function logoutFormOrigins(config: ResolvedLoginOptions): string[] {
  const origins = new Set(["'self'", new URL(config.secureUrl).origin]);
  if (!config.afterLogout.startsWith('/')) origins.add(new URL(config.afterLogout).origin);
  return [...origins];
}

/** A session that holds something (a login, the host's own data, a form token) besides its cookie. */
function holdsData(req: Request): boolean {
  return Object.keys(hostSessionOf(req) ?? {}).some((key) => key !== 'cookie');
}

/**
 * `GET|POST <logout>` (with express-session): ends the host session, then sends the browser
 * through Luminate's logout, which comes back signed to `<logoutCallback>` and on to `afterLogout`.
 *
 * Logout CSRF: a POST needs the session's token. A GET acts only as a top-level navigation (not
 * an `<img>`, `fetch()`, HEAD or prefetch: 403, nothing ends), and at once only with
 * `Sec-Fetch-Site: same-origin` (pages cannot forge it); otherwise it shows a one-button
 * confirmation that POSTs with the token. So a plain `<a href="/luminate/logout">` works on the
 * host's pages, and no other site can log people out. A session with nothing in it goes straight
 * through, and none is created (seen: confirmations made 5,000 sessions for 5,000 anonymous requests).
 */
export async function handleLogout(ctx: LogoutContext, req: Request, res: Response, next: NextFunction): Promise<void> {
  const { config } = ctx;
  const action = publicPath(`${req.baseUrl}${config.paths.logout}`, config.baseUrl);
  const refusal = req.method === 'POST' ? undefined : notNavigation(req);
  if (refusal !== undefined) {
    callHookSafely(config.onError, new LuminateError('SSO_NOT_NAVIGATION', `Refused to log out for ${refusal}: only a top-level navigation logs out.`), req);
    ctx.pages.send(req, res, {
      kind: 'not-navigation', status: 403, title: 'Open the link to log out',
      message: 'Logging out works only when the link is opened in the browser window.',
      link: { href: action, label: 'Log out' },
    });
    return;
  }
  const anonymous = !holdsData(req);
  // "Log out?" with a button: the POST carries the session's token, so no other site can press it.
  const confirm = (status: number, message: string) =>
    ctx.pages.send(req, res, {
      kind: 'logout-confirm', status, title: 'Log out', message,
      form: { action, fields: [[CSRF_FIELD, luminateCsrfToken(req)]], button: 'Log out' },
      formActionOrigins: logoutFormOrigins(config),
    });
  if (anonymous) {
    // Nothing of the host's to end; Luminate's logout URL is public anyway.
  } else if (req.method === 'POST') {
    if (!csrfValid(req)) {
      callHookSafely(config.onError, new LuminateError('LOGIN_CSRF_INVALID', 'Refused a logout POST without the token of its session.'), req);
      confirm(403, 'This page has expired. Do you want to log out?');
      return;
    }
  } else if (req.get('sec-fetch-site') !== 'same-origin') {
    confirm(200, 'Do you want to log out of this site and of the donation site?');
    return;
  }

  const consId = readLoginSession(req)?.consId;
  const callbackUrl = publicUrl(req, config.baseUrl, `${req.baseUrl}${config.paths.logoutCallback}`);
  if (!anonymous) {
    try {
      await endHostSession(req);
    } catch (e) {
      const err = asLuminateError(e, 'LOGIN_SESSION_FAILED', 'The host session could not be destroyed.');
      callHookSafely(config.onError, err, req);
      toErrorHandler(res, next, err);
      return;
    }
    log('host session ended%s', consId ? ` (cons_id ${consId})` : '');
  }
  const status = req.method === 'POST' ? 303 : 302;
  ctx.applyHeaders(req, res);
  if (callbackUrl === undefined) {
    // Without a trustworthy public URL Luminate cannot be told where to come back to.
    callHookSafely(config.onError, new LuminateError('SSO_INVALID_HOST', 'Cannot build the logout callback URL: the Host header is not a plain host name; set baseUrl. Luminate was not logged out.'), req);
    res.redirect(status, publicPath(config.afterLogout, config.baseUrl));
    return;
  }
  res.redirect(status, luminateLogoutUrl(config, callbackUrl));
}

/**
 * `GET <logoutCallback>`: Luminate's signed redirect after its logout. It grants nothing (the host
 * session is already gone) and always lands on the configured page; what can be verified is
 * verified and reported: the signature, its age, and whether Luminate reported an error.
 */
export function handleLogoutCallback(ctx: LogoutContext, req: Request, res: Response): void {
  const { config } = ctx;
  const checked = verifySignedRequest(req, config, config.signatureMaxAgeSeconds, ctx.now());
  if (!checked.ok) {
    callHookSafely(config.onError, new LuminateError(refusedSignatureCode(checked.reason), `Could not verify Luminate's logout callback (signature ${checked.reason}); nothing is trusted from it.`), req);
  } else if (checked.params.has('code')) {
    const luminateCode = reportedLuminateCode(checked.params);
    callHookSafely(config.onError, new LuminateError('SSO_CALLBACK_ERROR', `Luminate reported that logging out failed${luminateCode === undefined ? '' : ` (code ${luminateCode})`}.`, luminateCode === undefined ? {} : { luminateCode }), req);
  } else {
    log('Luminate confirmed the logout');
  }
  ctx.applyHeaders(req, res);
  res.redirect(302, publicPath(config.afterLogout, config.baseUrl));
}
