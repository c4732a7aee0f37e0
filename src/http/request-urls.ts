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
 * A plain Host header: a DNS name or a bracketed IPv6 literal, and a port. A trailing root dot
 * (`www.example.org.`) is kept: it is another origin for the browser, with other session cookies.
 */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

type TrustFn = (address: string | undefined, hop: number) => boolean;

/** True when Express's `trust proxy` covers the request's sender: its X-Forwarded-* headers count. */
export function senderTrusted(req: Request): boolean {
  const trust = req.app?.get('trust proxy fn') as TrustFn | undefined;
  return trust?.(req.socket?.remoteAddress, 0) === true;
}

/** `req.protocol` (X-Forwarded-Proto under `trust proxy`) when `http` or `https`, else the socket's own scheme. */
function schemeOf(req: Request): 'http' | 'https' {
  const proto = String(req.protocol ?? '').toLowerCase();
  if (proto === 'http' || proto === 'https') return proto;
  return (req.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http';
}

/** This site's public origin: `baseUrl`'s, else the request's; undefined when the Host header is not a plain host. */
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
 * THE rule for every URL the bridge gives a browser: an app path (`/account`) becomes the public
 * path under `baseUrl`'s path (`https://www.example.org/app` → `/app/account`), for a proxy that
 * strips that prefix. A path already under it is left as is (applying it twice changes nothing);
 * absolute URLs are unchanged.
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

/** Verifies the signed Luminate redirect a request arrived with, signed with the site's API secret key. */
export function verifySignedRequest(
  req: Request, site: { apiSecretKey: string; signatureAlgorithm: SignatureAlgorithm }, maxAgeSeconds: number, now: number,
): SignedQueryResult {
  return verifySignedQuery(rawQueryOf(req), { secret: site.apiSecretKey, algorithm: site.signatureAlgorithm, maxAgeSeconds, now });
}
