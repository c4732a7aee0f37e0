/** luminateSso()'s options: the shared site, store and throttle parts, and its own. */
import { z } from 'zod';
import { loggedInConstituent } from '../login/session';
import { compileDestinations, defaultAllowList } from '../http/destinations';
import type { AttributionFunction, LuminateSsoOptions, ResolvedSsoOptions } from './options';
import { commonParameter } from '../config/clients';
import { NETWORK_DEFAULTS } from '../config/network';
import { flag, hook, refuse, type SameKeys, isPlainObject, kindOf, parseOptions, positive, type Env, objectError } from '../config/parse';
import { envLabels, siteSchema, SITE_ENV, withEnv } from '../config/site';
import { client, logger, mintThrottle, store } from '../config/store';

/** A route path, relative to where the router is mounted: `/` and safe path characters, no trailing slash. */
export function routePath(fallback: string) {
  const error = (iss: { input: unknown }) =>
    `must be a path starting with "/" made of letters, digits and ._~-/ characters, got ${JSON.stringify(iss.input)}.`;
  return z
    .string({ error })
    .refine((v) => /^\/[A-Za-z0-9._~\-/]*$/.test(v) && !v.startsWith('//'), { error })
    .transform((v) => (v.length > 1 ? v.replace(/\/+$/, '') : v))
    .default(fallback);
}

/** `baseUrl`: the public base URL of this site, without credentials, query or fragment. */
export const baseUrl = z
  .string({ error: 'must be a string such as https://www.example.org.' })
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', input: value, message: 'must be an absolute URL such as https://www.example.org.' });
      return z.NEVER;
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
      ctx.addIssue({ code: 'custom', input: value, message: 'must be an http(s) URL without credentials, query or fragment, e.g. https://www.example.org.' });
      return z.NEVER;
    }
    return url.href.replace(/\/+$/, '');
  });

/** A query parameter (or form field) name; `null` or left out: `returnTo`. */
export function parameterName(error: string) {
  return z
    .string({ error })
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error })
    .nullish()
    .transform((v) => v ?? 'returnTo');
}

/** `loginUrl`: a site path such as `/login`, or an absolute http(s) URL. */
const loginUrl = z.custom<string>(
  (v) => {
    if (typeof v !== 'string' || v === '') return false;
    if (v.startsWith('/')) return !v.startsWith('//') && !v.includes('\\');
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  },
  { error: 'must be a site path such as "/login" or an absolute http(s) URL.' },
);

const attribution = z
  .union(
    [
      hook<AttributionFunction>('(req) => ({ source, subSource })'),
      z.strictObject({ source: commonParameter.optional(), subSource: commonParameter.optional(), fromQuery: flag.optional() }),
    ],
    { error: 'must be an object { source, subSource, fromQuery } or a function (req) => ({ source, subSource }).' },
  )
  .optional()
  .transform((value): ResolvedSsoOptions['attribution'] => {
    if (typeof value === 'function') return { fixed: {}, fromQuery: false, perRequest: value };
    const { source, subSource, fromQuery } = value ?? {};
    return { fixed: { ...(source !== undefined && { source }), ...(subSource !== undefined && { subSource }) }, fromQuery: fromQuery === true };
  });

type Sso = LuminateSsoOptions;

const ssoSchema = z
  .strictObject(
    {
      luminate: siteSchema,
      constituent: hook<Sso['constituent']>('(req) => ({ consId }) | ({ memberId }) | ({ email }) | null, may be async').optional(),
      loginUrl: loginUrl.optional(),
      loginReturnParam: parameterName('must be a query parameter name of letters, digits, "_", "." or "-".'),
      destinations: z.strictObject({ allow: z.unknown().optional(), default: z.unknown().optional() }, objectError('must be an object { allow, default }.')).optional(),
      handoff: z.enum(['singleSignOn', 'establishSession']).default('singleSignOn'),
      rememberMe: flag.default(false),
      paths: z
        .strictObject({ start: routePath('/luminate/sso'), callback: routePath('/luminate/sso/callback') }, objectError('must be an object { start, callback }.'))
        .nullish()
        .transform((paths) => paths ?? { start: '/luminate/sso', callback: '/luminate/sso/callback' }),
      baseUrl: baseUrl.optional(),
      onFailure: z.enum(['continue', 'error']).default('continue'),
      onError: hook<Sso['onError']>('(err, req) => void').optional(),
      onHandoff: hook<Sso['onHandoff']>('(info, req) => void').optional(),
      callbackMaxAgeSeconds: positive('seconds', 300).default(300),
      store: store.optional(),
      throttle: mintThrottle,
      client: client.optional(),
      provision: hook<Sso['provision']>('(req) => ({ email, firstName, lastName }) | null, may be async').optional(),
      attribution,
      renderPage: hook<Sso['renderPage']>('(page) => string, the whole HTML document with page.body (or its parts) in your layout').optional(),
      logger,
      verify: z
        .union([z.literal(false), z.enum(['warn', 'fail'])], { error: (iss) => `must be 'warn', 'fail' or false, got ${JSON.stringify(iss.input) ?? kindOf(iss.input)}.` })
        .default(false),
    },
    objectError('expected an options object, e.g. luminateSso({ constituent: (req) => ..., destinations: { default: "..." } }).'),
  )
  .transform((o): ResolvedSsoOptions => {
    const site = o.luminate;
    if (o.destinations === undefined) {
      return refuse(`destinations is required: { default: "${site.secureUrl}/site/Donation2?df_id=1234" } (allow defaults to the donation, TeamRaiser and content pages under "${site.secureUrl}/site/").`);
    }
    const destinations = { allow: (o.destinations.allow ?? defaultAllowList(site.secureUrl)) as string[], default: o.destinations.default as string };
    try {
      compileDestinations(destinations); // a TypeError naming destinations.allow[i] / destinations.default
    } catch (e) {
      return refuse((e as Error).message);
    }
    if (o.paths.start === o.paths.callback) return refuse('paths.start and paths.callback must differ.');
    const { client: injectedClient, luminate: _site, ...rest } = o;
    return {
      ...rest,
      ...site,
      timeoutMs: site.client.timeoutMs ?? NETWORK_DEFAULTS.timeoutMs,
      constituent: o.constituent ?? loggedInConstituent,
      destinations,
      ...(injectedClient !== undefined && { injectedClient }),
    };
  });

/** `luminate` with its environment fallbacks filled in; other values are left for the schema to refuse. */
export function withSiteEnv(input: unknown, env: Env): unknown {
  return isPlainObject(input) ? { ...input, luminate: withEnv(input.luminate, env, SITE_ENV) } : input;
}

/** Validates the options once, at start-up; throws a TypeError naming the first problem and its fix. */
export function resolveSsoOptions(input: unknown, env: Env = process.env): ResolvedSsoOptions {
  return parseOptions(ssoSchema, withSiteEnv(input, env), { name: 'luminateSso():', prefix: '', env: envLabels(SITE_ENV, 'luminate.') });
}

// An option added to the documented interface and not the schema (or the other way round) fails to compile.
const sameKeys: SameKeys<Required<LuminateSsoOptions>, z.input<typeof ssoSchema>> = true;
void sameKeys;
