import { Router, type NextFunction, type Request, type Response } from 'express';
import { LuminateClient } from '../client/luminate-client';
import { luminateLink } from './attribution';
import { compileDestinations } from './destinations';
import { handleCallback } from './callback';
import type { LuminateSsoOptions } from './options';
import { bridgeSecurityHeaders } from './security-headers';
import { startHandoff } from './start-handoff';
import { InProcessSingleFlight } from './single-flight';
import { MemoryStore } from './store';
import { resolveSsoOptions } from './validate-options';

/** The router `luminateSso()` returns, with a way to release the client's sockets on shutdown. */
export type LuminateSsoRouter = Router & {
  /** Closes the bridge's own LuminateClient (an injected one is left to its owner). */
  close(): Promise<void>;
};

function looksLikeRequest(value: unknown): boolean {
  const v = value as { method?: unknown; headers?: unknown; url?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.method === 'string' && typeof v.headers === 'object' && typeof v.url === 'string';
}

/**
 * Express middleware that hands the site's logged-in visitors to Luminate Online already logged in.
 * Mount it with `app.use(luminateSso({ ... }))`; see the README for every option.
 */
export function luminateSso(options: LuminateSsoOptions, ...rest: unknown[]): LuminateSsoRouter {
  if (rest.length > 0 || looksLikeRequest(options)) {
    throw new TypeError(
      'luminateSso(): it looks like you wrote `app.use(luminateSso)`. Call it with options: `app.use(luminateSso({ constituent, destinations }))`.',
    );
  }
  const config = resolveSsoOptions(options);
  const destinations = compileDestinations(config.destinations);
  const ownClient = config.injectedClient
    ? undefined
    : new LuminateClient({ secureUrl: config.secureUrl, apiKey: config.apiKey, apiLogin: config.apiLogin, ...config.client });
  const client = config.injectedClient ?? (ownClient as LuminateClient);
  const store = config.store ?? new MemoryStore();
  const applyHeaders = bridgeSecurityHeaders();

  const router = Router() as LuminateSsoRouter;
  const startCtx = { config, client, flight: new InProcessSingleFlight(), destinations, applyHeaders };
  // For templates: `res.locals.luminateLink(destination, { source, subSource })` → this bridge's start
  // URL. The path is fixed now: req.baseUrl changes once the request has left this router.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const start = `${req.baseUrl}${config.paths.start}`;
    res.locals.luminateLink = (destination?: string, opts?: { source?: string; subSource?: string }) => luminateLink(start, destination, opts);
    next();
  });
  const callbackCtx = { config, destinations, store, applyHeaders, now: Date.now };
  router.get(config.paths.start, (req: Request, res: Response, next: NextFunction) => {
    startHandoff(startCtx, req, res, next).catch(next);
  });
  router.get(config.paths.callback, (req: Request, res: Response, next: NextFunction) => {
    handleCallback(callbackCtx, req, res, next).catch(next);
  });
  router.close = async () => {
    await ownClient?.close();
  };
  return router;
}
