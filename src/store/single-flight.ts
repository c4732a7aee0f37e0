import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { debugFor } from '../debug';
import type { BridgeStore } from './store';

const log = debugFor('sso');

/**
 * "At most one at a time per key": callers of a key whose task is running share its result, so
 * concurrent first clicks for one email look up (and create) the constituent once.
 */
export interface SingleFlight {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export interface StoreSingleFlightOptions {
  /** How long a dead holder's lock lives: well above the longest task, or a second process starts it too. */
  lockTtlMs: number;
  /** How long a process waits for another's lock before running the task without it. */
  waitMs: number;
  /** Pause between two attempts at a held lock. Default 25 ms. */
  pollMs?: number;
}

/**
 * Single-flight across processes sharing one BridgeStore: whoever sets the lock
 * `flight:<hash of key>` runs the task, then deletes the lock; the others retry every `pollMs`
 * until it is free (the task re-checks, so it finds what the first created) or `waitMs` has passed
 * (then they run it anyway: Luminate's duplicate check is the backstop). Callers in one process
 * share one run first. A store failing while taking the lock rejects the call (typed store error).
 */
export class StoreSingleFlight implements SingleFlight {
  readonly #inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: BridgeStore,
    private readonly options: StoreSingleFlightOptions,
  ) {}

  /** Keys with a task running or waiting in this process. */
  get size(): number {
    return this.#inFlight.size;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const started = this.#acrossProcesses(key, task);
    this.#inFlight.set(key, started);
    const forget = () => this.#inFlight.delete(key);
    started.then(forget, forget);
    return started;
  }

  async #acrossProcesses<T>(key: string, task: () => Promise<T>): Promise<T> {
    // Keys are emails: the store (and anyone reading Redis) sees only a hash.
    const lock = `flight:${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
    const { lockTtlMs, waitMs, pollMs = 25 } = this.options;
    const deadline = Date.now() + waitMs;
    const attempts = Math.ceil(waitMs / pollMs) + 1; // a bound even if the clock jumps
    for (let i = 0; i < attempts; i += 1) {
      if (await this.store.setIfAbsent(lock, lockTtlMs)) {
        try {
          return await task();
        } finally {
          // Not fatal: the lock then ends with its TTL; the task's result stands.
          await this.store.delete(lock).catch((e: unknown) => log('could not release a lock: %s', (e as Error)?.message));
        }
      }
      if (Date.now() >= deadline) break;
      await delay(Math.min(pollMs, Math.max(1, deadline - Date.now())));
    }
    log('a lock held elsewhere for %d ms; running the task without it', waitMs);
    return task();
  }
}
