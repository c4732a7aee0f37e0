/** The Luminate site settings every part shares, one rule each, and the environment variables they fall back to. */
import { z } from 'zod';
import { isLoopbackHost } from '../util/loopback';
import { networkRules, networkShape } from './network';
import { ASCII_CONTROL, isPlainObject, kindOf, type Env, objectError } from './parse';

/** A non-empty string; `hint` says what to set it to. */
function text(hint: string) {
  const missing = `is missing. Set it to ${hint}.`;
  return z.string({ error: (iss) => (iss.input === undefined ? missing : `must be a string, got ${kindOf(iss.input)}.`) }).min(1, { error: missing });
}

/** A setting that may come from the environment: no surrounding whitespace or controls (a pasted line break). */
export function setting(hint: string) {
  return text(hint)
    .refine((v) => v.trim() === v, { error: 'has leading or trailing whitespace; remove it.' })
    .refine((v) => !ASCII_CONTROL.test(v), { error: 'must not contain control characters.' });
}

/** An https URL (http only on loopback) without user info, query or fragment; else undefined, with the issue added. */
function httpsUrl(raw: string, ctx: z.core.$RefinementCtx, example: string): URL | undefined {
  const refuse = (message: string): undefined => {
    ctx.addIssue({ code: 'custom', input: raw, message });
    return undefined;
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(`is not a URL: use ${example}.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return refuse('must use https:// (plain http:// is accepted only for loopback hosts, such as a local stand-in: localhost, 127.0.0.0/8 or [::1]).');
  }
  if (url.username !== '' || url.password !== '') return refuse('must not carry a user name or password.');
  if (url.search !== '' || url.hash !== '') return refuse('must not carry a query string or #fragment.');
  return url;
}

const SECURE_BASE = "your site's secure base, e.g. https://secure2.convio.net/myorg";

/** The secure base, e.g. `https://secure2.convio.net/myorg`, without a trailing slash. */
export const secureUrl = setting(SECURE_BASE).transform((raw, ctx) => {
  const url = httpsUrl(raw, ctx, SECURE_BASE);
  if (url === undefined) return z.NEVER;
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/site(\/|$)/i.test(path)) {
    ctx.addIssue({ code: 'custom', input: raw, message: 'must stop before "/site/": give the secure base without /site/…, e.g. https://secure2.convio.net/myorg.' });
    return z.NEVER;
  }
  return `${url.origin}${path}`;
});

const WS_ENDPOINT = 'the SOAP endpoint of your Web Services, e.g. https://webservices.cluster2.convio.net/1.0/myorg';
export const webServicesUrl = setting(WS_ENDPOINT).transform((raw, ctx) => httpsUrl(raw, ctx, WS_ENDPOINT)?.href ?? z.NEVER);

export const apiKey = setting("the site's CONVIO_API_KEY").refine((v) => !/[&:\\"'?=]/.test(v), {
  error: 'must not contain any of & : \\ " \' ? = (Luminate rejects such keys); change CONVIO_API_KEY on the site.',
});

const NAME = 'the user name of an API Administrator account';
const PASSWORD = "that account's password";

function account<N extends z.ZodType<string>, P extends z.ZodType<string>>(name: N, password: P) {
  return z.strictObject({ name, /** Secret: only ever sent in a POST body. */ password }, objectError('must be an object { name, password } of an API Administrator account.'));
}

/** The API Administrator account in the `luminate` block (or the environment). */
export const apiLogin = account(setting(NAME), setting(PASSWORD));
/**
 * The account as LuminateClient takes it in code: sent byte for byte, so only a blank name, a name
 * with control characters or an empty password is refused.
 */
export const clientApiLogin = account(
  text(NAME).refine((v) => v.trim() !== '', { error: `is missing. Set it to ${NAME}.` }).refine((v) => !ASCII_CONTROL.test(v), { error: 'must not contain control characters.' }),
  text(PASSWORD),
);

export const apiSecretKey = setting("the site's CONVIO_API_SECRET_KEY");
export const signatureAlgorithm = z.enum(['md5', 'sha1']).default('md5');
export const responseFormat = z.enum(['xml', 'json']).default('xml');

/** The `luminate` block of luminateSso() and luminateLogin(): the site, and the network options of its client. */
export const siteSchema = z
  .strictObject(
    {
      /** Secure base, e.g. `https://secure2.convio.net/myorg` [doc], without `/site/…`; https except on loopback. Env `LUMINATE_SECURE_URL`. */
      secureUrl,
      /** The site's CONVIO_API_KEY; never with `& : \ " ' ? =` (seen in the field). Env `LUMINATE_API_KEY`. */
      apiKey,
      /** API Administrator account `{ name, password }`; the password is secret. Env `LUMINATE_API_LOGIN_NAME` / `LUMINATE_API_LOGIN_PASSWORD`. */
      apiLogin,
      /** The site's CONVIO_API_SECRET_KEY, used to verify signed redirects. Env `LUMINATE_API_SECRET_KEY`. */
      apiSecretKey,
      /** Hash Luminate signs redirects with: `md5` or `sha1` [doc]. Default `md5`. Env `LUMINATE_SIGNATURE_ALGORITHM`. */
      signatureAlgorithm,
      /** Format asked of the server API: `xml` or `json`. Default `xml` (the documented default). */
      responseFormat: responseFormat.removeDefault().optional(),
      ...networkShape,
    },
    objectError('must be an object with secureUrl, apiKey, apiLogin and apiSecretKey.'),
  )
  .check(networkRules)
  // The rest (responseFormat and the network options given) is for the middleware's own LuminateClient.
  .transform(({ secureUrl, apiKey, apiLogin, apiSecretKey, signatureAlgorithm, ...client }) => ({ secureUrl, apiKey, apiLogin, apiSecretKey, signatureAlgorithm, client }));

type SiteInput = z.input<typeof siteSchema>;
/** The Luminate site and its client's network options, as LuminateClient takes them; site fields fall back to their env. */
export type LuminateSiteOptions = Partial<Omit<SiteInput, 'apiLogin'>> & { apiLogin?: Partial<SiteInput['apiLogin']> };
/** The `luminate` block after validation: the site settings, and `client` (responseFormat and the network options given). */
export type ResolvedSite = z.output<typeof siteSchema>;
/** The hash of Luminate's signed redirects and loginResponse signatures: `md5` (default) or `sha1` [doc]. */
export type SignatureAlgorithm = z.output<typeof signatureAlgorithm>;
/** The server API's `response_format`: `xml` (default) or `json` [doc]; replies are parsed by their syntax either way. */
export type ResponseFormat = z.output<typeof responseFormat>;

/** `luminate` with its environment fallbacks filled in; other values are left for the schema to refuse. */
export function withSiteEnv(input: unknown, env: Env): unknown {
  return isPlainObject(input) ? { ...input, luminate: withEnv(input.luminate, env, SITE_ENV) } : input;
}

/** Site setting → the environment variable it falls back to. */
export const SITE_ENV = {
  secureUrl: 'LUMINATE_SECURE_URL',
  apiKey: 'LUMINATE_API_KEY',
  'apiLogin.name': 'LUMINATE_API_LOGIN_NAME',
  'apiLogin.password': 'LUMINATE_API_LOGIN_PASSWORD',
  apiSecretKey: 'LUMINATE_API_SECRET_KEY',
  signatureAlgorithm: 'LUMINATE_SIGNATURE_ALGORITHM',
} as const;

/** Fills each option left out (undefined or null) from `env` (`table`: option path → variable); non-objects stay as given. */
export function withEnv(given: unknown, env: Env, table: Readonly<Record<string, string>>): unknown {
  if (given !== undefined && given !== null && !isPlainObject(given)) return given;
  const merged: Record<string, unknown> = { ...given };
  for (const [path, envName] of Object.entries(table)) {
    const [key, inner] = path.split('.') as [string, string | undefined];
    if (inner === undefined) {
      merged[key] ??= env[envName];
      continue;
    }
    merged[key] ??= {};
    const parent = merged[key];
    if (isPlainObject(parent)) merged[key] = { ...parent, [inner]: parent[inner] ?? env[envName] };
  }
  return merged;
}

/** `table` with every path under `prefix` (`luminate.`), for messages. */
export function envLabels(table: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(table).map(([path, envName]) => [`${prefix}${path}`, envName]));
}
