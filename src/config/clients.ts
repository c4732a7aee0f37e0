/** Options of the two API clients, `LuminateClient` and `LuminateWebServices`, built from the shared parts. */
import { z } from 'zod';
import { networkRules, networkShape, withNetworkDefaults } from './network';
import { parseOptions, positive, type Env, objectError, UNPRINTABLE } from './parse';
import { apiKey, clientApiLogin, responseFormat, secureUrl, setting, webServicesUrl, withEnv } from './site';

/** True for a value the bridge will send as `source` / `sub_source`: 1–255 printable characters, no surrounding spaces. */
export function isSourceValue(value: unknown): value is string {
  return typeof value === 'string' && value.trim() === value && value !== '' && value.length <= 255 && !UNPRINTABLE.test(value);
}

/** A common parameter (`source`, `sub_source`, `center_id`), given in options or `attribution`. */
export const commonParameter = z.custom<string>(isSourceValue, {
  error: 'must be a non-empty string of at most 255 printable characters without surrounding spaces.',
});

const clientSchema = z
  .strictObject(
    {
      /** The site's secure base, e.g. `https://secure2.convio.net/myorg`. https required except on loopback. */
      secureUrl,
      /** The site's CONVIO_API_KEY. Must not contain `& : \ " ' ? =`. */
      apiKey,
      /** An API Administrator account. The password is a secret: it is only ever sent in the POST body. */
      apiLogin: clientApiLogin,
      /** Response format to ask Luminate for. Default `xml` (the documented default). */
      responseFormat,
      /** Ask Luminate to answer errors with HTTP 200 (`suppress_response_codes=true`). Default false. */
      suppressResponseCodes: z.boolean({ error: 'must be a boolean.' }).default(false),
      /** Optional common parameters sent on every call [doc]: 1–255 printable characters, no surrounding spaces. */
      centerId: commonParameter.optional(),
      source: commonParameter.optional(),
      subSource: commonParameter.optional(),
      ...networkShape,
    },
    objectError('options must be an object with at least secureUrl, apiKey and apiLogin.'),
  )
  .check(networkRules)
  .transform(({ apiLogin: login, ...options }) => ({
    ...withNetworkDefaults(options),
    /** `<secureUrl>/site/SRConsAPI`. */
    endpoint: `${options.secureUrl}/site/SRConsAPI`,
    loginName: login.name,
    loginPassword: login.password,
  }));

/** Options of `new LuminateClient(options)`. */
export type LuminateClientOptions = z.input<typeof clientSchema>;
/** Options after validation, with defaults filled in. */
export type ResolvedClientOptions = z.output<typeof clientSchema>;

/** Validates the constructor options; the first problem is thrown as a TypeError naming the option and the fix. */
export function resolveClientOptions(options: unknown): ResolvedClientOptions {
  return parseOptions(clientSchema, options, { name: 'LuminateClient:', prefix: 'options.' });
}

/** 25 minutes: under Luminate's 30 minutes of inactivity, with a margin. */
export const DEFAULT_SESSION_IDLE_MS = 25 * 60 * 1000;

const WS_ENV = { url: 'LUMINATE_WS_URL', userName: 'LUMINATE_WS_USERNAME', password: 'LUMINATE_WS_PASSWORD' } as const;

const webServicesSchema = z
  .strictObject(
    {
      /**
       * The SOAP endpoint of your site's Web Services. Env `LUMINATE_WS_URL`. https required except
       * on loopback. Its usual form, `https://webservices.<cluster>.convio.net/1.0/<org>`, is [?].
       */
      url: webServicesUrl,
      /** User name of an API Administrator account allowed to use Web Services. Env `LUMINATE_WS_USERNAME`. */
      userName: setting('the user name of an API Administrator account'),
      /** That account's password. Secret: sent only inside the Login request. Env `LUMINATE_WS_PASSWORD`. */
      password: setting("that account's password"),
      /**
       * A session idle this long is replaced by a fresh Login before the next call. Luminate keeps a
       * SessionId for 30 minutes of inactivity; the default, 25 minutes, leaves a margin for clocks
       * and calls in flight. Default 1_500_000 ms.
       */
      sessionIdleMs: positive('milliseconds', DEFAULT_SESSION_IDLE_MS).default(DEFAULT_SESSION_IDLE_MS),
      ...networkShape,
    },
    objectError('options must be an object such as { url, userName, password }, or left out to use the LUMINATE_WS_* variables.'),
  )
  .check(networkRules)
  .transform(withNetworkDefaults);

/**
 * Options of `new LuminateWebServices(options, env)`. Each of `url`, `userName` and `password`
 * falls back to its environment variable; the network options are those of `LuminateClient`.
 */
export type LuminateWebServicesOptions = Partial<z.input<typeof webServicesSchema>>;
/** Options after validation, with defaults filled in. */
export type ResolvedWebServicesOptions = z.output<typeof webServicesSchema>;

/** Validates the options (and the LUMINATE_WS_* variables they fall back to) once, at construction. */
export function resolveWebServicesOptions(options: unknown, env: Env): ResolvedWebServicesOptions {
  return parseOptions(webServicesSchema, withEnv(options, env, WS_ENV), { name: 'LuminateWebServices:', prefix: 'options.', env: WS_ENV });
}
