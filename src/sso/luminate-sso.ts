import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LuminateClient } from '../client/luminate-client';
import { luminateLink } from './attribution';
import { compileDestinations } from './destinations';
import { handleCallback } from './callback';
import type { LuminateSsoOptions } from './options';
import { bridgePages } from './message-page';
import { MintThrottle } from './mint-throttle';
import { bridgeSecurityHeaders } from './security-headers';
import { establishSessionUrls } from './handoff';
import { startHandoff } from './start-handoff';
import { InProcessSingleFlight, StoreSingleFlight } from './single-flight';
import { MemoryStore } from './store';
import { routeMatcher } from './routes';
import { resolveSsoOptions } from '../config/sso';
import { publicPath } from './request-urls';
import { looksLikeRequest } from '../util/looks-like-request';
import { monitorSso, readyPromise, verifyAccess, type VerifyReport } from '../diagnostics/monitor';
import type { BridgeStats } from '../diagnostics/stats';
import { registerSecrets } from '../util/scrub-secrets';

/** The middleware `luminateSso()` returns, with a way to release the client's sockets on shutdown. */
export type LuminateSsoMiddleware = RequestHandler & {
  /** Closes the bridge's own LuminateClient (an injected one is left to its owner). */
  close(): Promise<void>;
  /** Counts since creation (handoffs by mode, guest continues by code, throttled, refused callbacks). */
  stats(): BridgeStats;
  /**
   * Settles once the `verify` start-up check is done: resolves with its report (undefined without
   * `verify`), rejects with a LuminateError under `verify: 'fail'` when a check failed.
   */
  ready: Promise<VerifyReport | undefined>;
};

/** @deprecated The earlier name of LuminateSsoMiddleware (earlier builds returned an express.Router). */
export type LuminateSsoRouter = LuminateSsoMiddleware;

type LinkFunction = (destination?: string, opts?: { source?: string; subSource?: string }) => string;

/**
 * Express middleware that hands the site's logged-in visitors to Luminate Online already logged in.
 * Mount it with `app.use(luminateSso({ ... }))`; see the README for every option.
 */
export function luminateSso(options: LuminateSsoOptions, ...rest: unknown[]): LuminateSsoMiddleware {
  if (rest.length > 0 || looksLikeRequest(options)) {
    throw new TypeError(
      'luminateSso(): it looks like you wrote `app.use(luminateSso)`. Call it with options: `app.use(luminateSso({ constituent, destinations }))`.',
    );
  }
  const monitor = monitorSso(resolveSsoOptions(options));
  const { config } = monitor;
  registerSecrets(config.apiSecretKey, config.apiLogin.password); // never in an error message or debug line
  const destinations = compileDestinations(config.destinations);
  const ownClient = config.injectedClient
    ? undefined
    : new LuminateClient({ secureUrl: config.secureUrl, apiKey: config.apiKey, apiLogin: config.apiLogin, ...config.client });
  const client = config.injectedClient ?? (ownClient as LuminateClient);
  const store = config.store ?? new MemoryStore();
  const applyHeaders = bridgeSecurityHeaders();
  const pages = bridgePages(applyHeaders, config.renderPage, config.onError);

  const throttle = new MintThrottle(store, config.throttle);
  // A store given in options may be shared (Redis): provisioning locks then span processes. A lock
  // outlives the task it guards (one Luminate deadline); others wait one deadline at most.
  const flight = config.store
    ? new StoreSingleFlight(store, { lockTtlMs: 2 * config.timeoutMs + 1000, waitMs: config.timeoutMs })
    : new InProcessSingleFlight();
  const startCtx = {
    config, client, ownClient: ownClient !== undefined, flight, destinations, applyHeaders, pages, throttle,
    establishSessionUrl: establishSessionUrls(config.secureUrl),
  };
  // For templates: `res.locals.luminateLink(destination, { source, subSource })` → this bridge's start
  // URL. The path is fixed now: req.baseUrl changes once the request has left this router. This
  // runs on every request of the host app: one function per mount path, not one per request
  // (bounded: a mount path with parameters makes req.baseUrl the visitor's to choose).
  const links = new Map<string, LinkFunction>();
  const setLink = (req: Request, res: Response): void => {
    let link = links.get(req.baseUrl);
    if (link === undefined) {
      const start = publicPath(`${req.baseUrl}${config.paths.start}`, config.baseUrl);
      link = (destination, opts) => luminateLink(start, destination, opts);
      if (links.size >= 64) links.clear();
      links.set(req.baseUrl, link);
    }
    res.locals.luminateLink = link;
  };
  const callbackCtx = { config, destinations, store, applyHeaders, pages, now: Date.now };
  const routeOf = routeMatcher(config.paths);
  // One function rather than an express.Router: a nested router's own dispatch (URL parsing,
  // layer matching, route dispatch) cost more per handoff than this whole function. Every request
  // gets the link, the bridge's own too, for a host error page (onFailure 'error') that uses it.
  const bridge = ((req: Request, res: Response, next: NextFunction) => {
    setLink(req, res);
    if (req.method === 'GET' || req.method === 'HEAD') {
      const route = routeOf(req.path);
      if (route === 'start') {
        monitor.checkRequest(req);
        startHandoff(startCtx, req, res, next).catch(next);
        return;
      }
      if (route === 'callback') {
        handleCallback(callbackCtx, req, res, next).catch(next);
        return;
      }
    }
    next();
  }) as LuminateSsoMiddleware;
  bridge.close = async () => {
    await ownClient?.close();
  };
  bridge.stats = () => monitor.counters.snapshot();
  const { verify } = config;
  bridge.ready = readyPromise(verify === false ? undefined : () => verifyAccess(client, verify, monitor.warner, 'luminateSso()', config.timeoutMs));
  return bridge;
}
