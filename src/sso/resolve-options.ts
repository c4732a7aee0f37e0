/** luminateSso()'s options: the shared site, store and throttle parts, and its own. */
import { z } from 'zod';
import { commonParameter } from '../config/clients';
import { logger } from '../config/logger';
import { NETWORK_DEFAULTS } from '../config/network';
import { flag, hook, refuse, type SameKeys, kindOf, parseOptions, positive, type Env, objectError } from '../config/parse';
import { baseUrl, parameterName, routePath } from '../config/routes';
import { envLabels, siteSchema, SITE_ENV, withSiteEnv } from '../config/site';
import { mintThrottle, store } from '../config/store';
import { compileDestinations, defaultAllowList } from '../http/destinations';
import { loggedInConstituent } from '../http/login-session';
import { clientOption } from '../luminate/client-option';
import type { AttributionFunction, LuminateSsoOptions, ResolvedSsoOptions } from './options';

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

const PREPARE_TTL_ERROR = 'must be a whole number of ms between 1000 and 600000 (default 60000).';
const prepare = z
  .union([flag, z.strictObject({ ttlMs: z.number({ error: PREPARE_TTL_ERROR }).int({ error: PREPARE_TTL_ERROR })
    .min(1000, { error: PREPARE_TTL_ERROR }).max(600_000, { error: PREPARE_TTL_ERROR }).optional() })],
  { error: 'must be true, false or { ttlMs }.' })
  .default(false)
  .transform((v): ResolvedSsoOptions['prepare'] => (v === false ? false : { ttlMs: (v === true ? undefined : v.ttlMs) ?? 60_000 }));

/** `prepare` keeps tokens in the store (put / take) and adds two routes under the start path. */
function checkPrepare(given: { put?: unknown; take?: unknown } | undefined, paths: { start: string; callback: string }): void {
  if (given !== undefined && (typeof given.put !== 'function' || typeof given.take !== 'function')) {
    refuse('prepare needs a store with put(key, value, ttlMs) and take(key) (MemoryStore and RedisStore have them): '
      + 'add them to your store, or set prepare: false.');
  }
  const base = paths.start === '/' ? '' : paths.start;
  if ([`${base}/prepare`, `${base}/intent.js`].includes(paths.callback)) {
    refuse(`paths.callback must not be ${paths.callback}: with prepare on, that path serves the intent script or prepare route.`);
  }
}

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
      client: clientOption.optional(),
      provision: hook<Sso['provision']>('(req) => ({ email, firstName, lastName }) | null, may be async').optional(),
      attribution,
      renderPage: hook<Sso['renderPage']>('(page) => string, the whole HTML document with page.body (or its parts) in your layout').optional(),
      logger,
      verify: z
        .union([z.literal(false), z.enum(['warn', 'fail'])], { error: (iss) => `must be 'warn', 'fail' or false, got ${JSON.stringify(iss.input) ?? kindOf(iss.input)}.` })
        .default(false),
      prepare,
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
    if (o.prepare !== false) checkPrepare(o.store, o.paths);
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

/** Validates the options once, at start-up; throws a TypeError naming the first problem and its fix. */
export function resolveSsoOptions(input: unknown, env: Env = process.env): ResolvedSsoOptions {
  return parseOptions(ssoSchema, withSiteEnv(input, env), { name: 'luminateSso():', prefix: '', env: envLabels(SITE_ENV, 'luminate.') });
}

// An option added to the documented interface and not the schema (or the other way round) fails to compile.
const sameKeys: SameKeys<Required<LuminateSsoOptions>, z.input<typeof ssoSchema>> = true;
void sameKeys;
