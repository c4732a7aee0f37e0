import { CONTROL, isObject, NETWORK_DEFAULTS, NETWORK_KEYS, OptionChecks, type NetworkSettings } from './option-checks';
import type { LuminateClientOptions, ResponseFormat } from './types';

/** Options after validation, with defaults filled in. */
export interface ResolvedClientOptions extends NetworkSettings {
  /** The secure base without a trailing slash. */
  secureUrl: string;
  /** `<secureUrl>/site/SRConsAPI`. */
  endpoint: string;
  apiKey: string;
  loginName: string;
  loginPassword: string;
  responseFormat: ResponseFormat;
  suppressResponseCodes: boolean;
  centerId?: string;
  source?: string;
  subSource?: string;
}

export const CLIENT_DEFAULTS = { responseFormat: 'xml', ...NETWORK_DEFAULTS } as const;

// The compiler checks this list against the option types, so they cannot drift apart.
const KNOWN: { [K in keyof Required<LuminateClientOptions>]: true } = {
  secureUrl: true, apiKey: true, apiLogin: true, responseFormat: true, suppressResponseCodes: true,
  centerId: true, source: true, subSource: true, ...NETWORK_KEYS,
};
/** Characters Luminate does not allow in an API key. */
export const FORBIDDEN_API_KEY = /[&:\\"'?=]/;

const checks: OptionChecks = new OptionChecks('LuminateClient');

function optionalText(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 255 || CONTROL.test(value)) {
    checks.fail(`options.${path} must be a non-empty string of at most 255 characters without control characters, or left out.`);
  }
  return value;
}

function checkSecureUrl(value: unknown): string {
  const example = "your site's secure base, e.g. https://secure2.convio.net/myorg";
  const raw = checks.requiredString(value, 'options.secureUrl', example);
  const url = checks.httpsUrl(raw, 'options.secureUrl', example);
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/site(\/|$)/i.test(path)) {
    checks.fail("options.secureUrl is the site's secure base without /site/…, e.g. https://secure2.convio.net/myorg.");
  }
  return `${url.origin}${path}`;
}

/** Validates the constructor options; the first problem is thrown as a TypeError naming the option and the fix. */
export function resolveClientOptions(options: unknown): ResolvedClientOptions {
  if (!isObject(options)) checks.fail('options must be an object with at least secureUrl, apiKey and apiLogin.');
  checks.rejectUnknown(options, KNOWN, '');
  const secureUrl = checkSecureUrl(options.secureUrl);

  const apiKey = checks.requiredString(options.apiKey, 'options.apiKey', "the site's CONVIO_API_KEY");
  if (FORBIDDEN_API_KEY.test(apiKey) || CONTROL.test(apiKey) || apiKey.trim() !== apiKey) {
    checks.fail('options.apiKey must not contain & : \\ " \' ? =, control characters or surrounding spaces; Luminate does not accept such keys.');
  }

  const login = options.apiLogin;
  if (!isObject(login)) checks.fail('options.apiLogin must be { name, password } of an API Administrator account.');
  checks.rejectUnknown(login, { name: true, password: true }, 'apiLogin.');
  const loginName = checks.requiredString(login.name, 'options.apiLogin.name', 'the API Administrator user name');
  if (CONTROL.test(loginName)) checks.fail('options.apiLogin.name must not contain control characters.');
  if (typeof login.password !== 'string' || login.password === '') {
    checks.fail('options.apiLogin.password must be a non-empty string: the API Administrator password.');
  }

  const format = options.responseFormat ?? CLIENT_DEFAULTS.responseFormat;
  if (format !== 'xml' && format !== 'json') checks.fail(`options.responseFormat must be 'xml' or 'json', got ${JSON.stringify(format)}.`);
  if (options.suppressResponseCodes !== undefined && typeof options.suppressResponseCodes !== 'boolean') {
    checks.fail('options.suppressResponseCodes must be a boolean.');
  }

  const resolved: ResolvedClientOptions = {
    secureUrl,
    endpoint: `${secureUrl}/site/SRConsAPI`,
    apiKey,
    loginName,
    loginPassword: login.password,
    responseFormat: format,
    suppressResponseCodes: options.suppressResponseCodes === true,
    ...checks.network(options),
  };
  const centerId = optionalText(options.centerId, 'centerId');
  const source = optionalText(options.source, 'source');
  const subSource = optionalText(options.subSource, 'subSource');
  if (centerId !== undefined) resolved.centerId = centerId;
  if (source !== undefined) resolved.source = source;
  if (subSource !== undefined) resolved.subSource = subSource;
  return resolved;
}
