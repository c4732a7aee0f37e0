import type { Request } from 'express';
import type { SignatureAlgorithm } from '../config/site';
import { verifySignedQuery, type SignedQueryResult } from '../luminate/signature';

/** The raw query string of the request (without `?`), exactly as the client sent it. */
export function rawQueryOf(req: Request): string {
  const url = req.originalUrl ?? req.url;
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

/**
 * A plain Host header: a DNS name (one trailing root dot allowed: `www.example.org.`, which a
 * browser sends when the link or typed name had it) or a bracketed IPv6 literal, and a port.
 * The root dot is kept in URLs built from it: the browser's origin (and the cookies of the
 * visitor's session) for `www.example.org.` is not that of `www.example.org`, so the callback
 * must come back to the name the visitor is on.
 */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

type TrustFn = (address: string | undefined, hop: number) => boolean;

/** True when Express's `trust proxy` covers the request's sender: its X-Forwarded-* headers count. */
export function senderTrusted(req: Request): boolean {
  const trust = req.app?.get('trust proxy fn') as TrustFn | undefined;
  return trust?.(req.socket?.remoteAddress, 0) === true;
}

/**
 * The scheme the browser used: Express's `req.protocol` (X-Forwarded-Proto under `trust proxy`),
 * but only `http` or `https`; anything else (`javascript:alert(1)//`, `https://evil.example/#`) is
 * treated as absent, like Express does without the header: the scheme of the socket itself.
 */
function schemeOf(req: Request): 'http' | 'https' {
  const proto = String(req.protocol ?? '').toLowerCase();
  if (proto === 'http' || proto === 'https') return proto;
  return (req.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http';
}

/**
 * This site's public origin, as the browser sees it: from `baseUrl` when configured, else from
 * the request, honouring Express `trust proxy` for the scheme and X-Forwarded-Host.
 * Returns undefined when the Host header is not a plain host name (it is client-supplied).
 */
function publicOriginOf(req: Request, baseUrl: string | undefined): string | undefined {
  if (baseUrl) return new URL(baseUrl).origin;
  let host = req.get('host');
  if (senderTrusted(req)) {
    const forwarded = req.get('x-forwarded-host');
    if (forwarded) host = forwarded.split(',')[0]?.trim();
  }
  if (!host || !HOST.test(host)) return undefined;
  return `${schemeOf(req)}://${host}`;
}

/**
 * THE rule for every URL the bridge sends a browser to or gives it (login redirects and their
 * `returnTo`, template links, callbacks, logout, where a login lands): an app path, as the Express
 * app sees it (`/account`, `req.baseUrl + '/luminate/sso'`), becomes the public path under the
 * path of `baseUrl` (`https://www.example.org/app` → `/app/account`), for a host behind a proxy
 * that strips that prefix. A path already under the prefix (`/app/account`, as the bridge itself
 * hands out in `returnTo`) is left as is, so applying the rule twice changes nothing. Absolute
 * URLs are returned unchanged. Without `baseUrl` (or with a bare origin) there is no prefix.
 */
export function publicPath(target: string, baseUrl: string | undefined): string {
  if (!target.startsWith('/') || !baseUrl) return target;
  const prefix = new URL(baseUrl).pathname.replace(/\/+$/, '');
  if (prefix === '') return target;
  const rest = target.slice(prefix.length);
  if (target.startsWith(prefix) && (rest === '' || /^[/?#]/.test(rest))) return target;
  return `${prefix}${target}`;
}

/** The absolute public URL of an app path (see publicPath); undefined when the Host header is not a plain host name. */
export function publicUrl(req: Request, baseUrl: string | undefined, target: string): string | undefined {
  if (!target.startsWith('/')) return target;
  const origin = publicOriginOf(req, baseUrl);
  return origin === undefined ? undefined : `${origin}${publicPath(target, baseUrl)}`;
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

/** Verifies the signed Luminate redirect a request arrived with, signed with the site's API secret key. */
export function verifySignedRequest(
  req: Request, site: { apiSecretKey: string; signatureAlgorithm: SignatureAlgorithm }, maxAgeSeconds: number, now: number,
): SignedQueryResult {
  return verifySignedQuery(rawQueryOf(req), { secret: site.apiSecretKey, algorithm: site.signatureAlgorithm, maxAgeSeconds, now });
}
