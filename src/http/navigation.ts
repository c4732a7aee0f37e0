import type { Request } from 'express';

/**
 * Headers that mark a request made ahead of time (a prefetch, prerender or link preview), with
 * the words that say so: `Sec-Purpose: prefetch` / `prefetch;prerender` (Fetch Metadata), and the
 * older spellings sent without Fetch Metadata: `Purpose: prefetch` or `preview` (Chrome before
 * Sec-Purpose, Safari's Top Sites and link previews), `X-Purpose: preview` (Chrome's old instant
 * pages, Safari), `X-Moz: prefetch` (Firefox link prefetch).
 */
const AHEAD_OF_TIME_HEADERS = ['sec-purpose', 'purpose', 'x-purpose', 'x-moz'];
const AHEAD_OF_TIME = /\b(?:prefetch|prerender|preview)\b/i;

/** A Sec-Fetch-* value fit to quote in an error message (they are visitor-supplied). */
const TOKEN = /^[a-z-]{1,20}$/;

function quoted(name: string, value: string): string {
  return `${name}: ${TOKEN.test(value) ? value : 'an unexpected value'}`;
}

/**
 * Why the request is not a visitor opening the link in their browser window, or undefined when
 * it is (or may be). Read from Fetch Metadata when a browser sends it: a top-level navigation
 * is `Sec-Fetch-Mode: navigate` with `Sec-Fetch-Dest: document`; an `<img>`, `<script>`,
 * `fetch()` or `<iframe>` says otherwise, and pages cannot forge these headers. Browsers send
 * `Sec-Fetch-Site` and `Sec-Fetch-Dest` with every request; without them (old browsers, curl,
 * and Node's own fetch, which sends a lone `Sec-Fetch-Mode: cors`) the request is taken as a
 * navigation, as before. A HEAD, and a prefetch, prerender or preview (see
 * AHEAD_OF_TIME_HEADERS), are never one: nobody is there to be handed over. The reason quotes a
 * Sec-Fetch-* value only when it is a plain token (`[a-z-]{1,20}`), as it goes into onError's
 * message and log lines.
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
