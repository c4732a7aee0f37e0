import { Router, urlencoded, type NextFunction, type Request, type Response } from 'express';
import { siteClient } from '../luminate/luminate-client';
import { LuminateError } from '../errors';
import { callHookSafely, toErrorHandler } from '../http/failure';
import { bridgePages, type BridgePages } from '../http/message-page';
import { publicPath } from '../http/request-urls';
import { bridgeSecurityHeaders } from '../http/security-headers';
import { MemoryStore } from '../store/store';
import { luminateCsrfToken } from './csrf';
import { hostSessionOf, sessionRequired } from './session';
import { handleLogin } from './handle-login';
import { handleLogout, handleLogoutCallback } from './handle-logout';
import { LoginThrottle } from './login-throttle';
import type { LuminateLoginOptions } from './options';
import { resolveLoginOptions, type ResolvedLoginOptions } from './resolve-options';
import { looksLikeRequest } from '../http/looks-like-request';
import { establishSessionUrls } from '../luminate/handoff';
import { EMIT_WARNING } from '../config/logger';
import { isOwnHandoffId } from '../http/handoff-id';
import { observed, proxyWarning, secretsOf, untrustedProxy } from '../diagnostics/monitor';
import { OPTION_SETTING_NAMES, Warner, warningFor, type WarningSettings } from '../diagnostics/warnings';

/** The router `luminateLogin()` returns, with a way to release the client's sockets on shutdown. */
export type LuminateLoginRouter = Router & {
  /** Closes the router's own LuminateClient (an injected one is left to its owner); later logins fail with LUMINATE_CLIENT_CLOSED. */
  close(): Promise<void>;
};

/** A login form is a handful of short fields: anything bigger or odder is refused before it is read. */
const readForm = urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });

/**
 * Reads the form body; an unreadable one (too large or too many fields: 413, malformed: 400) gets
 * the refused-form page, as a field the form may not send does, and `onError` sees it.
 */
function formBody(config: ResolvedLoginOptions, pages: BridgePages) {
  return (req: Request, res: Response, next: NextFunction): void => {
    readForm(req, res, (err?: unknown) => {
      if (err === undefined || err === null) {
        next();
        return;
      }
      const status = (err as { status?: unknown }).status === 413 ? 413 : 400;
      const message = 'The login or logout form body could not be read (too large, too many fields, or malformed).';
      callHookSafely(config.onError, new LuminateError('LOGIN_BAD_REQUEST', message, { cause: err, status }), req);
      pages.send(req, res, {
        kind: 'login-refused', status, title: 'Unexpected form',
        message: 'This form sent something the site does not accept.',
        link: { href: publicPath(config.formUrl, config.baseUrl), label: 'Back to the login form' },
      });
    });
  };
}

/**
 * Express middleware that logs visitors in with their Luminate credentials (`authenticateUser`
 * fields such as membership number and last name, or a Luminate user name and password) and logs
 * them out of both sites. Mount it with `app.use(luminateLogin({ ... }))` after express-session;
 * see the README for every option.
 *
 * `next(err)` gets LOGIN_SESSION_REQUIRED (no express-session), LOGIN_SESSION_FAILED, and a site set
 * up wrong: LUMINATE_API_KEY_INVALID, LUMINATE_AUTH_FAILED, LUMINATE_IP_NOT_ALLOWED, LUMINATE_METHOD_RESTRICTED,
 * LUMINATE_INVALID_METHOD, LUMINATE_MISSING_PARAMETERS, LUMINATE_METHOD_NOT_ALLOWED, LUMINATE_NO_AUTH_FIELDS (33).
 * The visitor's own failures and Luminate's trouble only reach `onError`, with a page or a
 * redirect back to `formUrl?error=`: LOGIN_CSRF_INVALID, LOGIN_BAD_REQUEST, LOGIN_CREDENTIALS_REFUSED,
 * LOGIN_THROTTLED (429), LOGIN_SIGNATURE_INVALID / _EXPIRED, SSO_NOT_NAVIGATION, SSO_STORE_UNAVAILABLE, network
 * codes; the logout callback's SSO_CALLBACK_SIGNATURE_INVALID / _EXPIRED / SSO_CALLBACK_ERROR, SSO_INVALID_HOST.
 * @throws TypeError `luminateLogin(): <option> …` naming the first bad or unknown option (and its env
 * variable) and the fix; or, for `app.use(luminateLogin)`, how to call it.
 */
