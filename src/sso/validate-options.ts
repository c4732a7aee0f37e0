import { isSourceValue } from './attribution';
import { compileDestinations, defaultAllowList } from './destinations';
import {
  DEFAULT_CALLBACK_MAX_AGE_SECONDS,
  DEFAULT_PATHS,
  DEFAULT_TIMEOUT_MS,
  type Attribution,
  type LuminateSiteOptions,
  type LuminateSsoOptions,
  type ResolvedSsoOptions,
} from './options';
import { isLoopbackHost } from '../util/loopback';
import { loggedInConstituent } from '../login/session';
import { resolveMintThrottle } from './mint-throttle';
import { checkLogger } from '../diagnostics/warnings';

type Env = Record<string, string | undefined>;

const STORE_METHODS = ['setIfAbsent', 'increment', 'count', 'delete'] as const;
/** Characters Luminate does not allow in an API key. */
const FORBIDDEN_API_KEY = /[&:\\"'?=]/;

// One entry per option: the compiler checks these lists against the option types, so the
// "unknown option" check and the types cannot drift apart.
const SSO_KEYS: { [K in keyof Required<LuminateSsoOptions>]: true } = {
  luminate: true, constituent: true, loginUrl: true, loginReturnParam: true, destinations: true,
  handoff: true, rememberMe: true, paths: true, baseUrl: true, onFailure: true, onError: true,
  onHandoff: true, callbackMaxAgeSeconds: true, store: true, client: true, provision: true,
  attribution: true, throttle: true, renderPage: true, logger: true, verify: true,
};
const SITE_KEYS: { [K in keyof Required<LuminateSiteOptions>]: true } = {
  secureUrl: true, apiKey: true, apiLogin: true, apiSecretKey: true, signatureAlgorithm: true,
  responseFormat: true, timeoutMs: true, connectTimeoutMs: true, headersTimeoutMs: true,
  bodyTimeoutMs: true, maxResponseBytes: true, connections: true, tls: true, dispatcher: true,
};

function fail(message: string): never {
  throw new TypeError(`luminateSso(): ${message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknownKeys(obj: Record<string, unknown>, known: Record<string, true>, path: string): void {
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(known, key)) {
      fail(`unknown option "${path}.${key}". Known options: ${Object.keys(known).join(', ')}. Check the spelling.`);
    }
  }
}

/** A string option with an environment fallback; `label` names both in messages. */
function stringSetting(value: unknown, env: Env, path: string, envName: string, example: string): string {
  const label = `${path} (or env ${envName})`;
  const chosen = value ?? env[envName];
  if (chosen === undefined || chosen === '') fail(`${label} is missing. Set it to ${example}.`);
  if (typeof chosen !== 'string') fail(`${label} must be a string, got ${typeof chosen}.`);
  if (chosen.trim() !== chosen) fail(`${label} has leading or trailing whitespace; remove it.`);
  return chosen;
}

function unitOf(path: string): string {
  if (path.endsWith('Seconds')) return ' of seconds';
  if (path.endsWith('Ms')) return ' of milliseconds';
  if (path.endsWith('Bytes')) return ' of bytes';
  return '';
}

function positiveNumber(value: unknown, path: string, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(`${path} must be a positive number${unitOf(path)}, got ${String(value)}.`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    fail(`${path} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}.`);
  }
  return value as T;
}

function checkSecureUrl(value: string): string {
  const label = 'luminate.secureUrl (or env LUMINATE_SECURE_URL)';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${label} is not a URL: use your site's secure base, e.g. https://secure2.convio.net/myorg.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    fail(`${label} must use https (http is accepted only for loopback hosts such as the stand-in Luminate: localhost, 127.0.0.0/8 or [::1]).`);
  }
  if (url.username || url.password || url.search || url.hash) {
    fail(`${label} must be a plain base URL without credentials, query or fragment, e.g. https://secure2.convio.net/myorg.`);
  }
  if (/\/site(\/|$)/.test(url.pathname)) {
    fail(`${label} must stop before "/site/": give the base (https://secure2.convio.net/myorg), not a servlet URL.`);
  }
  return url.href.replace(/\/+$/, '');
}

function checkBaseUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail('baseUrl must be a string such as https://www.example.org.');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail('baseUrl must be an absolute URL such as https://www.example.org.');
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
    fail('baseUrl must be an http(s) URL without credentials, query or fragment, e.g. https://www.example.org.');
  }
  return url.href.replace(/\/+$/, '');
}

function checkPath(value: unknown, path: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\/[A-Za-z0-9._~\-/]*$/.test(value) || value.startsWith('//')) {
    fail(`${path} must be a path starting with "/" made of letters, digits and ._~-/ characters, got ${JSON.stringify(value)}.`);
  }
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

function checkLoginUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const message = 'loginUrl must be a site path such as "/login" or an absolute http(s) URL.';
  if (typeof value !== 'string' || value === '') fail(message);
  if (value.startsWith('/')) {
    if (value.startsWith('//') || value.includes('\\')) fail(message);
    return value;
  }
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(message);
  } catch {
    fail(message);
  }
  return value;
}

function checkFunction(value: unknown, path: string, required: boolean, shape: string): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'function') fail(`${path} ${required ? 'is required and ' : ''}must be a function: ${shape}.`);
}

/** `attribution`: a static `{ source, subSource, fromQuery }` or a per-request function. */
function checkAttribution(value: unknown): ResolvedSsoOptions['attribution'] {
  if (value === undefined) return { fixed: {}, fromQuery: false };
  if (typeof value === 'function') return { fixed: {}, fromQuery: false, perRequest: value as ResolvedSsoOptions['attribution']['perRequest'] };
  if (!isPlainObject(value)) {
    fail('attribution must be an object { source, subSource, fromQuery } or a function (req) => ({ source, subSource }).');
  }
  rejectUnknownKeys(value, { source: true, subSource: true, fromQuery: true }, 'attribution');
  const fixed: Attribution = {};
  for (const key of ['source', 'subSource'] as const) {
    const v = value[key];
    if (v === undefined) continue;
    if (!isSourceValue(v)) {
      fail(`attribution.${key} must be a non-empty string of at most 255 printable characters without surrounding spaces.`);
    }
    fixed[key] = v;
  }
  if (value.fromQuery !== undefined && typeof value.fromQuery !== 'boolean') fail('attribution.fromQuery must be true or false.');
  return { fixed, fromQuery: value.fromQuery === true };
}

