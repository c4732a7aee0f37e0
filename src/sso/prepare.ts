/**
 * `prepare: true`: the intent script route and `POST <start>/prepare`, which mints the visitor's
 * token ahead of the click and keeps it in the store (see PreparedTokens). The prepare request
 * answers 204 whatever happens (nothing to prepare, no session, throttled, Luminate failed: the
 * click then mints as usual and meets the failure policy there) and never carries the token.
 * Its failures go to the debug log, not to `onError`: no visitor is answered by them.
 */
import type { NextFunction, Request, Response, Router } from 'express';
import { debugFor } from '../debug';
import { LuminateError } from '../errors';
import { publicUrl } from '../http/request-urls';
import type { SingleFlight } from '../store/single-flight';
import { untilAborted } from '../util/abort';
import { attributionFor } from './attribution';
import { SESSION_KEY } from './find-constituent';
import { INTENT_SCRIPT } from './intent-script';
import { heldSessionId, preparedKeyFor, type PreparedTokens } from './prepared-tokens';
import type { StartContext } from './start-context';
import { mintToken, toConstituentRef } from './visitor';

const log = debugFor('sso');

/** The header the intent script sends: a page on another site cannot send it without a CORS preflight, which is never answered. */
export const INTENT_HEADER = 'X-Luminate-Intent';

/** `<start>/<name>`, also for a start route at `/`. */
export function underStart(start: string, name: string): string {
  return `${start.replace(/\/+$/, '')}/${name}`;
}

/**
 * Why a prepare request is refused, or undefined: only a same-origin POST with the intent header
 * passes. Fetch Metadata (`Sec-Fetch-Site`, which pages cannot forge) must say `same-origin` when
 * the browser sends it, and `Origin`, when sent, must be this site's own public origin.
 */
export function prepareRefusal(req: Request, baseUrl: string | undefined): string | undefined {
  if (req.method !== 'POST') return `a ${/^[A-Z]{1,10}$/.test(req.method) ? req.method : 'non-POST'} request`;
  if (req.get(INTENT_HEADER) !== '1') return `no ${INTENT_HEADER}: 1 header`;
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') {
    return /^[a-z-]{1,20}$/.test(site) ? `Sec-Fetch-Site: ${site}` : 'an unexpected Sec-Fetch-Site';
  }
  const origin = req.get('origin');
  if (origin !== undefined) {
    const own = publicUrl(req, baseUrl, '/');
    if (own === undefined || new URL(own).origin !== origin) return 'an Origin of another site';
  }
  return undefined;
}

/** Adds `GET <start>/intent.js` and `<start>/prepare` (every method; only a POST can pass) to the bridge's router. */
export function mountPrepare(router: Router, ctx: StartContext, prepared: PreparedTokens): void {
  const start = ctx.config.paths.start;
  router.get(underStart(start, 'intent.js'), (req: Request, res: Response) => {
    ctx.applyHeaders(req, res);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('text/javascript').send(INTENT_SCRIPT);
  });
  router.all(underStart(start, 'prepare'), (req: Request, res: Response, next: NextFunction) => {
    ctx.applyHeaders(req, res);
    res.setHeader('Cache-Control', 'no-store');
    const refusal = prepareRefusal(req, ctx.config.baseUrl);
    if (refusal !== undefined) {
      log('prepare refused: %s', refusal);
      prepared.refused();
      res.status(403).json({ code: 'SSO_PREPARE_REFUSED' });
      return;
    }
    prepareHandoff(ctx, prepared, req).then(() => res.status(204).end(), next);
  });
}

/**
 * Puts the bridge's entry in the visitor's session (the cons_id found for an email) back as it
 * was: a prepare must not change the session, or express-session saves it when the prepare ends,
 * over a logout that came meanwhile (a destroyed session brought back, logged in). The click that
 * uses the token remembers the cons_id instead.
 */
function keepSessionEntry(req: Request): () => void {
  const session = (req as { session?: unknown }).session as Record<string, unknown> | undefined;
  const had = session !== undefined && Object.hasOwn(session, SESSION_KEY);
  const before = session?.[SESSION_KEY];
  return () => {
    if (session === undefined) return;
    if (had) session[SESSION_KEY] = before;
    else delete session[SESSION_KEY];
  };
}

/**
 * Mints and keeps the token of the visitor the constituent hook names, under one deadline like a
 * click. It goes on when the browser drops the request (a click navigating away): the click
 * waits for it. Never rejects.
 */
async function prepareHandoff(ctx: StartContext, prepared: PreparedTokens, req: Request): Promise<void> {
  const { config } = ctx;
  if (heldSessionId(req) === undefined) {
    log('prepare: no session (express-session), nothing to prepare');
    return;
  }
  const signal = AbortSignal.timeout(config.timeoutMs);
  const timeoutError = () => new LuminateError('LUMINATE_TIMEOUT', `No token prepared within ${config.timeoutMs} ms.`);
  const restoreSession = keepSessionEntry(req);
  try {
    const value = await untilAborted(Promise.resolve(config.constituent(req)), signal, timeoutError);
    if (value === null || value === undefined) return;
    const ref = toConstituentRef(value);
    const key = preparedKeyFor(req, ref);
    if (key === undefined || !(await prepared.claim(key))) return;
    await prepared.run(key, async () => {
      // Counted like a click: an intent that does not end in a click still costs a token call.
      if (ctx.throttle !== undefined) await untilAborted(ctx.throttle(req, ref), signal, timeoutError);
      const attribution = await attributionFor(config, req, signal, timeoutError);
      // A hover never creates a Luminate record: not found, nothing is prepared; the click provisions as today.
      // Its look-up runs apart: a click for the same email joining it would share its "do not create".
      const flight: SingleFlight = { run: (email, task) => ctx.flight.run(`look-up only:${email}`, task) };
      const lookUpOnly = { ...ctx, flight, config: { ...config, provision: undefined } };
      const token = await mintToken(lookUpOnly, req, ref, attribution, signal, timeoutError);
      return { token, attribution };
    });
  } catch (e) {
    log('prepare: nothing prepared (%s)', (e as { code?: string })?.code ?? (e as Error)?.name);
  } finally {
    restoreSession();
  }
}
