import { createHash } from 'node:crypto';
import { debugFor } from '../debug';
import { LuminateError, isLuminateError } from '../errors';
import { untilAborted } from '../util/abort';
import type { BridgeStore } from './store';

const log = debugFor('store');

/** The part of a node-redis client (`redis` v5 or v6) the store uses; typed here so `redis` stays optional. */
export interface RedisClientLike {
  sendCommand(args: ReadonlyArray<string>, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** A connected node-redis client (`await createClient({ url }).connect()`, not a cluster). The store never closes it. */
  client: RedisClientLike;
  /** Put before every key, so several apps can share one Redis: ≤ 100 characters, no spaces or controls. Default `luminate-sso:`. */
  prefix?: string;
  /** Longest wait for one Redis answer before SSO_STORE_UNAVAILABLE: 1–60000 ms, whole. Default 1000 ms. */
  commandTimeoutMs?: number;
}

/** INCR, and a lifetime only for a new counter (later increments never extend it); atomic as one script. */
const INCREMENT_SCRIPT = [
  "local n = redis.call('INCR', KEYS[1])",
  "local ttl = redis.call('PTTL', KEYS[1])",
  "if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end",
  'return {n, ttl}',
].join('\n');
const INCREMENT_SHA = createHash('sha1').update(INCREMENT_SCRIPT).digest('hex');

/** GET, then DEL when there was a value: one script, so two takers never both get it (GETDEL needs Redis 6.2). */
const TAKE_SCRIPT = "local v = redis.call('GET', KEYS[1]); if v then redis.call('DEL', KEYS[1]) end; return v";

function unavailable(message: string, cause?: unknown): LuminateError {
  return new LuminateError('SSO_STORE_UNAVAILABLE', message, cause === undefined ? {} : { cause });
}

/** What went wrong, in a few words, without the command's arguments (keys hold hashed ids). */
function reasonOf(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; code?: unknown; message?: unknown };
  // node-redis's error classes leave `name` as "Error": tell them apart by class name.
  const kind = typeof e.name === 'string' && e.name !== 'Error' ? e.name : (e.constructor as { name?: string } | undefined)?.name ?? 'unknown';
  if (kind === 'ClientClosedError') return 'the Redis client is not connected (call `await client.connect()` first)';
  if (kind === 'ClientOfflineError') return 'the Redis client is offline (reconnecting)';
  if (typeof e.code === 'string') return e.code; // ECONNREFUSED, ECONNRESET…
  if (/^(ErrorReply|SimpleError|BlobError)$/.test(kind) && typeof e.message === 'string') return `Redis replied ${e.message.split(' ')[0]}`;
  return kind === 'Error' || kind === 'Object' ? 'unknown error' : kind;
}

/** An integer reply (number, or string/bigint under a typeMapping), else undefined. */
function integerOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' || typeof value === 'bigint' ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

function textOf(value: unknown): string | null | undefined {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key === '') throw new LuminateError('LUMINATE_INVALID_ARGUMENT', 'A store key must be a non-empty string.');
  return key;
}

function checkMs(ms: unknown, name: string): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new LuminateError('LUMINATE_INVALID_ARGUMENT', `${name} must be a number of milliseconds above 0.`);
  }
  return String(Math.ceil(ms));
}

function checkOptions(options: unknown): Required<RedisStoreOptions> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('RedisStore: expected options { client, prefix?, commandTimeoutMs? }, e.g. new RedisStore({ client: await createClient({ url }).connect() }).');
  }
  const { client, prefix = 'luminate-sso:', commandTimeoutMs = 1000, ...extra } = options as Partial<RedisStoreOptions>;
  const unknown = Object.keys(extra);
  if (unknown.length > 0) throw new TypeError(`RedisStore: unknown option "${unknown[0]}" (expected client, prefix, commandTimeoutMs).`);
  if (typeof (client as Partial<RedisClientLike> | undefined)?.sendCommand !== 'function') {
    throw new TypeError('RedisStore: client must be a node-redis client (createClient() from the `redis` package, v5 or later).');
  }
  if (typeof prefix !== 'string' || prefix.length > 100 || /[\s\u0000-\u001f\u007f]/.test(prefix)) {
    throw new TypeError('RedisStore: prefix must be a string of at most 100 characters without spaces or control characters.');
  }
  if (typeof commandTimeoutMs !== 'number' || !Number.isInteger(commandTimeoutMs) || commandTimeoutMs < 1 || commandTimeoutMs > 60_000) {
    throw new TypeError('RedisStore: commandTimeoutMs must be a whole number of ms between 1 and 60000.');
  }
  return { client: client as RedisClientLike, prefix, commandTimeoutMs };
}

