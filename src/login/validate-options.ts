import { compileDestinations, defaultAllowList } from '../sso/destinations';
import { resolveSsoOptions } from '../sso/validate-options';
import { checkThrottleRule } from '../throttle/sliding-window';
import { isSitePath } from './return-to';
import {
  DEFAULT_LOGIN_PATHS,
  DEFAULT_LOGIN_THROTTLE,
  DEFAULT_SIGNATURE_MAX_AGE_SECONDS,
  type LuminateLoginOptions,
  type ResolvedLoginOptions,
} from './options';
import { CSRF_FIELD } from './csrf';
import { checkLogger } from '../diagnostics/warnings';

type Env = Record<string, string | undefined>;

const LOGIN_KEYS: { [K in keyof Required<LuminateLoginOptions>]: true } = {
  luminate: true, mode: true, fields: true, identifierField: true, formUrl: true, destinations: true,
  returnToParam: true, establishSession: true, afterLogout: true, paths: true, baseUrl: true,
  throttle: true, store: true, client: true, signatureMaxAgeSeconds: true, onLogin: true, onError: true,
  renderPage: true, logger: true,
};
const STORE_METHODS = ['setIfAbsent', 'increment', 'count', 'delete'] as const;
/** A Luminate parameter name (as the client accepts them). */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;
/** Parameters the client sets itself, or that name the API administrator: never a form field. */
const RESERVED_FIELDS = new Set([
  'method', 'v', 'api_key', 'login_name', 'login_password', 'response_format', 'suppress_response_codes',
  'center_id', 'source', 'sub_source', 'sign_redirects', 'success_redirect', 'error_redirect', 'redirect',
]);
const LOGIN_FIELDS = ['user_name', 'password'] as const;
const MAX_FIELDS = 10;
// Only there for luminateSso's validator, which checks the site settings: `.invalid` is never a real host.
const PLACEHOLDER = 'https://luminate-login.invalid/';

function fail(message: string): never {
  throw new TypeError(`luminateLogin(): ${message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknownKeys(obj: Record<string, unknown>, known: Record<string, true>, path: string): void {
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(known, key)) fail(`unknown option "${path}.${key}". Known options: ${Object.keys(known).join(', ')}. Check the spelling.`);
  }
}

/**
 * The `luminate` block with its environment fallbacks, and `baseUrl`, checked by exactly the
 * rules (and messages) luminateSso() uses, so one site configuration serves both.
 */
function resolveSite(luminate: unknown, baseUrl: unknown, env: Env) {
  try {
    return resolveSsoOptions({ luminate, baseUrl, destinations: { allow: [PLACEHOLDER], default: PLACEHOLDER } }, env);
  } catch (e) {
    if (e instanceof TypeError) throw new TypeError(e.message.replace(/^luminateSso\(\): /, 'luminateLogin(): '));
    throw e;
  }
}

function checkFields(opts: LuminateLoginOptions, returnToParam: string): string[] {
  if (opts.mode === 'login') {
    if (opts.fields !== undefined) fail('fields is for mode "authenticateUser"; mode "login" always takes user_name and password.');
    return [...LOGIN_FIELDS];
  }
  const fields: unknown = opts.fields;
  if (!Array.isArray(fields) || fields.length === 0 || fields.length > MAX_FIELDS) {
    fail(`fields is required for mode "authenticateUser": the site's "Use for Authentication" column names, e.g. ['member_id', 'last_name'] (1 to ${MAX_FIELDS}).`);
  }
  for (const [i, name] of fields.entries()) {
    if (typeof name !== 'string' || !FIELD_NAME.test(name)) fail(`fields[${i}] must be a Luminate column name of letters, digits, "_" and ".", got ${JSON.stringify(name)}.`);
    if (RESERVED_FIELDS.has(name) || name === CSRF_FIELD || name === returnToParam) fail(`fields[${i}] "${name}" is a name the bridge or Luminate uses itself; it cannot be an authentication field.`);
  }
  if (new Set(fields).size !== fields.length) fail('fields must not name a field twice.');
  return [...(fields as string[])];
}

