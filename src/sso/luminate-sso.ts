import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { siteClient } from '../luminate/luminate-client';
import { luminateLink } from './attribution';
import { compileDestinations } from '../http/destinations';
import { handleCallback } from './callback';
import type { LuminateSsoOptions } from './options';
import { bridgePages } from '../http/message-page';
import { mintThrottle } from './mint-throttle';
import { bridgeSecurityHeaders } from '../http/security-headers';
import { establishSessionUrls } from '../luminate/handoff';
import { startHandoff } from './start-handoff';
import { StoreSingleFlight } from '../store/single-flight';
import { MemoryStore } from '../store/store';
import { resolveSsoOptions } from './resolve-options';
import { publicPath } from '../http/request-urls';
import { looksLikeRequest } from '../http/looks-like-request';
import { verifyAccess, type VerifyReport } from '../diagnostics/monitor';
import { monitorSso } from './monitor';
import type { BridgeStats } from '../diagnostics/stats';
import type { Attribution } from '../luminate/types';
import { intentScriptTag } from './intent-script';
import { mountPrepare, underStart } from './prepare';
import { PreparedTokens } from './prepared-tokens';

/** The express.Router `luminateSso()` returns, with a way to release the client's sockets on shutdown. */
export type LuminateSsoMiddleware = RequestHandler & {
  /** Closes the bridge's own LuminateClient (an injected one is left to its owner). */
  close(): Promise<void>;
  /** Counts since creation (handoffs by mode, guest continues by code, throttled, refused callbacks). */
  stats(): BridgeStats;
  /**
   * With `prepare` on: `<script src="<public start path>/intent.js" data-luminate-origin="<Luminate origin>" defer></script>`
   * for the host's pages (escaped; the path under `baseUrl`'s prefix). With `prepare` off: ''.
   */
  intentScriptTag(req: Request): string;
  /**
   * Settles once the `verify` start-up check is done: resolves with its report (undefined without
   * `verify`), rejects with a LuminateError under `verify: 'fail'` when a check failed: the refusal's
   * LUMINATE_API_KEY_INVALID, LUMINATE_IP_NOT_ALLOWED or LUMINATE_AUTH_FAILED, or the code that kept
   * Luminate out of reach (LUMINATE_TIMEOUT, LUMINATE_CONNECTION_REFUSED, LUMINATE_HTTP_ERROR…).
   */
  ready: Promise<VerifyReport | undefined>;
};

/** @deprecated The earlier name of LuminateSsoMiddleware. */
export type LuminateSsoRouter = LuminateSsoMiddleware;

/**
 * Express middleware that hands the site's logged-in visitors to Luminate Online already logged in.
 * Mount it with `app.use(luminateSso({ ... }))`; see the README for every option.
 *
 * A failed click goes to `onError` and the `onFailure` policy (`'error'`: `next(err)`): SSO_CONSTITUENT_HOOK_FAILED,
 * SSO_PROVISION_FAILED, LUMINATE_CONSTITUENT_NOT_FOUND (an email without a record), SSO_THROTTLED (429),
 * SSO_STORE_UNAVAILABLE, SSO_INVALID_HOST, the callback's SSO_CALLBACK_SIGNATURE_INVALID / _EXPIRED /
 * _REPLAYED (400) and SSO_CALLBACK_ERROR, or any code of `LuminateClient#getSingleSignOnToken`.
 * SSO_NOT_NAVIGATION (403) and SSO_RENDER_PAGE_FAILED only reach `onError`. With `prepare`, a refused
 * prepare request gets 403 `{"code":"SSO_PREPARE_REFUSED"}`, counted in `stats().prepared`, not sent to `onError`.
 * @throws TypeError `luminateSso(): <option> (or env <VAR>) must …`: the first bad or unknown option and the
 * fix (e.g. `luminate.secureUrl (or env LUMINATE_SECURE_URL) must use https://…`); or, for `app.use(luminateSso)`, how to call it.
 */
export function luminateSso(options: LuminateSsoOptions, ...rest: unknown[]): LuminateSsoMiddleware {
  if (rest.length > 0 || looksLikeRequest(options)) {
    throw new TypeError(
      'luminateSso(): it looks like you wrote `app.use(luminateSso)`. Call it with options: `app.use(luminateSso({ constituent, destinations }))`.',
    );
  }
  const monitor = monitorSso(resolveSsoOptions(options));
  const { config } = monitor;
  const destinations = compileDestinations(config.destinations);
  const { client, own: ownClient } = siteClient(config);
  const store = config.store ?? new MemoryStore();
  const applyHeaders = bridgeSecurityHeaders();
  const pages = bridgePages(applyHeaders, config.renderPage, config.onError);

  const throttle = mintThrottle(store, config.throttle);
  // Email lookups and creations take a lock in the store: with a shared one (Redis) it spans
  // processes. A lock outlives the task it guards (one Luminate deadline); others wait one deadline at most.
  const flight = new StoreSingleFlight(store, { lockTtlMs: 2 * config.timeoutMs + 1000, waitMs: config.timeoutMs });
  const startCtx = {
    config, client, flight, destinations, applyHeaders, pages, throttle,
    establishSessionUrl: establishSessionUrls(config.secureUrl),
    prepared: config.prepare === false
      ? undefined
      : new PreparedTokens(store, { ttlMs: config.prepare.ttlMs, timeoutMs: config.timeoutMs }),
  };
  const callbackCtx = { config, destinations, store, applyHeaders, pages };

  const bridge = Router() as Router & LuminateSsoMiddleware;
  const starts = new WeakMap<Request, string>(); // the start path each request saw, for intentScriptTag
  // For templates: `res.locals.luminateLink(destination, { source, subSource })` → this bridge's start
  // URL. The path is fixed now: req.baseUrl changes once the request has left this router. Every
  // request gets it, the bridge's own too, for a host error page (onFailure 'error') that uses it.
  bridge.use((req: Request, res: Response, next: NextFunction) => {
    const start = `${req.baseUrl}${config.paths.start}`;
    const link = publicPath(start, config.baseUrl);
    res.locals.luminateLink = (destination?: string, opts?: Attribution) => luminateLink(link, destination, opts);
    if (startCtx.prepared !== undefined) starts.set(req, start);
    next();
  });
  // GET routes answer HEAD as well (a HEAD is refused a token later, as a non-navigation).
  bridge.get(config.paths.start, (req: Request, res: Response, next: NextFunction) => {
    monitor.checkRequest(req);
    startHandoff(startCtx, req, res, next).catch(next);
  });
  bridge.get(config.paths.callback, (req: Request, res: Response, next: NextFunction) => {
    handleCallback(callbackCtx, req, res, next).catch(next);
  });
  const { prepared } = startCtx;
  if (prepared !== undefined) mountPrepare(bridge, startCtx, prepared);
  const luminateOrigin = new URL(config.secureUrl).origin;
  bridge.intentScriptTag = (req: Request) => {
    if (prepared === undefined) return '';
    const script = underStart(starts.get(req) ?? `${req.baseUrl}${config.paths.start}`, 'intent.js');
    return intentScriptTag(publicPath(script, config.baseUrl), luminateOrigin);
  };
  bridge.close = async () => ownClient?.close();
  bridge.stats = () => ({ ...monitor.counters.snapshot(), ...(prepared && { prepared: prepared.stats() }) });
  const { verify } = config;
  bridge.ready = verify === false
    ? Promise.resolve(undefined)
    : verifyAccess(client, verify, monitor.warner, 'luminateSso()', config.timeoutMs);
  bridge.ready.catch(() => undefined); // a rejection nobody listens to is not an unhandled one
  return bridge;
}
