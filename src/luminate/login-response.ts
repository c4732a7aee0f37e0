import { LuminateError } from '../errors';
import { CONS_ID, OPAQUE_VALUE, ROUTING_ID, readOptionalId, readOptionalString, readRequiredId, type LuminateRecord } from './values';
import { verifyLoginSignature, type SignedQueryCheck } from './signature';

export const LOGIN_ROOT = 'loginResponse';

/** A loginResponse whose signature has been verified. The nonce is a secret: never log it. */
export interface VerifiedLogin {
  consId: string;
  /** Single-use nonce for EstablishSession, when Luminate sent one. */
  nonce?: string;
  /** Load-balancer affinity for `;jsessionid=`. */
  routingId?: string;
}

/**
 * The loginResponse of `login` / `authenticateUser`, trusted only once
 * `signature = HASH(cons_id + timestamp + secret)` verifies and the timestamp is recent.
 * Throws LOGIN_SIGNATURE_INVALID / LOGIN_SIGNATURE_EXPIRED, or LUMINATE_MALFORMED_RESPONSE.
 */
export function verifyLoginResponse(record: LuminateRecord, check: SignedQueryCheck): VerifiedLogin {
  const consId = readRequiredId(record, 'cons_id', LOGIN_ROOT, CONS_ID);
  const timestamp = readOptionalString(record, 'timestamp') ?? '';
  const signature = readOptionalString(record, 'signature') ?? '';
  const result = verifyLoginSignature({ consId, timestamp, signature }, check);
  if (!result.ok) {
    if (result.reason === 'expired') {
      throw new LuminateError('LOGIN_SIGNATURE_EXPIRED',
        `Refused a loginResponse whose timestamp is more than ${check.maxAgeSeconds} s from this server's clock (check the clock).`);
    }
    const what = result.reason === 'malformed' ? 'missing or malformed' : 'wrong';
    throw new LuminateError('LOGIN_SIGNATURE_INVALID',
      `Refused a loginResponse whose signature is ${what} (check apiSecretKey and signatureAlgorithm).`);
  }
  const login: VerifiedLogin = { consId };
  const nonce = readOptionalId(record, 'nonce', OPAQUE_VALUE, LOGIN_ROOT);
  const routingId = readOptionalId(record, 'routing_id', ROUTING_ID, LOGIN_ROOT);
  if (nonce !== undefined) login.nonce = nonce;
  if (routingId !== undefined) login.routingId = routingId;
  return login;
}
