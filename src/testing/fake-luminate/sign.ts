import { createHash } from 'node:crypto';
import type { FakeSignatureAlgorithm } from './types';

/**
 * Redirect signing as Luminate does it with `sign_redirects=true`. Written independently of the
 * bridge's verifier on purpose: the stand-in is the oracle the verifier is tested against.
 */
export interface SignSettings {
  secret: string;
  algorithm: FakeSignatureAlgorithm;
  param: 'signature' | 'sig';
  /** Hash `<query>&<param>=` + secret instead of `<query>` + secret. */
  includeParamName: boolean;
}

export interface PlaceholderValues {
  consId?: string;
  code?: number;
  message?: string;
}

/** Fill Luminate's literal `${...}` placeholders (URL-encoded values; unknown ones become ''). */
export function fillPlaceholders(url: string, values: PlaceholderValues): string {
  const map: Record<string, string> = {
    '${loginResponse/cons_id}': values.consId ?? '',
    '${errorResponse/code}': values.code === undefined ? '' : String(values.code),
    '${errorResponse/message}': values.message ?? '',
  };
  let out = url;
  for (const [placeholder, value] of Object.entries(map)) {
    out = out.split(placeholder).join(encodeURIComponent(value));
  }
  return out;
}

/** Add `name=value` text to a URL's query, before any fragment. */
export function appendToQuery(url: string, pair: string): string {
  const hashAt = url.indexOf('#');
  const base = hashAt < 0 ? url : url.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : url.slice(hashAt);
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}${pair}${fragment}`;
}

export function hexHash(algorithm: FakeSignatureAlgorithm, text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

/** Append `ts` and then the signature over the exact query text emitted so far. */
export function signRedirect(url: string, s: SignSettings, nowSeconds: number): string {
  const withTs = appendToQuery(url, `ts=${nowSeconds}`);
  const hashAt = withTs.indexOf('#');
  const beforeFragment = hashAt < 0 ? withTs : withTs.slice(0, hashAt);
  const query = beforeFragment.slice(beforeFragment.indexOf('?') + 1);
  const signed = s.includeParamName ? `${query}&${s.param}=` : query;
  return appendToQuery(withTs, `${s.param}=${hexHash(s.algorithm, signed + s.secret)}`);
}

/** Signature of a login-style reply: hex(HASH(cons_id + timestamp + secret)), no separators. */
export function loginSignature(algorithm: FakeSignatureAlgorithm, consId: string, timestamp: string, secret: string): string {
  return hexHash(algorithm, consId + timestamp + secret);
}
