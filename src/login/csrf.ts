import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { hostSessionOf, sessionRequired } from './session';

/**
 * Synchronizer tokens for the login and logout POSTs: one random token (32 bytes, hex) per host
 * session, kept in `req.session.luminateCsrf`, sent back by the form as `_csrf` (or by script as
 * an `X-CSRF-Token` header). A cross-site page can make the browser POST, but cannot read the
 * token out of the host's page, so its POST is refused. Compared in constant time.
 */
export const CSRF_SESSION_KEY = 'luminateCsrf';
export const CSRF_FIELD = '_csrf';
const CSRF_HEADER = 'x-csrf-token';

/** A field of the urlencoded form body, if the body has it. */
export function bodyField(req: Request, name: string): unknown {
  const body = (req as { body?: unknown }).body;
  return typeof body === 'object' && body !== null && Object.hasOwn(body, name) ? (body as Record<string, unknown>)[name] : undefined;
}

/**
 * The token for the visitor's session (created on first use, so only pages that show a form
 * start a session). Put it in the host's own login form as `<input type="hidden" name="_csrf">`.
 * Returns 64 hex characters (32 random bytes), the same until a failed login or a new session.
 * @throws LuminateError LOGIN_SESSION_REQUIRED (synchronously) when `req.session` is not express-session's.
 */
export function luminateCsrfToken(req: Request): string {
  const session = hostSessionOf(req);
  if (session === undefined) throw sessionRequired();
  const stored = session[CSRF_SESSION_KEY];
  if (typeof stored === 'string') return stored;
  const token = randomBytes(32).toString('hex');
  session[CSRF_SESSION_KEY] = token;
  return token;
}

/** True when the request carries the token of its own session. */
export function csrfValid(req: Request): boolean {
  const expected = hostSessionOf(req)?.[CSRF_SESSION_KEY];
  const field = bodyField(req, CSRF_FIELD);
  const given = typeof field === 'string' ? field : req.headers[CSRF_HEADER];
  if (typeof expected !== 'string' || expected === '' || typeof given !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Drops the session's token after a failed login: the next attempt needs the form loaded afresh
 * (`luminateCsrfToken` makes a new token), so one token is good for one failure at most.
 */
export function rotateCsrfToken(req: Request): void {
  const session = hostSessionOf(req);
  if (session !== undefined) delete session[CSRF_SESSION_KEY];
}
