import type { Request } from 'express';

/** The raw query string of the request (without `?`), exactly as the client sent it. */
export function rawQueryOf(req: Request): string {
  const url = req.originalUrl ?? req.url;
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

type TrustFn = (address: string | undefined, hop: number) => boolean;

/**
 * This site's public origin, as the browser sees it: from `baseUrl` when configured, else from
 * the request, honouring Express `trust proxy` for the scheme and X-Forwarded-Host.
 * Returns undefined when the Host header is not a plain host name (it is client-supplied).
 */
export function publicBaseOf(req: Request, baseUrl: string | undefined): string | undefined {
  if (baseUrl) return baseUrl;
  let host = req.get('host');
  const trust = req.app?.get('trust proxy fn') as TrustFn | undefined;
  if (trust?.(req.socket?.remoteAddress, 0)) {
    const forwarded = req.get('x-forwarded-host');
    if (forwarded) host = forwarded.split(',')[0]?.trim();
  }
  if (!host || !HOST.test(host)) return undefined;
  return `${req.protocol}://${host}`;
}

/** Adds `name=value` to a site path ("/login") or absolute URL, keeping any query and fragment. */
export function withQueryParam(target: string, name: string, value: string): string {
  const relative = target.startsWith('/');
  const url = new URL(target, 'http://relative.invalid');
  url.searchParams.append(name, value);
  return relative ? `${url.pathname}${url.search}${url.hash}` : url.href;
}

/** The client address throttles count against (`req.ip`: set Express's `trust proxy` behind a proxy). */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}
