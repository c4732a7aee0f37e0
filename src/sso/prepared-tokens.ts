/**
 * `prepare: true`: tokens minted on the visitor's intent, kept in the store for the click to take.
 * A prepared value holds the token and its handoff fields (nonce, routing id): a secret. It is
 * never logged, lives `ttlMs` at most and is taken (read and removed in one step) at most once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Request } from 'express';
import { debugFor } from '../debug';
import type { Attribution, SingleSignOnToken } from '../luminate/types';
import type { PreparedStats } from '../diagnostics/stats';
import type { BridgeStore } from '../store/store';
import { visitorId, type VisitorRef } from './mint-throttle';

const log = debugFor('sso');

/** What the store keeps under `prepared:<key>`. */
interface PreparedValue {
  id: string;
  token: SingleSignOnToken;
  attribution: Attribution;
}

/** The store's part prepare uses. */
type PrepareStore = BridgeStore & Required<Pick<BridgeStore, 'put' | 'take'>>;

/** Pause between two looks for a token being prepared on another instance. */
const POLL_MS = 25;

function sameAttribution(a: Attribution, b: Attribution): boolean {
  return a.source === b.source && a.subSource === b.subSource;
}

/**
 * The session id of an express-session the browser already holds (its cookie carries the id), or
 * undefined: express-session makes up an id for every request without one, which no later click
 * would bring back.
 */
export function heldSessionId(req: Request): string | undefined {
  const { sessionID: id, session } = req as Request & { sessionID?: unknown; session?: unknown };
  if (typeof id !== 'string' || id === '' || session === undefined) return undefined;
  return (req.headers.cookie ?? '').includes(id) ? id : undefined;
}

/**
 * The key of one visitor: the express-session id and the constituent the hook named, hashed (the
 * store, and anyone reading Redis, sees neither). No session held: undefined, nothing is prepared.
 */
export function preparedKeyFor(req: Request, ref: VisitorRef): string | undefined {
  const sessionId = heldSessionId(req);
  if (sessionId === undefined) return undefined;
  return createHash('sha256').update(`${sessionId}\n${visitorId(ref)}`).digest('base64url').slice(0, 32);
}

/**
 * The prepared tokens of one bridge. Per visitor key, three store entries:
 * - `prepare-slot:` (setIfAbsent, `ttlMs`): a token is prepared or being prepared; a second
 *   prepare for the same visitor does nothing (at most one per visitor). Removed by the click that
 *   takes the token, or when the prepare fails.
 * - `prepare-pending:` (setIfAbsent, one deadline + 1 s): the token call is in flight, so a click on
 *   another instance waits for it (bounded, see take) instead of minting a second token.
 * - `prepared:` (put, `ttlMs`): the token, taken once by the click.
 * In this process, a click during a prepare of the same key waits on that prepare's promise.
 */
export class PreparedTokens {
  readonly #store: PrepareStore;
  readonly #ttlMs: number;
  readonly #timeoutMs: number;
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Ids of tokens this process prepared and no click here has taken yet → when they expire. */
  readonly #waiting = new Map<string, number>();
  readonly #now: () => number;
  readonly #counts: PreparedStats = { minted: 0, used: 0, unused: 0, refused: 0 };

  constructor(store: BridgeStore, options: { ttlMs: number; timeoutMs: number; now?: () => number }) {
    this.#store = store as PrepareStore; // resolveSsoOptions checked put and take
    this.#ttlMs = options.ttlMs;
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? Date.now;
  }

