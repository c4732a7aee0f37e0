import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { isPlainObject, positive, objectError } from './parse';

export const NETWORK_DEFAULTS = {
  connectTimeoutMs: 2000,
  headersTimeoutMs: 4000,
  bodyTimeoutMs: 4000,
  timeoutMs: 5000,
  maxResponseBytes: 65536,
  connections: 16,
} as const;

const pem = z.union([z.string(), z.instanceof(Buffer)]);

/** Spread into the schemas of LuminateClient, LuminateWebServices and the `luminate` block. */
export const networkShape = {
  /** TCP+TLS connect timeout. Default 2000 ms. */
  connectTimeoutMs: positive('milliseconds', NETWORK_DEFAULTS.connectTimeoutMs).optional(),
  /** Time to wait for response headers once the request is sent. Default 4000 ms. */
  headersTimeoutMs: positive('milliseconds', NETWORK_DEFAULTS.headersTimeoutMs).optional(),
  /** Maximum idle time between body chunks. Default 4000 ms. */
  bodyTimeoutMs: positive('milliseconds', NETWORK_DEFAULTS.bodyTimeoutMs).optional(),
  /** Overall deadline for one call, retry included. Default 5000 ms. */
  timeoutMs: positive('milliseconds', NETWORK_DEFAULTS.timeoutMs).optional(),
  /** Largest response body accepted. Default 65536 bytes. */
  maxResponseBytes: positive('bytes', NETWORK_DEFAULTS.maxResponseBytes, true).optional(),
  /** Maximum pooled connections to Luminate. Default 16. */
  connections: positive('', NETWORK_DEFAULTS.connections, true).optional(),
  /** TLS options for the pooled agent (e.g. a custom CA for tests or a TLS-inspecting proxy). */
  tls: z
    .strictObject(
      {
        ca: z.union([pem, z.array(pem).min(1)], { error: 'must be a PEM string, a Buffer, or a non-empty array of them.' }).optional(),
        rejectUnauthorized: z.boolean({ error: 'must be a boolean.' }).optional(),
        servername: z.string({ error: 'must be a non-empty host name.' }).min(1, { error: 'must be a non-empty host name.' }).optional(),
      },
      objectError('must be an object { ca?, rejectUnauthorized?, servername? }.'),
    )
    .optional(),
  /** Use this undici dispatcher instead of the client's own pool (e.g. a ProxyAgent or MockAgent). */
  dispatcher: z
    .custom<Dispatcher>((v) => isPlainObject(v) && typeof v.dispatch === 'function', {
      error: 'must be an undici Dispatcher (Agent, Pool, ProxyAgent, MockAgent…).',
    })
    .optional(),
};

const network = z.strictObject(networkShape);
/** Network options shared by `LuminateClient`, `LuminateWebServices` and the `luminate` site block. */
export type NetworkOptions = z.input<typeof network>;

/** The pool options do nothing once a dispatcher is given: say so rather than ignore them. */
export function networkRules(ctx: z.core.ParsePayload<NetworkOptions>): void {
  if (ctx.value.dispatcher === undefined) return;
  for (const key of ['tls', 'connections', 'connectTimeoutMs'] as const) {
    if (ctx.value[key] !== undefined) {
      ctx.issues.push({ code: 'custom', input: ctx.value[key], path: [key], message: 'has no effect with a dispatcher; set it on your dispatcher instead.' });
    }
  }
}

type NetworkDefaults = { -readonly [K in keyof typeof NETWORK_DEFAULTS]: number };
/** Network options after withNetworkDefaults: every default filled in. */
export type NetworkSettings = NetworkOptions & NetworkDefaults;

/** Validated network options with every default filled in. */
export function withNetworkDefaults<T extends NetworkOptions>(options: T): T & NetworkDefaults {
  const settings = { ...options } as T & NetworkDefaults;
  for (const key of Object.keys(NETWORK_DEFAULTS) as Array<keyof NetworkDefaults>) settings[key] ??= NETWORK_DEFAULTS[key];
  return settings;
}
