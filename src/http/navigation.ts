import type { Request } from 'express';

/**
 * Why the request is not a visitor opening the link in their browser window, or undefined when
 * it is (or may be). Read from Fetch Metadata when a browser sends it: a top-level navigation
 * is `Sec-Fetch-Mode: navigate` with `Sec-Fetch-Dest: document`; an `<img>`, `<script>`,
 * `fetch()` or `<iframe>` says otherwise, and pages cannot forge these headers. Browsers send
 * `Sec-Fetch-Site` and `Sec-Fetch-Dest` with every request; without them (old browsers, curl,
 * and Node's own fetch, which sends a lone `Sec-Fetch-Mode: cors`) the request is taken as a
 * navigation, as before. A HEAD, and a prefetch (`Sec-Purpose: prefetch`, or the older
 * `Purpose: prefetch`), are never one: nobody is there to be handed over.
 */
export function notNavigation(req: Request): string | undefined {
  if (req.method === 'HEAD') return 'a HEAD request';
  const purpose = `${req.get('sec-purpose') ?? ''} ${req.get('purpose') ?? ''}`;
  if (/\bprefetch\b/i.test(purpose)) return 'a prefetch';
  if (req.get('sec-fetch-site') === undefined && req.get('sec-fetch-dest') === undefined) return undefined;
  const mode = req.get('sec-fetch-mode');
  if (mode !== undefined && mode !== 'navigate') return `Sec-Fetch-Mode: ${mode.slice(0, 20)}`;
  const dest = req.get('sec-fetch-dest');
  if (dest !== undefined && dest !== 'document') return `Sec-Fetch-Dest: ${dest.slice(0, 20)}`;
  return undefined;
}