/** Validates the options once, at start-up; throws a TypeError naming the first problem and its fix. */
export function resolveSsoOptions(input: unknown, env: Env = process.env): ResolvedSsoOptions {
  if (!isPlainObject(input)) {
    fail('expected an options object, e.g. luminateSso({ constituent: (req) => ..., destinations: { default: "..." } }).');
  }
  rejectUnknownKeys(input, SSO_KEYS, 'options');
  const opts = input as unknown as LuminateSsoOptions;
  const site = (opts.luminate ?? {}) as LuminateSiteOptions;
  if (!isPlainObject(site)) fail('luminate must be an object with secureUrl, apiKey, apiLogin and apiSecretKey.');
  rejectUnknownKeys(site as Record<string, unknown>, SITE_KEYS, 'luminate');
  const login = site.apiLogin ?? {};
  if (!isPlainObject(login)) fail('luminate.apiLogin must be an object { name, password }.');
  rejectUnknownKeys(login, { name: true, password: true }, 'luminate.apiLogin');

  const secureUrl = checkSecureUrl(
    stringSetting(site.secureUrl, env, 'luminate.secureUrl', 'LUMINATE_SECURE_URL', "your site's secure base, e.g. https://secure2.convio.net/myorg"),
  );
  const apiKey = stringSetting(site.apiKey, env, 'luminate.apiKey', 'LUMINATE_API_KEY', "the site's CONVIO_API_KEY");
  if (FORBIDDEN_API_KEY.test(apiKey)) {
    fail('luminate.apiKey (or env LUMINATE_API_KEY) must not contain any of & : \\ " \' ? = — Luminate rejects such keys; change CONVIO_API_KEY on the site.');
  }
  const apiLogin = {
    name: stringSetting(login.name, env, 'luminate.apiLogin.name', 'LUMINATE_API_LOGIN_NAME', 'the user name of an API Administrator account'),
    password: stringSetting(login.password, env, 'luminate.apiLogin.password', 'LUMINATE_API_LOGIN_PASSWORD', "that account's password"),
  };
  const apiSecretKey = stringSetting(site.apiSecretKey, env, 'luminate.apiSecretKey', 'LUMINATE_API_SECRET_KEY', "the site's CONVIO_API_SECRET_KEY");
  const signatureAlgorithm = oneOf(site.signatureAlgorithm ?? env.LUMINATE_SIGNATURE_ALGORITHM, ['md5', 'sha1'] as const, 'luminate.signatureAlgorithm (or env LUMINATE_SIGNATURE_ALGORITHM)', 'md5');
  oneOf(site.responseFormat, ['xml', 'json'] as const, 'luminate.responseFormat', 'xml');
  const timeoutMs = positiveNumber(site.timeoutMs, 'luminate.timeoutMs', DEFAULT_TIMEOUT_MS) as number;
  for (const key of ['connectTimeoutMs', 'headersTimeoutMs', 'bodyTimeoutMs', 'maxResponseBytes', 'connections'] as const) {
    positiveNumber(site[key], `luminate.${key}`, undefined);
  }

  checkFunction(opts.constituent, 'constituent', false, '(req) => ({ consId }) | ({ memberId }) | ({ email }) | null, may be async');
  checkFunction(opts.onError, 'onError', false, '(err, req) => void');
  checkFunction(opts.onHandoff, 'onHandoff', false, '(info, req) => void');
  checkFunction(opts.renderPage, 'renderPage', false, '(page) => string, the whole HTML document with page.body (or its parts) in your layout');
  checkFunction(opts.provision, 'provision', false, '(req) => ({ email, firstName, lastName }) | null, may be async');
  const attribution = checkAttribution(opts.attribution);

  if (!isPlainObject(opts.destinations)) {
    fail(`destinations is required: { default: "${secureUrl}/site/Donation2?df_id=1234" } (allow defaults to the donation, TeamRaiser and content pages under "${secureUrl}/site/").`);
  }
  rejectUnknownKeys(opts.destinations, { allow: true, default: true }, 'destinations');
  const allow = opts.destinations.allow ?? defaultAllowList(secureUrl);
  const destinations = { allow, default: opts.destinations.default };
  try {
    compileDestinations(destinations); // a TypeError naming destinations.allow[i] / destinations.default
  } catch (e) {
    fail((e as Error).message);
  }

  const paths = isPlainObject(opts.paths ?? {}) ? (opts.paths ?? {}) : fail('paths must be an object { start, callback }.');
  rejectUnknownKeys(paths, { start: true, callback: true }, 'paths');
  const resolvedPaths = {
    start: checkPath(paths.start, 'paths.start', DEFAULT_PATHS.start),
    callback: checkPath(paths.callback, 'paths.callback', DEFAULT_PATHS.callback),
  };
  if (resolvedPaths.start === resolvedPaths.callback) fail('paths.start and paths.callback must differ.');

  const loginReturnParam = opts.loginReturnParam ?? 'returnTo';
  if (typeof loginReturnParam !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(loginReturnParam)) {
    fail('loginReturnParam must be a query parameter name of letters, digits, "_", "." or "-".');
  }
  if (opts.rememberMe !== undefined && typeof opts.rememberMe !== 'boolean') fail('rememberMe must be true or false.');
  if (opts.store !== undefined && (!isPlainObject(opts.store) || !STORE_METHODS.every((m) => typeof (opts.store as unknown as Record<string, unknown>)[m] === 'function'))) {
    fail(`store must implement the BridgeStore interface (${STORE_METHODS.join(', ')}), e.g. new MemoryStore().`);
  }
  if (opts.client !== undefined && (!isPlainObject(opts.client) || typeof (opts.client as { getSingleSignOnToken?: unknown }).getSingleSignOnToken !== 'function')) {
    fail('client must be a LuminateClient instance.');
  }

  const { secureUrl: _s, apiKey: _k, apiLogin: _l, apiSecretKey: _sk, signatureAlgorithm: _a, timeoutMs: _t, ...client } = site;
  return {
    secureUrl, apiKey, apiLogin, apiSecretKey, signatureAlgorithm, timeoutMs,
    client: { ...client, timeoutMs },
    constituent: opts.constituent ?? loggedInConstituent,
    loginUrl: checkLoginUrl(opts.loginUrl),
    loginReturnParam,
    destinations,
    handoff: oneOf(opts.handoff, ['singleSignOn', 'establishSession'] as const, 'handoff', 'singleSignOn'),
    rememberMe: opts.rememberMe ?? false,
    paths: resolvedPaths,
    baseUrl: checkBaseUrl(opts.baseUrl),
    onFailure: oneOf(opts.onFailure, ['continue', 'error'] as const, 'onFailure', 'continue'),
    onError: opts.onError,
    onHandoff: opts.onHandoff,
    callbackMaxAgeSeconds: positiveNumber(opts.callbackMaxAgeSeconds, 'callbackMaxAgeSeconds', DEFAULT_CALLBACK_MAX_AGE_SECONDS) as number,
    store: opts.store,
    throttle: resolveMintThrottle(opts.throttle),
    injectedClient: opts.client,
    provision: opts.provision,
    attribution,
    ...(opts.renderPage !== undefined ? { renderPage: opts.renderPage } : {}),
    logger: checkLogger(opts.logger, fail),
    verify: opts.verify === undefined || opts.verify === false ? false : oneOf(opts.verify, ['warn', 'fail'] as const, 'verify (or false)', 'warn'),
  };
}
