/**
 * "At most one at a time per key": callers asking for a key whose task is still running share its
 * result instead of starting a second one. The bridge uses it so that concurrent first clicks of
 * one visitor's email look the constituent up, and create it, once.
 *
 * Kept behind this small interface so a later implementation can coordinate several processes
 * (e.g. over a BridgeStore); the in-process one below serves a single process.
 */
export interface SingleFlight {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** In-process single-flight: a Map of the promises in flight, each removed as soon as it settles. */
export class InProcessSingleFlight implements SingleFlight {
  readonly #inFlight = new Map<string, Promise<unknown>>();

  /** Number of keys with a task running (for tests and metrics). */
  get size(): number {
    return this.#inFlight.size;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running as Promise<T>;
    let started: Promise<T>;
    try {
      started = Promise.resolve(task());
    } catch (err) {
      started = Promise.reject(err);
    }
    this.#inFlight.set(key, started);
    const forget = () => {
      if (this.#inFlight.get(key) === started) this.#inFlight.delete(key);
    };
    // Cleaned up however the task ends; this side chain never rejects unhandled.
    started.then(forget, forget);
    return started;
  }
}
