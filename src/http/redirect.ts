import type { Response } from 'express';

/**
 * A redirect to `url` without a body. `res.redirect()` repeats the URL in a "Redirecting to" body,
 * and an EstablishSession URL carries a single-use nonce that must appear in the Location header
 * only. `res.location()` applies the same URL encoding `res.redirect()` would.
 */
export function sendRedirect(res: Response, url: string, status: 302 | 303 = 302): void {
  res.status(status).location(url).end();
}
