import { LuminateError } from '../errors';

/** A cons_id (or member_id) as Luminate sends and takes it: 1-255 printable ASCII characters, no space. */
export const CONS_ID = /^[\x21-\x7e]{1,255}$/;
/** Tokens, nonces and session ids: opaque printable ASCII, at most 4096 characters. */
export const OPAQUE_VALUE = /^[\x21-\x7e]{1,4096}$/;
/**
 * A load-balancer routing id. It goes into a URL path (`;jsessionid=<routing_id>`), so it is held
 * to an alphabet that needs no encoding in a path segment and cannot make it a dot segment.
 */
export const ROUTING_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** C0 controls, DEL and C1 controls: refused in what visitors send (destinations, login fields, names). */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * What a parsed Luminate reply is made of. Records have a null prototype, so no key (not even
 * `__proto__` or `constructor`) can reach Object.prototype. Arrays appear where Luminate repeats
 * an element (one item is a bare value, two or more an array).
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
 * One scalar field of a reply: the string, or undefined when Luminate sent nothing, nil/null or
 * an empty value (`<x/>`, `""`, or `{}`, which the JSON reader turns into null). A repeated element (array) or a nested record where one string is expected is
 * malformed: guessing which of two tokens is meant is not safe. The value never appears in the
 * error message (it may be a secret).
 */
export function readOptionalString(record: LuminateRecord, field: string): string | undefined {
  const value = Object.prototype.hasOwnProperty.call(record, field) ? record[field] : undefined;
  // Whitespace alone is empty, as the XML reader (which trims) already reads it; so is `[]`.
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
 * One id-like field of a reply (token, nonce, routing id, JSESSIONID, cons_id, SessionId): as
 * readOptionalString, trimmed, and the text `null` in any letter case is absent too: it stands for
 * a missing value on some sites (seen in the field: `"token":"null"`) and is never a real token,
 * nonce, routing id, session or constituent id. Not for free text (a name may be "Null").
 */
export function readOptionalId(record: LuminateRecord, field: string): string | undefined {
  const value = readOptionalString(record, field)?.trim();
  return value === undefined || value.toLowerCase() === 'null' ? undefined : value;
}

/** A required id-like field (see readOptionalId); absent, empty, `{}`, nil or `null` is malformed. */
export function readRequiredId(record: LuminateRecord, field: string, root: string): string {
  const value = readOptionalId(record, field);
  if (value === undefined) throw malformed(`Luminate's ${root} has no "${field}"`);
  return value;
}
