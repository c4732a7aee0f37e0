import type { Dispatcher } from 'undici';
import { isLoopbackHost } from '../util/loopback';
import type { PoolSettings } from './pool';
import type { NetworkOptions } from './types';

/** Network settings shared by the server-API client and the Web Services client, after validation. */
export interface NetworkSettings extends PoolSettings {
  timeoutMs: number;
  maxResponseBytes: number;
}

export const NETWORK_DEFAULTS = {
  connectTimeoutMs: 2000,
  headersTimeoutMs: 4000,
  bodyTimeoutMs: 4000,
  timeoutMs: 5000,
  maxResponseBytes: 65536,
  connections: 16,
} as const;

// The compiler checks these lists against the option types, so they cannot drift apart.
export const NETWORK_KEYS: { [K in keyof Required<NetworkOptions>]: true } = {
  connectTimeoutMs: true, headersTimeoutMs: true, bodyTimeoutMs: true, timeoutMs: true,
  maxResponseBytes: true, connections: true, tls: true, dispatcher: true,
};
const TLS_KEYS: { [K in keyof Required<NonNullable<NetworkOptions['tls']>>]: true } = {
  ca: true, rejectUnauthorized: true, servername: true,
};

export const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_TIMER_MS = 2_147_483_647;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Option checks whose messages start with `owner` (`LuminateClient: options.timeoutMs must…`).
 * The first problem is thrown as a TypeError naming the option and the fix.
 */
export class OptionChecks {
  constructor(private readonly owner: string) {}

  fail(message: string): never {
    throw new TypeError(`${this.owner}: ${message}`);
  }

  rejectUnknown(obj: Record<string, unknown>, known: Record<string, true>, path: string): void {
    for (const key of Object.keys(obj)) {
      if (!Object.hasOwn(known, key)) this.fail(`unknown option "${path}${key}"; known: ${Object.keys(known).join(', ')}.`);
    }
  }

  requiredString(value: unknown, path: string, hint: string): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(`${path} must be a non-empty string: ${hint}.`);
    return value;
  }

  positive(value: unknown, path: string, fallback: number, integer: boolean): number {
    if (value === undefined) return fallback;
    const ok = typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_TIMER_MS &&
      (!integer || Number.isInteger(value));
    if (!ok) this.fail(`${path} must be a positive ${integer ? 'integer' : 'number'} (default ${fallback}), got ${String(value)}.`);
    return value as number;
  }

  /**
   * An https URL (plain http only for loopback hosts) without user info, query or fragment.
   * `label` names the option in messages, e.g. `options.secureUrl`.
   */
  httpsUrl(raw: string, label: string, example: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      this.fail(`${label} is not a URL; use ${example}.`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
      this.fail(`${label} must use https:// (plain http:// is accepted only for loopback hosts, such as a local stand-in: localhost, 127.0.0.0/8 or [::1]).`);
    }
    if (url.username !== '' || url.password !== '') this.fail(`${label} must not carry a user name or password.`);
    if (url.search !== '' || url.hash !== '') this.fail(`${label} must not carry a query string or #fragment.`);
    return url;
  }

  tls(value: unknown): NetworkOptions['tls'] {
    if (value === undefined) return undefined;
    if (!isObject(value)) this.fail('options.tls must be an object { ca?, rejectUnauthorized?, servername? }.');
    this.rejectUnknown(value, TLS_KEYS, 'tls.');
    const { ca, rejectUnauthorized, servername } = value;
    const isPem = (v: unknown): boolean => typeof v === 'string' || Buffer.isBuffer(v);
    if (ca !== undefined && !isPem(ca) && !(Array.isArray(ca) && ca.length > 0 && ca.every(isPem))) {
      this.fail('options.tls.ca must be a PEM string, a Buffer, or a non-empty array of them.');
    }
    if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean') {
      this.fail('options.tls.rejectUnauthorized must be a boolean.');
    }
    if (servername !== undefined && (typeof servername !== 'string' || servername === '')) {
      this.fail('options.tls.servername must be a non-empty host name.');
    }
    return value as NetworkOptions['tls'];
  }

  /** The network options of `options` (timeouts, byte cap, pool, tls, dispatcher) with defaults. */
  network(options: Record<string, unknown>): NetworkSettings {
    const dispatcher = options.dispatcher;
    if (dispatcher !== undefined) {
      if (!isObject(dispatcher) || typeof dispatcher.dispatch !== 'function') {
        this.fail('options.dispatcher must be an undici Dispatcher (Agent, Pool, ProxyAgent, MockAgent…).');
      }
      for (const key of ['tls', 'connections', 'connectTimeoutMs'] as const) {
        if (options[key] !== undefined) this.fail(`options.${key} has no effect with options.dispatcher; set it on your dispatcher instead.`);
      }
    }
    const d = NETWORK_DEFAULTS;
    const settings: NetworkSettings = {
      connectTimeoutMs: this.positive(options.connectTimeoutMs, 'options.connectTimeoutMs', d.connectTimeoutMs, false),
      headersTimeoutMs: this.positive(options.headersTimeoutMs, 'options.headersTimeoutMs', d.headersTimeoutMs, false),
      bodyTimeoutMs: this.positive(options.bodyTimeoutMs, 'options.bodyTimeoutMs', d.bodyTimeoutMs, false),
      timeoutMs: this.positive(options.timeoutMs, 'options.timeoutMs', d.timeoutMs, false),
      maxResponseBytes: this.positive(options.maxResponseBytes, 'options.maxResponseBytes', d.maxResponseBytes, true),
      connections: this.positive(options.connections, 'options.connections', d.connections, true),
    };
    const tls = this.tls(options.tls);
    if (tls !== undefined) settings.tls = tls;
    if (dispatcher !== undefined) settings.dispatcher = dispatcher as unknown as Dispatcher;
    return settings;
  }
}
