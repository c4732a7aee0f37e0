import type { Dispatcher } from 'undici';
import { isLoopbackHost } from '../util/loopback';
import type { LuminateClientOptions, ResponseFormat } from './types';

/** Options after validation, with defaults filled in. */
export interface ResolvedClientOptions {
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
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
  connections: number;
  tls?: NonNullable<LuminateClientOptions['tls']>;
  dispatcher?: Dispatcher;
}

export const CLIENT_DEFAULTS = {
  responseFormat: 'xml',
  connectTimeoutMs: 2000,
  headersTimeoutMs: 4000,
  bodyTimeoutMs: 4000,
  timeoutMs: 5000,
  maxResponseBytes: 65536,
  connections: 16,
} as const;

// The compiler checks these lists against the option types, so they cannot drift apart.
const KNOWN: { [K in keyof Required<LuminateClientOptions>]: true } = {
  secureUrl: true, apiKey: true, apiLogin: true, responseFormat: true, suppressResponseCodes: true,
  centerId: true, source: true, subSource: true, connectTimeoutMs: true, headersTimeoutMs: true,
  bodyTimeoutMs: true, timeoutMs: true, maxResponseBytes: true, connections: true, tls: true, dispatcher: true,
};
const KNOWN_TLS: { [K in keyof Required<NonNullable<LuminateClientOptions['tls']>>]: true } = {
  ca: true, rejectUnauthorized: true, servername: true,
};
const FORBIDDEN_API_KEY = /[&:\\"'?=]/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_TIMER_MS = 2_147_483_647;

function fail(message: string): never {
  throw new TypeError(`LuminateClient: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknown(obj: Record<string, unknown>, known: Record<string, true>, path: string): void {
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(known, key)) fail(`unknown option "${path}${key}"; known: ${Object.keys(known).join(', ')}.`);
  }
}

function requiredString(value: unknown, path: string, hint: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(`options.${path} must be a non-empty string: ${hint}.`);
  return value;
}

function optionalText(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 255 || CONTROL.test(value)) {
    fail(`options.${path} must be a non-empty string of at most 255 characters without control characters, or left out.`);
  }
  return value;
}

function positive(value: unknown, path: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_TIMER_MS &&
    (!integer || Number.isInteger(value));
  if (!ok) fail(`options.${path} must be a positive ${integer ? 'integer' : 'number'} (default ${fallback}), got ${String(value)}.`);
  return value as number;
}

function checkSecureUrl(value: unknown): string {
  const example = 'e.g. https://secure2.convio.net/myorg';
  const raw = requiredString(value, 'secureUrl', `your site's secure base, ${example}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail(`options.secureUrl is not a URL; use your site's secure base, ${example}.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    fail('options.secureUrl must use https:// (plain http:// is accepted only for loopback hosts, such as a local stand-in).');
  }
  if (url.username !== '' || url.password !== '') fail('options.secureUrl must not carry a user name or password.');
  if (url.search !== '' || url.hash !== '') fail('options.secureUrl must not carry a query string or #fragment.');
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/site(\/|$)/i.test(path)) {
    fail(`options.secureUrl is the site's secure base without /site/…, ${example}.`);
  }
  return `${url.origin}${path}`;
}

function checkTls(value: unknown): ResolvedClientOptions['tls'] {
  if (value === undefined) return undefined;
  if (!isObject(value)) fail('options.tls must be an object { ca?, rejectUnauthorized?, servername? }.');
  rejectUnknown(value, KNOWN_TLS, 'tls.');
  const { ca, rejectUnauthorized, servername } = value;
  const isPem = (v: unknown): boolean => typeof v === 'string' || Buffer.isBuffer(v);
  if (ca !== undefined && !isPem(ca) && !(Array.isArray(ca) && ca.length > 0 && ca.every(isPem))) {
    fail('options.tls.ca must be a PEM string, a Buffer, or a non-empty array of them.');
  }
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean') {
    fail('options.tls.rejectUnauthorized must be a boolean.');
  }
  if (servername !== undefined && (typeof servername !== 'string' || servername === '')) {
    fail('options.tls.servername must be a non-empty host name.');
  }
  return value as ResolvedClientOptions['tls'];
}