export function luminateLogin(options: LuminateLoginOptions, ...rest: unknown[]): LuminateLoginRouter {
  if (rest.length > 0 || looksLikeRequest(options)) {
    throw new TypeError(
      "luminateLogin(): it looks like you wrote `app.use(luminateLogin)`. Call it with options: `app.use(luminateLogin({ mode: 'authenticateUser', fields, formUrl }))`.",
    );
  }
  return createLoginRouter(resolveLoginOptions(options));
}

const LOGIN = 'luminateLogin()';

/** The router for resolved options; `now` is the clock of the throttle and signature checks (tests). */
export function createLoginRouter(resolved: ResolvedLoginOptions, deps: { now?: () => number } = {}): LuminateLoginRouter {
  const now = deps.now ?? Date.now;
  // onError observed: a failure that means the site is set up wrong is also a warning.
  const warner = new Warner(resolved.logger ?? EMIT_WARNING, secretsOf(resolved), now);
  const settings: WarningSettings = {
    names: OPTION_SETTING_NAMES, signatureAlgorithm: resolved.signatureAlgorithm, who: LOGIN, consequence: 'no visitor can log in',
    scrub: warner.scrub,
    ownCallback: (req) => isOwnHandoffId(req.query.hid, resolved.apiSecretKey),
  };
  const onError = observed((err: LuminateError, req: Request) => {
    const warning = warningFor(err, req, settings);
    if (warning !== undefined) warner.warn(warning.code, warning.message);
  }, resolved.onError);
  const config = { ...resolved, onError };
  const { client, own: ownClient } = siteClient(config);
  const store = config.store ?? new MemoryStore({ now });
  const applyHeaders = bridgeSecurityHeaders();
  const pages = bridgePages(applyHeaders, config.renderPage, config.onError);
  const ctx = {
    config, client, throttle: new LoginThrottle(store, config.throttle, now), applyHeaders, pages, now,
    establishSessionUrl: establishSessionUrls(config.secureUrl),
  };
  const readBody = formBody(config, pages);

  const router = Router() as LuminateLoginRouter;
  // For the host's own form: `<input type="hidden" name="_csrf" value="<%= luminateCsrfToken() %>">`.
  // A function, so only pages that show a form create the token (and a session).
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (untrustedProxy(req, config.baseUrl)) warner.warn('LUMINATE_SSO_PROXY', proxyWarning(LOGIN), true);
    res.locals.luminateCsrfToken = () => luminateCsrfToken(req);
    next();
  });
  // The forms need express-session; the logout callback does not (the session is gone by then).
  const withSession = (req: Request, res: Response, next: NextFunction) => {
    if (hostSessionOf(req) !== undefined) return next();
    const err = sessionRequired();
    callHookSafely(config.onError, err, req);
    toErrorHandler(res, next, err);
  };
  const logout = (req: Request, res: Response, next: NextFunction) => handleLogout(ctx, req, res, next).catch(next);
  router.post(config.paths.login, readBody, withSession, (req, res, next) => handleLogin(ctx, req, res, next).catch(next));
  router.get(config.paths.logout, withSession, logout);
  router.post(config.paths.logout, readBody, withSession, logout);
  router.get(config.paths.logoutCallback, (req, res) => handleLogoutCallback(ctx, req, res));
  router.close = async () => {
    await ownClient?.close();
  };
  return router;
}