function checkPath(value: unknown, path: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\/[A-Za-z0-9._~\-/]*$/.test(value) || value.startsWith('//')) {
    fail(`${path} must be a path starting with "/" made of letters, digits and ._~-/ characters, got ${JSON.stringify(value)}.`);
  }
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

/** A page to send visitors to: a site path, or an absolute http(s) URL without credentials. */
function checkPage(value: unknown, path: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (isSitePath(value)) return value;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.password) {
    fail(`${path} must be a site path such as "/" or an absolute http(s) URL without credentials, got ${JSON.stringify(value)}.`);
  }
  return url.href;
}

function checkDestinations(value: unknown, secureUrl: string): ResolvedLoginOptions['destinations'] {
  const given = value ?? {};
  if (!isPlainObject(given)) fail('destinations must be an object { allow, default }.');
  rejectUnknownKeys(given, { allow: true, default: true }, 'destinations');
  const allow = (given.allow ?? defaultAllowList(secureUrl)) as string[];
  const fallback = given.default ?? '/';
  try {
    if (isSitePath(fallback)) {
      // Any allow entry passes its own rule, so the first one stands in for compileDestinations' default.
      const first = Array.isArray(allow) && typeof allow[0] === 'string' ? allow[0] : '';
      return { compiled: compileDestinations({ allow, default: first }), default: fallback };
    }
    const compiled = compileDestinations({ allow, default: fallback as string });
    return { compiled, default: compiled.default };
  } catch (e) {
    fail(`${(e as Error).message} (destinations.default may also be a site path such as "/account".)`);
  }
}

function checkThrottle(value: unknown): ResolvedLoginOptions['throttle'] {
  if (value === false) return { perIp: false, perIdentifier: false };
  if (value === undefined) return { ...DEFAULT_LOGIN_THROTTLE };
  if (!isPlainObject(value)) fail('throttle must be { perIp, perIdentifier } or false (off).');
  rejectUnknownKeys(value, { perIp: true, perIdentifier: true }, 'throttle');
  try {
    return {
      perIp: checkThrottleRule(value.perIp, 'throttle.perIp', DEFAULT_LOGIN_THROTTLE.perIp),
      perIdentifier: checkThrottleRule(value.perIdentifier, 'throttle.perIdentifier', DEFAULT_LOGIN_THROTTLE.perIdentifier),
    };
  } catch (e) {
    fail((e as Error).message);
  }
}

function checkFunction(value: unknown, path: string, shape: string): void {
  if (value !== undefined && typeof value !== 'function') fail(`${path} must be a function: ${shape}.`);
}