/** Validates the constructor options; the first problem is thrown as a TypeError naming the option and the fix. */
export function resolveClientOptions(options: unknown): ResolvedClientOptions {
  if (!isObject(options)) fail('options must be an object with at least secureUrl, apiKey and apiLogin.');
  rejectUnknown(options, KNOWN, '');
  const secureUrl = checkSecureUrl(options.secureUrl);

  const apiKey = requiredString(options.apiKey, 'apiKey', "the site's CONVIO_API_KEY");
  if (FORBIDDEN_API_KEY.test(apiKey) || CONTROL.test(apiKey) || apiKey.trim() !== apiKey) {
    fail('options.apiKey must not contain & : \\ " \' ? =, control characters or surrounding spaces; Luminate does not accept such keys.');
  }

  const login = options.apiLogin;
  if (!isObject(login)) fail('options.apiLogin must be { name, password } of an API Administrator account.');
  rejectUnknown(login, { name: true, password: true }, 'apiLogin.');
  const loginName = requiredString(login.name, 'apiLogin.name', 'the API Administrator user name');
  if (CONTROL.test(loginName)) fail('options.apiLogin.name must not contain control characters.');
  if (typeof login.password !== 'string' || login.password === '') {
    fail('options.apiLogin.password must be a non-empty string: the API Administrator password.');
  }

  const format = options.responseFormat ?? CLIENT_DEFAULTS.responseFormat;
  if (format !== 'xml' && format !== 'json') fail(`options.responseFormat must be 'xml' or 'json', got ${JSON.stringify(format)}.`);
  if (options.suppressResponseCodes !== undefined && typeof options.suppressResponseCodes !== 'boolean') {
    fail('options.suppressResponseCodes must be a boolean.');
  }

  const dispatcher = options.dispatcher;
  if (dispatcher !== undefined) {
    if (!isObject(dispatcher) || typeof dispatcher.dispatch !== 'function') {
      fail('options.dispatcher must be an undici Dispatcher (Agent, Pool, ProxyAgent, MockAgent…).');
    }
    for (const key of ['tls', 'connections', 'connectTimeoutMs'] as const) {
      if (options[key] !== undefined) fail(`options.${key} has no effect with options.dispatcher; set it on your dispatcher instead.`);
    }
  }

  const resolved: ResolvedClientOptions = {
    secureUrl,
    endpoint: `${secureUrl}/site/SRConsAPI`,
    apiKey,
    loginName,
    loginPassword: login.password,
    responseFormat: format,
    suppressResponseCodes: options.suppressResponseCodes === true,
    connectTimeoutMs: positive(options.connectTimeoutMs, 'connectTimeoutMs', CLIENT_DEFAULTS.connectTimeoutMs, false),
    headersTimeoutMs: positive(options.headersTimeoutMs, 'headersTimeoutMs', CLIENT_DEFAULTS.headersTimeoutMs, false),
    bodyTimeoutMs: positive(options.bodyTimeoutMs, 'bodyTimeoutMs', CLIENT_DEFAULTS.bodyTimeoutMs, false),
    timeoutMs: positive(options.timeoutMs, 'timeoutMs', CLIENT_DEFAULTS.timeoutMs, false),
    maxResponseBytes: positive(options.maxResponseBytes, 'maxResponseBytes', CLIENT_DEFAULTS.maxResponseBytes, true),
    connections: positive(options.connections, 'connections', CLIENT_DEFAULTS.connections, true),
  };
  const centerId = optionalText(options.centerId, 'centerId');
  const source = optionalText(options.source, 'source');
  const subSource = optionalText(options.subSource, 'subSource');
  const tls = checkTls(options.tls);
  if (centerId !== undefined) resolved.centerId = centerId;
  if (source !== undefined) resolved.source = source;
  if (subSource !== undefined) resolved.subSource = subSource;
  if (tls !== undefined) resolved.tls = tls;
  if (dispatcher !== undefined) resolved.dispatcher = dispatcher as unknown as Dispatcher;
  return resolved;
}
