import { LuminateError } from '../errors';
import type { SingleSignOnToken } from './types';
import { CONS_ID, OPAQUE_VALUE, ROUTING_ID, readOptionalId, readRequiredId, type LuminateRecord } from './values';

export const TOKEN_ROOT = 'getSingleSignOnTokenResponse';

function malformed(message: string): LuminateError {
  return new LuminateError('LUMINATE_MALFORMED_RESPONSE', message);
}

/** Checks a field's form; the value itself never goes into the message (it may be a secret). */
function checked(value: string, form: RegExp, field: string): string {
  if (!form.test(value)) throw malformed(`Luminate sent a "${field}" that is not in the expected form`);
  return value;
}

function sameConsId(a: string, b: string): boolean {
  if (a === b) return true;
  // 00123 and 123 are the same record; only digits are compared that way.
  return /^\d+$/.test(a) && /^\d+$/.test(b) && a.replace(/^0+/, '') === b.replace(/^0+/, '');
}

/**
 * The typed result of getSingleSignOnToken. Optional fields are absent (not undefined, not null)
 * when Luminate sends nothing, nil, an empty value (`<x/>`, `{}`) or the text `null`; so a
 * missing nonce means singleSignOn, a missing routing id no `;jsessionid=`. A token or cons_id
 * missing that way is LUMINATE_MALFORMED_RESPONSE. A reply naming another constituent than
 * the cons_id asked for is refused: handing that token over would log in the wrong person.
 */
export function toSingleSignOnToken(record: LuminateRecord, requestedConsId?: string): SingleSignOnToken {
  const token = checked(readRequiredId(record, 'token', TOKEN_ROOT), OPAQUE_VALUE, 'token');
  const consId = checked(readRequiredId(record, 'cons_id', TOKEN_ROOT), CONS_ID, 'cons_id');
  if (requestedConsId !== undefined && !sameConsId(consId, requestedConsId)) {
    throw new LuminateError(
      'LUMINATE_UNEXPECTED_RESPONSE',
      `Luminate returned a token for cons_id ${consId} when ${requestedConsId} was asked for`,
    );
  }
  const result: SingleSignOnToken = { token, consId };
  const nonce = readOptionalId(record, 'nonce');
  const routingId = readOptionalId(record, 'routing_id');
  const jsessionId = readOptionalId(record, 'JSESSIONID');
  if (nonce !== undefined) result.nonce = checked(nonce, OPAQUE_VALUE, 'nonce');
  if (routingId !== undefined) result.routingId = checked(routingId, ROUTING_ID, 'routing_id');
  if (jsessionId !== undefined) result.jsessionId = checked(jsessionId, OPAQUE_VALUE, 'JSESSIONID');
  return result;
}