/**
 * BridgeStore on Redis, shared by several processes: each method is one atomic command (or Lua
 * script). Any failure (connection, no answer within `commandTimeoutMs`, closed client, odd reply)
 * rejects with SSO_STORE_UNAVAILABLE and the bridge fails closed; an empty key or a time not above
 * 0 ms rejects with LUMINATE_INVALID_ARGUMENT. Give that Redis `maxmemory-policy noeviction`
 * (README): an evicted key is a replayable callback or a lost lockout.
 */
export class RedisStore implements BridgeStore {
  readonly #client: RedisClientLike;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  /** @throws TypeError `RedisStore: …` for a missing client, an unknown option, or a bad prefix or commandTimeoutMs. */
  constructor(options: RedisStoreOptions) {
    const checked = checkOptions(options);
    this.#client = checked.client;
    this.#prefix = checked.prefix;
    this.#timeoutMs = checked.commandTimeoutMs;
  }

  /** `SET key 1 NX PX ttlMs`. @throws LuminateError (rejects) SSO_STORE_UNAVAILABLE, LUMINATE_INVALID_ARGUMENT. */
  async setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
    const args = ['SET', this.#key(key), '1', 'NX', 'PX', checkMs(ttlMs, 'ttlMs')];
    const reply = textOf(await this.#send(args));
    if (reply === 'OK') return true;
    if (reply === null) return false;
    throw unavailable('Redis sent an unexpected reply to SET NX.');
  }

  /** INCR script (`limit` unused: Redis drops no live key). @throws LuminateError (rejects) as `setIfAbsent`. */
  async increment(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const k = this.#key(key);
    const ms = checkMs(windowMs, 'windowMs');
    let reply: unknown;
    try {
      reply = await this.#send(['EVALSHA', INCREMENT_SHA, '1', k, ms]);
    } catch (e) {
      // A Redis restarted (or flushed) since: its script cache is empty. Send the script itself once.
      if (!/^NOSCRIPT/.test(String(((e as LuminateError).cause as Error | undefined)?.message ?? ''))) throw e;
      reply = await this.#send(['EVAL', INCREMENT_SCRIPT, '1', k, ms]);
    }
    const [count, resetInMs] = Array.isArray(reply) && reply.length === 2 ? reply.map(integerOf) : [];
    if (count === undefined || count < 1 || resetInMs === undefined || resetInMs < 0) {
      throw unavailable('Redis sent an unexpected reply to the increment script.');
    }
    return { count, resetInMs };
  }

  /** `GET`: 0 when absent. @throws LuminateError (rejects) as `setIfAbsent` (also for a value that is not a counter). */
  async count(key: string): Promise<number> {
    const reply = textOf(await this.#send(['GET', this.#key(key)]));
    if (reply === null) return 0;
    const n = reply === undefined ? undefined : integerOf(reply);
    if (n === undefined) throw unavailable('Redis sent an unexpected reply to GET (not a counter).');
    return n;
  }

  /** `DEL`. @throws LuminateError (rejects) as `setIfAbsent`. */
  async delete(key: string): Promise<void> {
    const reply = await this.#send(['DEL', this.#key(key)]);
    if (integerOf(reply) === undefined) throw unavailable('Redis sent an unexpected reply to DEL.');
  }

  /** `SET key value PX ttlMs`. @throws LuminateError (rejects) SSO_STORE_UNAVAILABLE, LUMINATE_INVALID_ARGUMENT. */
  async put(key: string, value: string, ttlMs: number): Promise<void> {
    if (typeof value !== 'string') throw new LuminateError('LUMINATE_INVALID_ARGUMENT', 'A stored value must be a string.');
    const reply = textOf(await this.#send(['SET', this.#key(key), value, 'PX', checkMs(ttlMs, 'ttlMs')]));
    if (reply !== 'OK') throw unavailable('Redis sent an unexpected reply to SET.');
  }

  /** GET and DEL in one Lua script. @throws LuminateError (rejects) SSO_STORE_UNAVAILABLE, LUMINATE_INVALID_ARGUMENT. */
  async take(key: string): Promise<string | undefined> {
    const reply = textOf(await this.#send(['EVAL', TAKE_SCRIPT, '1', this.#key(key)]));
    if (reply === undefined) throw unavailable('Redis sent an unexpected reply to the take script.');
    return reply ?? undefined;
  }

  #key(key: string): string {
    return `${this.#prefix}${checkKey(key)}`;
  }

  /**
   * One command under the store's own deadline: node-redis queues commands while it reconnects and
   * waits on a silent server, so a dead Redis would hang the visitor. The abort also drops a queued command.
   */
  async #send(args: string[]): Promise<unknown> {
    const command = args[0]!;
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const sent = Promise.resolve().then(() => this.#client.sendCommand(args, { abortSignal: signal }));
      return await untilAborted(sent, signal, () => unavailable(`Redis did not answer ${command} within ${this.#timeoutMs} ms.`));
    } catch (e) {
      const err = isLuminateError(e) ? e : unavailable(`Redis failed on ${command}: ${reasonOf(e)}.`, e);
      log('%s', err.message);
      throw err;
    }
  }
}
