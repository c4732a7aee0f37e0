import { LuminateError } from '../errors';
import type { SingleSignOnToken } from './types';
import { CONS_ID, OPAQUE_VALUE, ROUTING_ID, readOptionalId, readRequiredId, type LuminateRecord } from './values';

export const TOKEN_ROOT = 'getSingleSignOnTokenResponse';

/** 00123 and 123 are the same record; only digits are compared that way. */
function sameConsId(a: string, b: string): boolean {
  return a === b || (/^\d+$/.test(a) && /^\d+$/.test(b) && a.replace(/^0+/, '') === b.replace(/^0+/, ''));
}

/**
 * The typed result of getSingleSignOnToken. Optional fields are absent (not undefined) when Luminate
 * sends nothing, nil, an empty value or the text `null`; a token or cons_id missing that way is
 * LUMINATE_MALFORMED_RESPONSE. A reply naming another constituent than the one asked for is refused:
 * handing that token over would log in the wrong person.
 */
export function toSingleSignOnToken(record: LuminateRecord, requestedConsId?: string): SingleSignOnToken {
  const token = readRequiredId(record, 'token', TOKEN_ROOT, OPAQUE_VALUE);
  const consId = readRequiredId(record, 'cons_id', TOKEN_ROOT, CONS_ID);
  if (requestedConsId !== undefined && !sameConsId(consId, requestedConsId)) {
    throw new LuminateError(
      'LUMINATE_UNEXPECTED_RESPONSE',
      `Luminate returned a token for cons_id ${consId} when ${requestedConsId} was asked for`,
    );
  }
  const result: SingleSignOnToken = { token, consId };
  const nonce = readOptionalId(record, 'nonce', OPAQUE_VALUE, TOKEN_ROOT);
  const routingId = readOptionalId(record, 'routing_id', ROUTING_ID, TOKEN_ROOT);
  const jsessionId = readOptionalId(record, 'JSESSIONID', OPAQUE_VALUE, TOKEN_ROOT);
  if (nonce !== undefined) result.nonce = nonce;
  if (routingId !== undefined) result.routingId = routingId;
  if (jsessionId !== undefined) result.jsessionId = jsessionId;
  return result;
}
