import { LuminateError } from '../errors';
import { CONTROL_CHARACTER } from '../luminate/values';
import { CSRF_FIELD } from './csrf';
import type { ResolvedLoginOptions } from './resolve-options';

/** What the login form sent, checked before anything goes to Luminate. */
export type ReadCredentials =
  /** `params` go to Luminate as they are; `identifier` is what failures are counted against. */
  | { ok: true; params: Record<string, string>; identifier: string }
  /** A field the form may not send, or a repeated / structured value: the form itself is wrong. */
  | { ok: false; outcome: 'bad-request'; error: LuminateError }
  /** A required field is empty. */
  | { ok: false; outcome: 'incomplete' }
  /** A value no constituent can have (too long, control characters): refused like wrong credentials. */
  | { ok: false; outcome: 'unusable' };

const MAX_VALUE_LENGTH = 255;
const MAX_PASSWORD_LENGTH = 1024;

function badRequest(message: string): ReadCredentials {
  return { ok: false, outcome: 'bad-request', error: new LuminateError('LOGIN_BAD_REQUEST', message) };
}

/** The name as it may appear in a log line: it came from the request. */
function printable(name: string): string {
  return JSON.stringify(name.slice(0, 64).replace(new RegExp(CONTROL_CHARACTER.source, 'g'), '?'));
}

/**
 * Only the configured fields, the CSRF token and the return path may be posted: anything else
 * could reach Luminate as a parameter of its own (`cons_id`, `center_id`…) or signals a form that
 * does not match the configuration. Values are trimmed, passwords excepted.
 */
export function readCredentials(body: unknown, config: Pick<ResolvedLoginOptions, 'fields' | 'identifierField' | 'returnToParam'>): ReadCredentials {
  const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const allowed = new Set([...config.fields, CSRF_FIELD, config.returnToParam]);
  for (const name of Object.keys(form)) {
    if (!allowed.has(name)) return badRequest(`The login form sent a field that is not configured: ${printable(name)}. Allowed: ${[...allowed].join(', ')}.`);
    if (typeof form[name] !== 'string') return badRequest(`The login form sent ${printable(name)} more than once, or as a structure.`);
  }
  const params: Record<string, string> = {};
  let unusable = false;
  for (const name of config.fields) {
    const raw = Object.hasOwn(form, name) ? (form[name] as string) : '';
    const isPassword = name === 'password';
    const value = isPassword ? raw : raw.trim();
    if (value === '') return { ok: false, outcome: 'incomplete' };
    if (value.length > (isPassword ? MAX_PASSWORD_LENGTH : MAX_VALUE_LENGTH) || CONTROL_CHARACTER.test(value)) unusable = true;
    params[name] = value;
  }
  if (unusable) return { ok: false, outcome: 'unusable' };
  // One counter per person however they type it: `M-1001 `, `m-1001` and `Ｍ-1001` are one identifier.
  const identifier = `${config.identifierField}:${(params[config.identifierField] as string).normalize('NFKC').toLowerCase()}`;
  return { ok: true, params, identifier };
}
