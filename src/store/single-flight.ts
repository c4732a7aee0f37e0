import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { debugFor } from '../debug';
import type { BridgeStore } from './store';

const log = debugFor('sso');

/**
 * "At most one at a time per key": callers asking for a key whose task is still running share its
 * result instead of starting a second one. The bridge uses it so that concurrent first clicks of
 * one visitor's email look the constituent up, and create it, once, across every process that
 * shares the store (the default MemoryStore: this process only).
 */
export interface SingleFlight {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export interface StoreSingleFlightOptions {
  /**
   * How long a lock lives when its holder dies before releasing it. Must be well above the longest
   * task: a lock that expires under a running task lets a second process start the same task.
   */
  lockTtlMs: number;
  /** How long a process waits for another's lock before running the task without it. */
  waitMs: number;
  /** Pause between two attempts at a held lock. Default 25 ms. */
  pollMs?: number;
}

/**
 * Single-flight across processes sharing one BridgeStore (e.g. Redis): the first process to set
 * the lock `flight:<hash of key>` runs the task, then deletes the lock; the others retry the
 * lock every `pollMs` until it is free (then run the task themselves: it re-checks, so it finds
 * what the first one created) or until `waitMs` has passed (then they run it anyway: Luminate's
 * duplicate check is the backstop, as for a holder that died). Within one process the callers of
 * a key share one run first, so one process has one caller polling per key, not N.
 *
 * A store that fails while taking the lock rejects the call (typed store error): the bridge's
 * failure policy answers, nothing runs unguarded without notice.
 */
export class StoreSingleFlight implements SingleFlight {
  /** The runs in flight in this process, each removed as soon as it settles. */
  readonly #inFlight = new Map<string, Promise<unknown>>();
  readonly #store: BridgeStore;
  readonly #lockTtlMs: number;
  readonly #waitMs: number;
  readonly #pollMs: number;

  constructor(store: BridgeStore, options: StoreSingleFlightOptions) {
    this.#store = store;
    this.#lockTtlMs = options.lockTtlMs;
    this.#waitMs = options.waitMs;
    this.#pollMs = options.pollMs ?? 25;
  }

  /** Keys with a task running or waiting in this process. */
  get size(): number {
    return this.#inFlight.size;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const started = this.#acrossProcesses(key, task);
    this.#inFlight.set(key, started);
    // Removed however the run ends; this side chain never rejects unhandled.
    const forget = () => this.#inFlight.delete(key);
    started.then(forget, forget);
    return started;
  }

  async #acrossProcesses<T>(key: string, task: () => Promise<T>): Promise<T> {
    // Keys are emails: the store (and anyone reading Redis) sees only a hash.
    const lock = `flight:${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
    const deadline = Date.now() + this.#waitMs;
    const attempts = Math.ceil(this.#waitMs / this.#pollMs) + 1; // a bound even if the clock jumps
    for (let i = 0; i < attempts; i += 1) {
      if (await this.#store.setIfAbsent(lock, this.#lockTtlMs)) {
        try {
          return await task();
        } finally {
          // Not fatal: the lock then ends with its TTL; the task's result stands.
          await this.#store.delete(lock).catch((e: unknown) => log('could not release a lock: %s', (e as Error)?.message));
        }
      }
      if (Date.now() >= deadline) break;
      await delay(Math.min(this.#pollMs, Math.max(1, deadline - Date.now())));
    }
    log('a lock held elsewhere for %d ms; running the task without it', this.#waitMs);
    return task();
  }
}
