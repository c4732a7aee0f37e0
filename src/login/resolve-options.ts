/** luminateLogin()'s options: the same site, store and throttle parts as luminateSso(), and its own. */
import { z } from 'zod';
import { isSitePath } from './return-to';
import { CSRF_FIELD } from './csrf';
import type { LuminateLoginOptions } from './options';
import { compileAllowList, compileDestinations, defaultAllowList } from '../http/destinations';
import { flag, hook, refuse, type SameKeys, parseOptions, positive, type Env, objectError } from '../config/parse';
import { logger } from '../config/logger';
import { baseUrl, parameterName, routePath } from '../config/routes';
import { envLabels, siteSchema, SITE_ENV, withSiteEnv } from '../config/site';
import { loginThrottle, store } from '../config/store';
import { clientOption } from '../luminate/client-option';

/** A Luminate parameter name (as the client accepts them). */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;
/** Parameters the client sets itself, or that name the API administrator: never a form field. */
const RESERVED_FIELDS = new Set([
  'method', 'v', 'api_key', 'login_name', 'login_password', 'response_format', 'suppress_response_codes',
  'center_id', 'source', 'sub_source', 'sign_redirects', 'success_redirect', 'error_redirect', 'redirect',
]);
const MAX_FIELDS = 10;

/** A page to send visitors to: a site path, or an absolute http(s) URL without credentials. */
const page = z.unknown().transform((value, ctx) => {
  if (isSitePath(value)) return value;
  try {
    // Not URL.canParse: Node 20's fast path misreads IDN hosts after warm-up.
    const url = typeof value === 'string' ? new URL(value) : undefined;
    if (url && ['http:', 'https:'].includes(url.protocol) && !url.username && !url.password) return url.href;
  } catch {
    // refused below
  }
  ctx.addIssue({ code: 'custom', input: value, message: `must be a site path such as "/" or an absolute http(s) URL without credentials, got ${JSON.stringify(value)}.` });
  return z.NEVER;
});

type Login = LuminateLoginOptions;

const loginSchema = z
  .strictObject(
    {
      luminate: siteSchema,
      mode: z.enum(['authenticateUser', 'login'], {
        error: (iss) => `is required: 'authenticateUser' (the site's authentication fields, e.g. membership number and last name) or 'login' (Luminate user name and password), got ${JSON.stringify(iss.input)}.`,
      }),
      fields: z.unknown().optional(),
      identifierField: z.unknown().optional(),
      formUrl: z.custom<string>((v) => v !== undefined, { error: 'is required: the site path of the page with your login form, e.g. "/member-login".' })
        .refine(isSitePath, { error: (iss) => `must be a path on this site such as "/member-login", got ${JSON.stringify(iss.input)}.` }),
      destinations: z.strictObject({ allow: z.unknown().optional(), default: z.unknown().optional() }, objectError('must be an object { allow, default }.')).nullish(),
      returnToParam: parameterName('must be a field name of letters, digits, "_", "." or "-" (not "_csrf").').refine((v) => v !== CSRF_FIELD, {
        error: 'must be a field name of letters, digits, "_", "." or "-" (not "_csrf").',
      }),
      establishSession: flag.default(true),
      afterLogout: page.default('/'),
      paths: z
        .strictObject(
          { login: routePath('/luminate/login'), logout: routePath('/luminate/logout'), logoutCallback: routePath('/luminate/logout/done') },
          objectError('must be an object { login, logout, logoutCallback }.'),
        )
        .nullish()
        .transform((paths) => paths ?? { login: '/luminate/login', logout: '/luminate/logout', logoutCallback: '/luminate/logout/done' }),
      baseUrl: baseUrl.optional(),
      throttle: loginThrottle,
      store: store.optional(),
      client: clientOption.optional(),
      signatureMaxAgeSeconds: positive('seconds', 300).default(300),
      onLogin: hook<Login['onLogin']>('(info, req) => void').optional(),
      onError: hook<Login['onError']>('(err, req) => void').optional(),
      renderPage: hook<Login['renderPage']>('(page) => string, the whole HTML document with page.body (or its parts) in your layout').optional(),
      logger,
    },
    objectError("expected an options object, e.g. luminateLogin({ mode: 'authenticateUser', fields: ['member_id', 'last_name'], formUrl: '/member-login' })."),
  )
  .transform((o) => {
    const fields = checkFields(o.mode, o.fields, o.returnToParam);
    if (o.mode === 'login' && o.identifierField !== undefined) refuse('identifierField is for mode "authenticateUser"; mode "login" counts failures per user_name.');
    const identifierField = o.mode === 'login' ? 'user_name' : (o.identifierField ?? fields[0]);
    if (typeof identifierField !== 'string' || !fields.includes(identifierField)) {
      refuse(`identifierField must be one of fields (${fields.join(', ')}), got ${JSON.stringify(identifierField)}.`);
    }
    if (new Set(Object.values(o.paths)).size !== 3) refuse('paths.login, paths.logout and paths.logoutCallback must all differ.');
    const { luminate: site, client: injectedClient, destinations: _d, fields: _f, identifierField: _i, ...rest } = o;
    return {
      ...rest,
      ...site,
      ...(injectedClient !== undefined && { injectedClient }),
      fields,
      identifierField: identifierField as string,
      destinations: checkDestinations(o.destinations, site.secureUrl),
    };
  });

