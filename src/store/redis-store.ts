import { createHash } from 'node:crypto';
import { debugFor } from '../debug';
import { LuminateError, isLuminateError } from '../errors';
import type { BridgeStore } from './store';

const log = debugFor('store');

/**
 * The part of a node-redis client (`createClient()` from `redis` v5 or v6) the store uses. Typed
 * here so the library never imports `redis` itself: sites without Redis do not need it installed.
 */
export interface RedisClientLike {
  sendCommand(args: ReadonlyArray<string>, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** A connected node-redis client (`await createClient({ url }).connect()`, not a cluster). The store never closes it. */
  client: RedisClientLike;
  /** Put before every key, so several apps can share one Redis: at most 100 characters, no spaces or controls. Default `luminate-sso:`. */
  prefix?: string;
  /** Longest wait for one Redis answer before the call fails with SSO_STORE_UNAVAILABLE: 1–60000 ms, whole. Default 1000 ms. */
  commandTimeoutMs?: number;
}

/**
 * INCR, then give the counter its lifetime only when it has none (it is new): later increments
 * never extend a window. One script, so no other client sees a counter without its expiry.
 */
const INCREMENT_SCRIPT = [
  "local n = redis.call('INCR', KEYS[1])",
  "local ttl = redis.call('PTTL', KEYS[1])",
  "if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end",
  'return {n, ttl}',
].join('\n');
const INCREMENT_SHA = createHash('sha1').update(INCREMENT_SCRIPT).digest('hex');

/** GET, then DEL when there was a value: one script, so two takers never both get it (GETDEL needs Redis 6.2). */
const TAKE_SCRIPT = "local v = redis.call('GET', KEYS[1]); if v then redis.call('DEL', KEYS[1]) end; return v";

const DEFAULT_PREFIX = 'luminate-sso:';
const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

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

/** An integer reply (number, or string/bigint under a client's typeMapping), else undefined. */
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
  const { client, prefix = DEFAULT_PREFIX, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS, ...extra } = options as Partial<RedisStoreOptions>;
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
 * BridgeStore on Redis, for several processes or machines: the replay guard, throttle counters
 * and provisioning locks are then shared. Each method is one atomic Redis command (or one Lua
 * script). Any failure — refused or lost connection, no answer within `commandTimeoutMs`, a
 * closed client, an unexpected reply — rejects with a LuminateError `SSO_STORE_UNAVAILABLE`; the
 * bridge then fails closed (the failure policy), never as if the check had passed. An empty key or a
 * time that is not a number of ms above 0 rejects with LUMINATE_INVALID_ARGUMENT (a caller's bug).
 * Give that Redis `maxmemory-policy noeviction` (README): an evicted key is a replayable callback or a lost lockout.
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

  /**
   * INCR, with `windowMs` set only on a new counter (one Lua script; re-sent after NOSCRIPT). `limit`
   * is not needed: Redis drops no live key. @throws LuminateError (rejects) SSO_STORE_UNAVAILABLE, LUMINATE_INVALID_ARGUMENT.
   */
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

  /** `GET`: 0 when absent. @throws LuminateError (rejects) SSO_STORE_UNAVAILABLE (also for a value that is not a counter), LUMINATE_INVALID_ARGUMENT. */
  async count(key: string): Promise<number> {
    const reply = textOf(await this.#send(['GET', this.#key(key)]));
    if (reply === null) return 0;
    const n = reply === undefined ? undefined : integerOf(reply);
    if (n === undefined) throw unavailable('Redis sent an unexpected reply to GET (not a counter).');
    return n;
  }

  /** `DEL`. @throws LuminateError (rejects) SSO_STORE_UNAVAILABLE, LUMINATE_INVALID_ARGUMENT. */
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
   * One command under the store's own deadline: node-redis queues commands while it reconnects
   * and waits on a silent server, so a dead Redis would otherwise hang the visitor's request.
   * The abort also drops a command still queued, so an outage does not grow the client's queue.
   */
  async #send(args: string[]): Promise<unknown> {
    const command = args[0]!;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(unavailable(`Redis did not answer ${command} within ${this.#timeoutMs} ms.`));
      }, this.#timeoutMs);
    });
    try {
      const sent = Promise.resolve().then(() => this.#client.sendCommand(args, { abortSignal: controller.signal }));
      return await Promise.race([sent, deadline]);
    } catch (e) {
      const err = isLuminateError(e) ? e : unavailable(`Redis failed on ${command}: ${reasonOf(e)}.`, e);
      log('%s', err.message);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
