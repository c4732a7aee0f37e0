import { Router, urlencoded, type NextFunction, type Request, type Response } from 'express';
import { siteClient } from '../luminate/luminate-client';
import { LuminateError } from '../errors';
import { bridgePages } from '../http/message-page';
import { bridgeSecurityHeaders } from '../http/security-headers';
import { MemoryStore } from '../store/store';
import { luminateCsrfToken } from './csrf';
import { handleLogin } from './handle-login';
import { handleLogout, handleLogoutCallback } from './handle-logout';
import { LoginThrottle } from './login-throttle';
import type { LuminateLoginOptions, ResolvedLoginOptions } from './options';
import { resolveLoginOptions } from './resolve-options';
import { looksLikeRequest } from '../http/looks-like-request';
import { establishSessionUrls } from '../luminate/handoff';
import { monitorLogin } from './monitor';

/** The router `luminateLogin()` returns, with a way to release the client's sockets on shutdown. */
export type LuminateLoginRouter = Router & {
  /** Closes the router's own LuminateClient (an injected one is left to its owner). */
  close(): Promise<void>;
};

/** A login form is a handful of short fields: anything bigger or odder is refused before it is read. */
const readForm = urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });

function formBody(req: Request, res: Response, next: NextFunction): void {
  readForm(req, res, (err?: unknown) => {
    if (err === undefined || err === null) {
      next();
      return;
    }
    const status = (err as { status?: unknown }).status;
    next(new LuminateError('LOGIN_BAD_REQUEST', 'The login or logout form body could not be read (too large, too many fields, or malformed).', {
      cause: err,
      status: typeof status === 'number' && status >= 400 && status < 500 ? status : 400,
    }));
  });
}

/**
 * Express middleware that logs visitors in with their Luminate credentials (`authenticateUser`
 * fields such as membership number and last name, or a Luminate user name and password) and logs
 * them out of both sites. Mount it with `app.use(luminateLogin({ ... }))` after express-session;
 * see the README for every option.
 */
export function luminateLogin(options: LuminateLoginOptions, ...rest: unknown[]): LuminateLoginRouter {
  if (rest.length > 0 || looksLikeRequest(options)) {
    throw new TypeError(
      "luminateLogin(): it looks like you wrote `app.use(luminateLogin)`. Call it with options: `app.use(luminateLogin({ mode: 'authenticateUser', fields, formUrl }))`.",
    );
  }
  return createLoginRouter(resolveLoginOptions(options));
}

/** The router for resolved options; `now` is the clock of the throttle and signature checks (tests). */
export function createLoginRouter(resolved: ResolvedLoginOptions, deps: { now?: () => number } = {}): LuminateLoginRouter {
  const now = deps.now ?? Date.now;
  const monitor = monitorLogin(resolved, deps.now);
  const { config } = monitor;
  const { client, own: ownClient } = siteClient(config);
  const store = config.store ?? new MemoryStore({ now });
  const applyHeaders = bridgeSecurityHeaders();
  const pages = bridgePages(applyHeaders, config.renderPage, config.onError);
  const loginCtx = {
    config, client, throttle: new LoginThrottle(store, config.throttle, now), applyHeaders, pages, now,
    establishSessionUrl: establishSessionUrls(config.secureUrl),
  };
  const logoutCtx = { config, applyHeaders, pages, now };

  const router = Router() as LuminateLoginRouter;
  // For the host's own form: `<input type="hidden" name="_csrf" value="<%= luminateCsrfToken() %>">`.
  // A function, so only pages that show a form create the token (and a session).
  router.use((req: Request, res: Response, next: NextFunction) => {
    monitor.checkRequest(req);
    res.locals.luminateCsrfToken = () => luminateCsrfToken(req);
    next();
  });
  router.post(config.paths.login, formBody, (req: Request, res: Response, next: NextFunction) => {
    handleLogin(loginCtx, req, res, next).catch(next);
  });
  router.get(config.paths.logout, (req: Request, res: Response, next: NextFunction) => {
    handleLogout(logoutCtx, req, res, next).catch(next);
  });
  router.post(config.paths.logout, formBody, (req: Request, res: Response, next: NextFunction) => {
    handleLogout(logoutCtx, req, res, next).catch(next);
  });
  router.get(config.paths.logoutCallback, (req: Request, res: Response) => {
    handleLogoutCallback(logoutCtx, req, res);
  });
  router.close = async () => {
    await ownClient?.close();
  };
  return router;
}
