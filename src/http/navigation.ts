import type { Request } from 'express';

/**
 * Headers that mark a prefetch, prerender or link preview: `Sec-Purpose` (Fetch Metadata) and the
 * older `Purpose` (Chrome, Safari), `X-Purpose` (Chrome, Safari) and `X-Moz` (Firefox).
 */
const AHEAD_OF_TIME_HEADERS = ['sec-purpose', 'purpose', 'x-purpose', 'x-moz'];
const AHEAD_OF_TIME = /\b(?:prefetch|prerender|preview)\b/i;

/** A Sec-Fetch-* value is quoted in onError's message only when it is a plain token (it is visitor-supplied). */
function quoted(name: string, value: string): string {
  return `${name}: ${/^[a-z-]{1,20}$/.test(value) ? value : 'an unexpected value'}`;
}

/**
 * Why the request is not a visitor opening the link in their browser window, or undefined when it
 * is (or may be): Fetch Metadata (`Sec-Fetch-Mode: navigate`, `Sec-Fetch-Dest: document`), which
 * pages cannot forge. Without `Sec-Fetch-Site` and `-Dest` (old browsers, curl, Node's fetch) it is
 * taken as a navigation. A HEAD or a prefetch never is: nobody is there to be handed over.
 */
export function notNavigation(req: Request): string | undefined {
  if (req.method === 'HEAD') return 'a HEAD request';
  if (AHEAD_OF_TIME_HEADERS.some((name) => AHEAD_OF_TIME.test(req.get(name) ?? ''))) return 'a prefetch or preview';
  if (req.get('sec-fetch-site') === undefined && req.get('sec-fetch-dest') === undefined) return undefined;
  const mode = req.get('sec-fetch-mode');
  if (mode !== undefined && mode !== 'navigate') return quoted('Sec-Fetch-Mode', mode);
  const dest = req.get('sec-fetch-dest');
  if (dest !== undefined && dest !== 'document') return quoted('Sec-Fetch-Dest', dest);
  return undefined;
}