  /** Counts so far; tokens past their lifetime and never taken here become `unused` now. */
  stats(): PreparedStats {
    this.#sweep(Number.POSITIVE_INFINITY);
    return { ...this.#counts };
  }

  refused(): void {
    this.#counts.refused += 1;
  }

  /**
   * True when the caller may prepare for `key`, with the pending mark set (run() removes it):
   * false while a token is prepared or being prepared for it, here or on another instance.
   */
  async claim(key: string): Promise<boolean> {
    if (this.#inFlight.has(key)) return false;
    const pending = `prepare-pending:${key}`;
    if (!(await this.#store.setIfAbsent(pending, this.#timeoutMs + 1000))) return false;
    const free = await this.#store.setIfAbsent(`prepare-slot:${key}`, this.#ttlMs).catch(async (e: unknown) => {
      await this.#store.delete(pending).catch(() => undefined);
      throw e;
    });
    if (!free) await this.#store.delete(pending);
    return free;
  }

  /**
   * Runs `mint` for `key` (after claim) and keeps its token. Never rejects: a failure frees the
   * slot, and the click mints as it would have without prepare.
   */
  run(key: string, mint: () => Promise<{ token: SingleSignOnToken; attribution: Attribution }>): Promise<void> {
    const done = this.#prepare(key, mint);
    this.#inFlight.set(key, done);
    return done.finally(() => this.#inFlight.delete(key));
  }

  async #prepare(key: string, mint: () => Promise<{ token: SingleSignOnToken; attribution: Attribution }>): Promise<void> {
    try {
      const { token, attribution } = await mint();
      const value: PreparedValue = { id: randomUUID(), token, attribution };
      await this.#store.put(`prepared:${key}`, JSON.stringify(value), this.#ttlMs);
      this.#counts.minted += 1;
      this.#sweep(64);
      this.#waiting.set(value.id, this.#now() + this.#ttlMs);
      log('prepared a token for a visitor (kept %d ms)', this.#ttlMs);
    } catch (e) {
      log('prepare failed (%s); the click will mint as usual', (e as { code?: string })?.code ?? (e as Error)?.name);
      await this.#store.delete(`prepare-slot:${key}`).catch(() => undefined);
    } finally {
      await this.#store.delete(`prepare-pending:${key}`).catch(() => undefined);
    }
  }

  /**
   * The click's prepared token for `key` made with `attribution`, or undefined (then it mints as
   * usual). Waits for a prepare of this key in flight in this process; for one on another instance
   * (its pending mark) it looks again every 25 ms. Either wait lasts at most half the deadline, so the
   * click keeps time to mint itself if that prepare never finishes (stuck, or its instance died). A store failure is
   * taken as "none": the click's own throttle check then meets the store and answers for it.
   */
  async take(key: string, attribution: Attribution, signal: AbortSignal): Promise<SingleSignOnToken | undefined> {
    try {
      const waitUntil = this.#now() + this.#timeoutMs / 2;
      const running = this.#inFlight.get(key);
      if (running !== undefined) {
        // As for another instance's prepare: half the deadline at most, so a prepare stuck on Luminate leaves time to mint.
        const enough = AbortSignal.any([signal, AbortSignal.timeout(Math.ceil(this.#timeoutMs / 2))]);
        await Promise.race([running, new Promise((resolve) => enough.addEventListener('abort', resolve, { once: true }))]);
      }
      const rounds = Math.ceil(this.#timeoutMs / 2 / POLL_MS); // a bound even if the clock jumps
      let raw: string | undefined;
      for (let i = 0; ; i += 1) {
        // The mark first: a prepare puts its token before it removes the mark, so a take after the
        // mark was seen gone finds any token that prepare made (two store calls when none is pending).
        const pending = (await this.#store.count(`prepare-pending:${key}`)) > 0;
        raw = await this.#store.take(`prepared:${key}`);
        if (raw !== undefined || !pending || i >= rounds || signal.aborted || this.#now() >= waitUntil) break;
        await delay(POLL_MS);
      }
      if (raw === undefined) return undefined;
      await this.#store.delete(`prepare-slot:${key}`).catch(() => undefined);
      return this.#use(raw, attribution, signal);
    } catch (e) {
      log('could not look for a prepared token (%s); minting', (e as { code?: string })?.code ?? (e as Error)?.name);
      return undefined;
    }
  }

  #use(raw: string, attribution: Attribution, signal: AbortSignal): SingleSignOnToken | undefined {
    const value = JSON.parse(raw) as PreparedValue;
    if (typeof value?.token?.token !== 'string' || typeof value.token.consId !== 'string') return undefined;
    const ours = this.#waiting.delete(value.id);
    if (!sameAttribution(value.attribution, attribution) || signal.aborted) {
      log('a prepared token was made for another attribution, or the visitor left: not used');
      if (ours) this.#counts.unused += 1;
      return undefined;
    }
    this.#counts.used += 1;
    return value.token;
  }

  /** Moves expired ids (at most `budget`, oldest first) from waiting to unused. */
  #sweep(budget: number): void {
    const now = this.#now();
    for (const [id, expiresAt] of this.#waiting) {
      if (budget-- <= 0 || expiresAt > now) break;
      this.#waiting.delete(id);
      this.#counts.unused += 1;
    }
  }
}