/** Validates the options once, at start-up; throws a TypeError naming the first problem and its fix. */
export function resolveLoginOptions(input: unknown, env: Env = process.env): ResolvedLoginOptions {
  if (!isPlainObject(input)) fail("expected an options object, e.g. luminateLogin({ mode: 'authenticateUser', fields: ['member_id', 'last_name'], formUrl: '/member-login' }).");
  rejectUnknownKeys(input, LOGIN_KEYS, 'options');
  const opts = input as unknown as LuminateLoginOptions;
  const site = resolveSite(opts.luminate, opts.baseUrl, env);

  if (opts.mode !== 'authenticateUser' && opts.mode !== 'login') {
    fail(`mode is required: 'authenticateUser' (the site's authentication fields, e.g. membership number and last name) or 'login' (Luminate user name and password), got ${JSON.stringify(opts.mode)}.`);
  }
  const returnToParam = opts.returnToParam ?? 'returnTo';
  if (typeof returnToParam !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(returnToParam) || returnToParam === CSRF_FIELD) {
    fail('returnToParam must be a field name of letters, digits, "_", "." or "-" (not "_csrf").');
  }
  const fields = checkFields(opts, returnToParam);
  if (fields.includes(returnToParam)) fail(`returnToParam "${returnToParam}" is also an authentication field; choose another name.`);
  const identifierField = opts.mode === 'login' ? 'user_name' : (opts.identifierField ?? fields[0]!);
  if (opts.mode === 'login' && opts.identifierField !== undefined) fail('identifierField is for mode "authenticateUser"; mode "login" counts failures per user_name.');
  if (!fields.includes(identifierField)) fail(`identifierField must be one of fields (${fields.join(', ')}), got ${JSON.stringify(identifierField)}.`);

  if (opts.formUrl === undefined) fail('formUrl is required: the site path of the page with your login form, e.g. "/member-login".');
  if (!isSitePath(opts.formUrl)) fail(`formUrl must be a path on this site such as "/member-login", got ${JSON.stringify(opts.formUrl)}.`);
  if (opts.establishSession !== undefined && typeof opts.establishSession !== 'boolean') fail('establishSession must be true or false.');

  const paths = opts.paths ?? {};
  if (!isPlainObject(paths)) fail('paths must be an object { login, logout, logoutCallback }.');
  rejectUnknownKeys(paths, { login: true, logout: true, logoutCallback: true }, 'paths');
  const resolvedPaths = {
    login: checkPath(paths.login, 'paths.login', DEFAULT_LOGIN_PATHS.login),
    logout: checkPath(paths.logout, 'paths.logout', DEFAULT_LOGIN_PATHS.logout),
    logoutCallback: checkPath(paths.logoutCallback, 'paths.logoutCallback', DEFAULT_LOGIN_PATHS.logoutCallback),
  };
  if (new Set(Object.values(resolvedPaths)).size !== 3) fail('paths.login, paths.logout and paths.logoutCallback must all differ.');

  if (opts.store !== undefined && (!isPlainObject(opts.store) || !STORE_METHODS.every((m) => typeof (opts.store as unknown as Record<string, unknown>)[m] === 'function'))) {
    fail(`store must implement the BridgeStore interface (${STORE_METHODS.join(', ')}), e.g. the MemoryStore you give luminateSso().`);
  }
  if (opts.client !== undefined && (!isPlainObject(opts.client) || typeof (opts.client as { callServerApi?: unknown }).callServerApi !== 'function')) {
    fail('client must be a LuminateClient instance.');
  }
  const maxAge = opts.signatureMaxAgeSeconds ?? DEFAULT_SIGNATURE_MAX_AGE_SECONDS;
  if (typeof maxAge !== 'number' || !Number.isFinite(maxAge) || maxAge <= 0) fail(`signatureMaxAgeSeconds must be a positive number of seconds, got ${String(maxAge)}.`);
  checkFunction(opts.onLogin, 'onLogin', '(info, req) => void');
  checkFunction(opts.onError, 'onError', '(err, req) => void');
  checkFunction(opts.renderPage, 'renderPage', '(page) => string, the whole HTML document with page.body (or its parts) in your layout');

  return {
    secureUrl: site.secureUrl,
    apiKey: site.apiKey,
    apiLogin: site.apiLogin,
    apiSecretKey: site.apiSecretKey,
    signatureAlgorithm: site.signatureAlgorithm,
    client: site.client,
    ...(opts.client !== undefined ? { injectedClient: opts.client } : {}),
    mode: opts.mode,
    fields,
    identifierField,
    formUrl: opts.formUrl,
    destinations: checkDestinations(opts.destinations, site.secureUrl),
    returnToParam,
    establishSession: opts.establishSession ?? true,
    afterLogout: checkPage(opts.afterLogout, 'afterLogout', '/'),
    paths: resolvedPaths,
    ...(site.baseUrl !== undefined ? { baseUrl: site.baseUrl } : {}),
    throttle: checkThrottle(opts.throttle),
    ...(opts.store !== undefined ? { store: opts.store } : {}),
    signatureMaxAgeSeconds: maxAge,
    ...(opts.onLogin !== undefined ? { onLogin: opts.onLogin } : {}),
    ...(opts.onError !== undefined ? { onError: opts.onError } : {}),
    ...(opts.renderPage !== undefined ? { renderPage: opts.renderPage } : {}),
    logger: checkLogger(opts.logger, fail),
  };
}
