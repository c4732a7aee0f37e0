import { LuminateError } from '../errors';

/** A cons_id (or member_id) as Luminate sends and takes it: 1-255 printable ASCII characters, no space. */
export const CONS_ID = /^[\x21-\x7e]{1,255}$/;
/** Tokens, nonces and session ids: opaque printable ASCII, at most 4096 characters. */
export const OPAQUE_VALUE = /^[\x21-\x7e]{1,4096}$/;
/** A load-balancer routing id: it goes into a URL path (`;jsessionid=`), so no encoding and no dot segment. */
export const ROUTING_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** C0 controls, DEL and C1 controls: refused in what visitors send (destinations, login fields, names). */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A parsed Luminate reply. Records have a null prototype, so no key can reach Object.prototype.
 * Arrays appear where Luminate repeats an element.
 */
export type LuminateValue = string | null | LuminateRecord | LuminateValue[];
export interface LuminateRecord {
  [key: string]: LuminateValue;
}

/** Keys that are dropped wherever they appear in a reply. */
export const DANGEROUS_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function emptyRecord(): LuminateRecord {
  return Object.create(null) as LuminateRecord;
}

export function isRecord(value: unknown): value is LuminateRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(message: string): LuminateError {
  return new LuminateError('LUMINATE_MALFORMED_RESPONSE', message);
}

/**
 * One scalar field: undefined when Luminate sent nothing, nil/null, `[]` or an empty value (`<x/>`, `""`,
 * whitespace, `{}`). A repeated element or a nested record is malformed: guessing which of two tokens is
 * meant is not safe. The value never appears in the message (it may be a secret).
 */
export function readOptionalString(record: LuminateRecord, field: string): string | undefined {
  const value = Object.hasOwn(record, field) ? record[field] : undefined;
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  if (Array.isArray(value)) throw malformed(`Luminate sent "${field}" more than once where one value was expected`);
  if (typeof value !== 'string') throw malformed(`Luminate sent a structure for "${field}" where one value was expected`);
  return value;
}

export function readRequiredString(record: LuminateRecord, field: string, root: string): string {
  const value = readOptionalString(record, field);
  if (value === undefined) throw malformed(`Luminate's ${root} has no "${field}"`);
  return value;
}

/**
 * An id-like field (token, nonce, routing id, cons_id, SessionId…), trimmed; the text `null` in any
 * letter case is absent too (seen in the field: `"token":"null"`). Not for free text (a name may be
 * "Null"). With `form`, a value not matching it is malformed.
 */
export function readOptionalId(record: LuminateRecord, field: string, form?: RegExp, root = 'the reply'): string | undefined {
  const value = readOptionalString(record, field)?.trim();
  if (value === undefined || value.toLowerCase() === 'null') return undefined;
  if (form !== undefined && !form.test(value)) throw malformed(`Luminate sent a "${field}" in ${root} that is not in the expected form`);
  return value;
}

/** A required id-like field (see readOptionalId); absent, empty, `{}`, nil or `null` is malformed. */
export function readRequiredId(record: LuminateRecord, field: string, root: string, form?: RegExp): string {
  const value = readOptionalId(record, field, form, root);
  if (value === undefined) throw malformed(`Luminate's ${root} has no "${field}"`);
  return value;
}