function checkFields(mode: Login['mode'], fields: unknown, returnToParam: string): string[] {
  if (mode === 'login') {
    if (fields !== undefined) refuse('fields is for mode "authenticateUser"; mode "login" always takes user_name and password.');
    return ['user_name', 'password'];
  }
  if (!Array.isArray(fields) || fields.length === 0 || fields.length > MAX_FIELDS) {
    return refuse(`fields is required for mode "authenticateUser": the site's "Use for Authentication" column names, e.g. ['member_id', 'last_name'] (1 to ${MAX_FIELDS}).`);
  }
  for (const [i, name] of fields.entries()) {
    if (typeof name !== 'string' || !FIELD_NAME.test(name)) refuse(`fields[${i}] must be a Luminate column name of letters, digits, "_" and ".", got ${JSON.stringify(name)}.`);
    if (RESERVED_FIELDS.has(name) || name === CSRF_FIELD || name === returnToParam) {
      refuse(`fields[${i}] "${name}" is a name the bridge or Luminate uses itself; it cannot be an authentication field.`);
    }
  }
  if (new Set(fields).size !== fields.length) refuse('fields must not name a field twice.');
  return [...(fields as string[])];
}

/**
 * `destinations` under the same policy as luminateSso(). A site-path default (default `/`) needs no
 * allow entry, so then the allow list is checked alone; an absolute default must pass it.
 */
function checkDestinations(given: { allow?: unknown; default?: unknown } | null | undefined, secureUrl: string) {
  const allow = given?.allow ?? defaultAllowList(secureUrl);
  const fallback = given?.default ?? '/';
  try {
    if (isSitePath(fallback)) return { compiled: { allow: compileAllowList(allow) }, default: fallback };
    const compiled = compileDestinations({ allow: allow as string[], default: fallback as string });
    return { compiled, default: compiled.default };
  } catch (e) {
    return refuse(`${(e as Error).message} (destinations.default may also be a site path such as "/account".)`);
  }
}

/** Validates the options once, at start-up; throws a TypeError naming the first problem and its fix. */
export function resolveLoginOptions(input: unknown, env: Env = process.env): ResolvedLoginOptions {
  return parseOptions(loginSchema, withSiteEnv(input, env), { name: 'luminateLogin():', prefix: '', env: envLabels(SITE_ENV, 'luminate.') });
}

/** Options after defaults and environment fallbacks (`destinations.default`: a site path, or an absolute URL under `allow`). */
export type ResolvedLoginOptions = z.output<typeof loginSchema>;

// An option added to the documented interface and not the schema (or the other way round) fails to compile.
const sameKeys: SameKeys<Required<LuminateLoginOptions>, z.input<typeof loginSchema>> = true;
void sameKeys;
