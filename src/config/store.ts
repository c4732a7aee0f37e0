/** Options luminateSso() and luminateLogin() share besides the site: the store and the throttles. */
import { z } from 'zod';
import type { BridgeStore } from '../store/store';
import type { ThrottleRule } from '../store/sliding-window';
import { isPlainObject, objectError } from './parse';

const STORE_METHODS = ['setIfAbsent', 'increment', 'count', 'delete'] as const;

/** Shared state (replay guard, throttle counters): any object with the BridgeStore methods. */
export const store = z.custom<BridgeStore>((v) => isPlainObject(v) && STORE_METHODS.every((m) => typeof v[m] === 'function'), {
  error: `must implement the BridgeStore interface (${STORE_METHODS.join(', ')}), e.g. a MemoryStore shared by luminateSso() and luminateLogin().`,
});

function whole(min: number, max: number, error: string) {
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** At most `limit` requests per `windowMs` (sliding window). */
const throttleRule = z.strictObject(
  {
    limit: whole(1, Number.MAX_SAFE_INTEGER, 'must be a whole number ≥ 1.'),
    windowMs: whole(1000, 86_400_000, 'must be a whole number of ms between 1000 and 86400000.'),
  },
  objectError('must be { limit, windowMs } or false (off).'),
);

/** A rule, `false` (off), or left out for `fallback`. */
function ruleOr(fallback: ThrottleRule) {
  return z.union([z.literal(false), throttleRule], { error: 'must be { limit, windowMs } or false (off).' }).default(fallback);
}

/** Two named rules, or `false` for both off; `defaults` when left out. */
function throttles<K extends string>(defaults: Record<K, ThrottleRule>) {
  const keys = Object.keys(defaults) as K[];
  const shape = Object.fromEntries(keys.map((k) => [k, ruleOr(defaults[k])])) as Record<K, ReturnType<typeof ruleOr>>;
  const off = Object.fromEntries(keys.map((k) => [k, false])) as Record<K, false>;
  return z
    .union([z.literal(false), z.strictObject(shape)], { error: `must be { ${keys.join(', ')} } or false (off).` })
    .default(defaults as never)
    .transform((value) => (value === false ? off : value) as Record<K, ThrottleRule | false>);
}

/**
 * luminateSso's token limits. perVisitor: the constituent the hook returned (cons_id, member_id or
 * email), default 10 a minute. perIp: `req.ip` (set Express's `trust proxy` behind a proxy; IPv6
 * by /64), default 60 a minute.
 */
export const mintThrottle = throttles({
  perVisitor: { limit: 10, windowMs: 60_000 },
  perIp: { limit: 60, windowMs: 60_000 },
});

/**
 * luminateLogin's limits on failed logins. Membership numbers are often sequential: an attacker who
 * knows a common last name tries many numbers from one address (per-IP rule), or many names for
 * one number (per-identifier rule). Default 20 per IP and 5 per identifier per 15 minutes.
 */
export const loginThrottle = throttles({
  perIp: { limit: 20, windowMs: 15 * 60_000 },
  perIdentifier: { limit: 5, windowMs: 15 * 60_000 },
});

/** Token minting limits; `false` turns one off. */
export type MintThrottleOptions = Exclude<z.input<typeof mintThrottle>, false | undefined>;
export type ResolvedMintThrottle = z.output<typeof mintThrottle>;
