import { isSourceValue } from '../config/clients';
import { ASCII_CONTROL } from '../config/parse';
import { LuminateError } from '../errors';
import type { CallOptions } from './types';

const NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,127}$/;
const MAX_ID_LENGTH = 255;
const MAX_PARAM_LENGTH = 4096;

/** Parameters the client sets itself; a caller passing them would override credentials or format. */
const RESERVED = new Set([
  'method', 'v', 'api_key', 'login_name', 'login_password', 'response_format',
  'suppress_response_codes', 'center_id', 'source', 'sub_source',
]);

function invalid(message: string): LuminateError {
  return new LuminateError('LUMINATE_INVALID_ARGUMENT', message);
}

function checkId(value: unknown, name: 'consId' | 'memberId'): string {
  if (typeof value !== 'string' || value === '' || value.trim() !== value || value.length > MAX_ID_LENGTH || ASCII_CONTROL.test(value)) {
    throw invalid(`${name} must be a non-empty string of at most ${MAX_ID_LENGTH} characters, without surrounding spaces or control characters`);
  }
  return value;
}

/** The Luminate parameter for a ConstituentRef: exactly one of cons_id or member_id. */
export function idParameter(ref: unknown): { name: 'cons_id' | 'member_id'; value: string } {
  if (typeof ref !== 'object' || ref === null) {
    throw invalid('pass the constituent as { consId } or { memberId }');
  }
  const { consId, memberId } = ref as Partial<Record<'consId' | 'memberId', unknown>>;
  if ((consId === undefined) === (memberId === undefined)) {
    throw invalid('pass exactly one of consId or memberId');
  }
  return consId !== undefined
    ? { name: 'cons_id', value: checkId(consId, 'consId') }
    : { name: 'member_id', value: checkId(memberId, 'memberId') };
}

/** Checks a Luminate method name or root element name (letters and digits). */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) throw invalid(`${what} must be a Luminate name such as getSingleSignOnToken`);
  return value;
}

/** Checks the method-specific parameters of callServerApi. */
export function checkParams(params: unknown): Array<[string, string]> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw invalid('params must be an object of string values');
  }
  const entries: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(params)) {
    if (!PARAM_NAME.test(key)) throw invalid(`parameter name "${key.slice(0, 64)}" is not a Luminate parameter name`);
    if (RESERVED.has(key)) throw invalid(`parameter "${key}" is set by the client itself (use the client or call options)`);
    if (typeof value !== 'string' || value.length > MAX_PARAM_LENGTH) {
      throw invalid(`parameter "${key}" must be a string of at most ${MAX_PARAM_LENGTH} characters`);
    }
    entries.push([key, value]);
  }
  return entries;
}

/** Checks per-call options; returns them with only the known keys. */
export function checkCallOptions(options: unknown): CallOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw invalid('call options must be an object');
  const given = options as Record<string, unknown>;
  const checked: CallOptions = {};
  if (given.signal !== undefined) {
    if (!(given.signal instanceof AbortSignal)) throw invalid('options.signal must be an AbortSignal');
    checked.signal = given.signal;
  }
  for (const key of ['source', 'subSource'] as const) {
    const value = given[key];
    if (value === undefined) continue;
    // The options' own rule (isSourceValue).
    if (!isSourceValue(value)) {
      throw invalid(`options.${key} must be a non-empty string of at most 255 printable characters without surrounding spaces`);
    }
    checked[key] = value;
  }
  return checked;
}
