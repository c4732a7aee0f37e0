/**
 * True for an Express request object: what a middleware factory receives when it was mounted
 * uncalled (`app.use(luminateSso)` instead of `app.use(luminateSso({ ... }))`).
 */
export function looksLikeRequest(value: unknown): boolean {
  const v = value as { method?: unknown; headers?: unknown; url?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.method === 'string' && typeof v.headers === 'object' && typeof v.url === 'string';
}
