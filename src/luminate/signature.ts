import { createHash, timingSafeEqual } from 'node:crypto';
import type { SignatureAlgorithm } from '../config/site';

/**
 * Luminate signs a redirect by appending `ts=<unix seconds>` and then
 * `signature=hex(HASH(<query before the signature parameter> + API secret key))` (`sig` in an old
 * doc page). Whether the hashed text also includes the literal `&signature=` is not documented,
 * so both forms are accepted; both need the secret. The raw query is hashed exactly as received.
 */

const HEX_LENGTH: Record<SignatureAlgorithm, number> = { md5: 32, sha1: 40 };
const SIGNATURE_PARAM = /(^|&)(signature|sig)=/g;
/** A loginResponse timestamp: Unix seconds, digits, no leading zero (see verifyLoginSignature). */
const TIMESTAMP = /^[1-9]\d{0,11}$/;
/** A cons_id in a loginResponse: digits only (Luminate's ids are numbers). */
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
 * `ok`: the parameters before the signature (`params`), the signature in lower-case hex, and `ts` in
 * Unix seconds. Otherwise why not: `unsigned` (no `signature`/`sig`); `malformed` (two of them, not hex of the
 * algorithm's length, not last, or not exactly one numeric `ts`); `mismatch`; `expired`.
 */
export type SignedQueryResult =
  | { ok: true; params: URLSearchParams; signature: string; ts: number }
  | { ok: false; reason: 'unsigned' | 'malformed' | 'mismatch' | 'expired' };

function hexDigest(algorithm: SignatureAlgorithm, text: string): Buffer {
  return Buffer.from(createHash(algorithm).update(text, 'utf8').digest('hex'), 'latin1');
}

/**
 * Verifies the raw query string (without `?`, exactly as received: never re-serialized) of a signed
 * Luminate redirect, in constant time. Never throws for a `check` of the documented shape: a bad
 * query is a `{ ok: false, reason }`. Replays are the caller's to refuse (one use per `signature`).
 */
export function verifySignedQuery(rawQuery: string, check: SignedQueryCheck): SignedQueryResult {
  const matches = [...rawQuery.matchAll(SIGNATURE_PARAM)];
  if (matches.length === 0) return { ok: false, reason: 'unsigned' };
  if (matches.length > 1) return { ok: false, reason: 'malformed' };
  const match = matches[0] as RegExpMatchArray;
  const paramStart = (match.index ?? 0) + (match[1] as string).length;
  const paramName = match[2] as string;
  const provided = rawQuery.slice(paramStart + paramName.length + 1);
  // The signature is the last parameter and nothing can follow it unsigned.
  if (!new RegExp(`^[0-9a-fA-F]{${HEX_LENGTH[check.algorithm]}}$`).test(provided)) {
    return { ok: false, reason: 'malformed' };
  }
  const prefix = rawQuery.slice(0, match.index ?? 0);
  const expectedForms = [prefix + check.secret, `${prefix}&${paramName}=${check.secret}`];
  const providedBytes = Buffer.from(provided.toLowerCase(), 'latin1');
  let valid = false;
  for (const text of expectedForms) {
    // Evaluate both forms every time so timing does not tell which one matched.
    valid = timingSafeEqual(hexDigest(check.algorithm, text), providedBytes) || valid;
  }
  if (!valid) return { ok: false, reason: 'mismatch' };

  const params = new URLSearchParams(prefix);
  const tsValues = params.getAll('ts');
  if (tsValues.length !== 1 || !/^\d{1,12}$/.test(tsValues[0] as string)) return { ok: false, reason: 'malformed' };
  const ts = Number(tsValues[0]);
  if (Math.abs(check.now / 1000 - ts) > check.maxAgeSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, params, signature: provided.toLowerCase(), ts };
}

/** The signed part of a `loginResponse` (login, authenticateUser, loginTest), as Luminate sent it. */
export interface SignedLogin {
  consId: string;
  /** Unix seconds, as text. */
  timestamp: string;
  signature: string;
}

export type SignedLoginResult = { ok: true; ts: number } | { ok: false; reason: 'malformed' | 'mismatch' | 'expired' };

/**
 * Verifies `signature = hex(HASH(cons_id + timestamp + API secret key))`, no separators [code],
 * then the timestamp against the clock. Only a verified reply may log anyone in: the cons_id
 * alone is just text anyone between us and Luminate could have changed.
 *
 * Without a separator the hashed text does not say where the id ends: a reply signed for cons_id
 * `1001640` at `<ts>` also verifies as cons_id `100164` at `0<ts>`. So the cons_id must be digits
 * and the timestamp must have no leading zero: a timestamp within the accepted window then has a
 * fixed number of digits, and the split is the one Luminate signed.
 */
export function verifyLoginSignature(login: SignedLogin, check: SignedQueryCheck): SignedLoginResult {
  const wellFormed = new RegExp(`^[0-9a-fA-F]{${HEX_LENGTH[check.algorithm]}}$`).test(login.signature) &&
    TIMESTAMP.test(login.timestamp) && SIGNED_CONS_ID.test(login.consId);
  if (!wellFormed) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = hexDigest(check.algorithm, login.consId + login.timestamp + check.secret);
  if (!timingSafeEqual(expected, Buffer.from(login.signature.toLowerCase(), 'latin1'))) return { ok: false, reason: 'mismatch' };
  const ts = Number(login.timestamp);
  if (Math.abs(check.now / 1000 - ts) > check.maxAgeSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, ts };
}

/** The error code for a signed redirect that did not verify. */
export function refusedSignatureCode(reason: Extract<SignedQueryResult, { ok: false }>['reason']): 'SSO_CALLBACK_EXPIRED' | 'SSO_CALLBACK_SIGNATURE_INVALID' {
  return reason === 'expired' ? 'SSO_CALLBACK_EXPIRED' : 'SSO_CALLBACK_SIGNATURE_INVALID';
}

/**
 * A verified error redirect's `code` (Luminate fills `${errorResponse/code}` in before signing)
 * as Luminate's numeric code, or undefined when it is not a plain number.
 */
export function reportedLuminateCode(params: URLSearchParams): number | undefined {
  const raw = params.get('code') ?? '';
  return /^\d{1,6}$/.test(raw) ? Number(raw) : undefined;
}
