import { createHash, timingSafeEqual } from 'node:crypto';
import type { SignatureAlgorithm } from '../config/site';

const HEX_LENGTH: Record<SignatureAlgorithm, number> = { md5: 32, sha1: 40 };
const SIGNATURE_PARAM = /(^|&)(signature|sig)=/g;
/** A loginResponse timestamp: Unix seconds, no leading zero (see verifyLoginSignature). */
const TIMESTAMP = /^[1-9]\d{0,11}$/;
/** A cons_id in a loginResponse: digits only. */
const SIGNED_CONS_ID = /^\d{1,20}$/;

export interface SignedQueryCheck {
  /** The site's API secret key (CONVIO_API_SECRET_KEY). Never sent anywhere. */
  secret: string;
  /** The site's signature hash: `md5` (default on Luminate, 32 hex) or `sha1` (40 hex) [doc]. */
  algorithm: SignatureAlgorithm;
  /** Accepted distance of `ts` from `now`, either way, in seconds. */
  maxAgeSeconds: number;
  /** Current time in ms. */
  now: number;
}

/**
 * `ok`: the parameters before the signature, the signature in lower-case hex, and `ts` in Unix seconds.
 * Otherwise why not: `unsigned` (no `signature`/`sig`); `malformed` (two of them, not hex of the
 * algorithm's length, not last, or not exactly one numeric `ts`); `mismatch`; `expired`.
 */
export type SignedQueryResult =
  | { ok: true; params: URLSearchParams; signature: string; ts: number }
  | { ok: false; reason: 'unsigned' | 'malformed' | 'mismatch' | 'expired' };

function hexDigest(algorithm: SignatureAlgorithm, text: string): Buffer {
  return Buffer.from(createHash(algorithm).update(text, 'utf8').digest('hex'), 'latin1');
}

function isHexSignature(text: string, algorithm: SignatureAlgorithm): boolean {
  return new RegExp(`^[0-9a-fA-F]{${HEX_LENGTH[algorithm]}}$`).test(text);
}

function expired(ts: number, check: SignedQueryCheck): boolean {
  return Math.abs(check.now / 1000 - ts) > check.maxAgeSeconds;
}

/**
 * Verifies the raw query string (without `?`, exactly as received: never re-serialized) of a signed
 * Luminate redirect, in constant time. Luminate appends `ts=<unix seconds>`, then
 * `signature=hex(HASH(<query before it> + API secret key))` (`sig` in an old doc page); whether the
 * hashed text includes the literal `&signature=` is not documented, so both forms are accepted.
 * Never throws for a `check` of the documented shape. Replays are the caller's to refuse.
 */
export function verifySignedQuery(rawQuery: string, check: SignedQueryCheck): SignedQueryResult {
  const matches = [...rawQuery.matchAll(SIGNATURE_PARAM)];
  if (matches.length === 0) return { ok: false, reason: 'unsigned' };
  const match = matches[0] as RegExpMatchArray;
  const paramName = match[2] as string;
  const provided = rawQuery.slice((match.index ?? 0) + (match[1] as string).length + paramName.length + 1);
  // The signature is the last parameter: nothing can follow it unsigned.
  if (matches.length > 1 || !isHexSignature(provided, check.algorithm)) return { ok: false, reason: 'malformed' };
  const prefix = rawQuery.slice(0, match.index ?? 0);
  const providedBytes = Buffer.from(provided.toLowerCase(), 'latin1');
  let valid = false;
  for (const text of [prefix + check.secret, `${prefix}&${paramName}=${check.secret}`]) {
    // Both forms every time, so timing does not tell which one matched.
    valid = timingSafeEqual(hexDigest(check.algorithm, text), providedBytes) || valid;
  }
  if (!valid) return { ok: false, reason: 'mismatch' };
  const params = new URLSearchParams(prefix);
  const tsValues = params.getAll('ts');
  if (tsValues.length !== 1 || !/^\d{1,12}$/.test(tsValues[0] as string)) return { ok: false, reason: 'malformed' };
  const ts = Number(tsValues[0]);
  if (expired(ts, check)) return { ok: false, reason: 'expired' };
  return { ok: true, params, signature: provided.toLowerCase(), ts };
}

/**
 * Verifies a `loginResponse`'s `signature = hex(HASH(cons_id + timestamp + API secret key))`, no
 * separators [code], then the timestamp. Without a separator, cons_id `1001640` at `<ts>` would also
 * verify as `100164` at `0<ts>`; so the cons_id must be digits and the timestamp have no leading zero.
 */
export function verifyLoginSignature(
  login: { consId: string; timestamp: string; signature: string },
  check: SignedQueryCheck,
): { ok: true; ts: number } | { ok: false; reason: 'malformed' | 'mismatch' | 'expired' } {
  if (!isHexSignature(login.signature, check.algorithm) || !TIMESTAMP.test(login.timestamp) || !SIGNED_CONS_ID.test(login.consId)) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = hexDigest(check.algorithm, login.consId + login.timestamp + check.secret);
  if (!timingSafeEqual(expected, Buffer.from(login.signature.toLowerCase(), 'latin1'))) return { ok: false, reason: 'mismatch' };
  const ts = Number(login.timestamp);
  return expired(ts, check) ? { ok: false, reason: 'expired' } : { ok: true, ts };
}

/** The error code for a signed redirect that did not verify. */
export function refusedSignatureCode(
  reason: Extract<SignedQueryResult, { ok: false }>['reason'],
): 'SSO_CALLBACK_EXPIRED' | 'SSO_CALLBACK_SIGNATURE_INVALID' {
  return reason === 'expired' ? 'SSO_CALLBACK_EXPIRED' : 'SSO_CALLBACK_SIGNATURE_INVALID';
}

/** A verified error redirect's `code` (Luminate fills it in before signing) as a number, if it is one. */
export function reportedLuminateCode(params: URLSearchParams): number | undefined {
  const raw = params.get('code') ?? '';
  return /^\d{1,6}$/.test(raw) ? Number(raw) : undefined;
}
