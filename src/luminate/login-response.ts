import { LuminateError } from '../errors';
import { CONS_ID, OPAQUE_VALUE, ROUTING_ID, readOptionalId, readOptionalString, readRequiredId, type LuminateRecord } from './values';
import type { SignatureAlgorithm } from '../config/site';
import { verifyLoginSignature } from './signature';

export const LOGIN_ROOT = 'loginResponse';

/** A loginResponse whose signature has been verified. Token and nonce are secrets: never log them. */
export interface VerifiedLogin {
  consId: string;
  /** Single-use nonce for EstablishSession, when Luminate sent one. */
  nonce?: string;
  /** Load-balancer affinity for `;jsessionid=`. */
  routingId?: string;
}

function checked(value: string, form: RegExp, field: string): string {
  if (!form.test(value)) throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', `Luminate sent a "${field}" in ${LOGIN_ROOT} that is not in the expected form`);
  return value;
}

export interface LoginCheck {
  secret: string;
  algorithm: SignatureAlgorithm;
  maxAgeSeconds: number;
  now: number;
}

/**
 * The loginResponse of `login` / `authenticateUser`, trusted only once
 * `signature = HASH(cons_id + timestamp + secret)` verifies and the timestamp is recent.
 * Throws LOGIN_SIGNATURE_INVALID / LOGIN_SIGNATURE_EXPIRED, or LUMINATE_MALFORMED_RESPONSE.
 */
export function verifyLoginResponse(record: LuminateRecord, check: LoginCheck): VerifiedLogin {
  const consId = checked(readRequiredId(record, 'cons_id', LOGIN_ROOT), CONS_ID, 'cons_id');
  const timestamp = readOptionalString(record, 'timestamp') ?? '';
  const signature = readOptionalString(record, 'signature') ?? '';
  const result = verifyLoginSignature({ consId, timestamp, signature }, check);
  if (!result.ok) {
    if (result.reason === 'expired') {
      throw new LuminateError('LOGIN_SIGNATURE_EXPIRED', `Refused a loginResponse whose timestamp is more than ${check.maxAgeSeconds} s from this server's clock (check the clock).`);
    }
    throw new LuminateError(
      'LOGIN_SIGNATURE_INVALID',
      `Refused a loginResponse whose signature is ${result.reason === 'malformed' ? 'missing or malformed' : 'wrong'} (check apiSecretKey and signatureAlgorithm).`,
    );
  }
  const login: VerifiedLogin = { consId };
  const nonce = readOptionalId(record, 'nonce');
  const routingId = readOptionalId(record, 'routing_id');
  if (nonce !== undefined) login.nonce = checked(nonce, OPAQUE_VALUE, 'nonce');
  if (routingId !== undefined) login.routingId = checked(routingId, ROUTING_ID, 'routing_id');
  return login;
}
