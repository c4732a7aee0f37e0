import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SiteConfig } from './options';
import type { FakeState } from './state';
import type { FakeFaults, FakeRequestRecord } from './types';

/**
 * Diagnostics channel on which each stand-in is published once it listens (see index.ts). Kept
 * here, in a module that loads nothing, so a test harness can subscribe without loading the server.
 */
export const FAKE_LUMINATE_CHANNEL_NAME = 'luminate-sso-bridge:fake-luminate';

/** Cancellable delays, so close() can stop every pending timer. */
export class TimerRegistry {
  private readonly pending = new Map<NodeJS.Timeout, (fired: boolean) => void>();

  /** Resolves true after `ms`, or false at once if the registry is cleared first. */
  delay(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve(true);
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  clearAll(): void {
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve(false);
    }
    this.pending.clear();
  }
}

/** What every handler needs to know about the site. */
export interface SiteContext {
  readonly config: SiteConfig;
  readonly state: FakeState;
  readonly secure: boolean;
  readonly timers: TimerRegistry;
  /** The live (mutable) fault switches. */
  faults(): FakeFaults;
}

/** One incoming request, parsed. */
export interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Query-string parameters merged with the form body (the body wins). */
  readonly params: Record<string, string>;
  /** The raw request body (for the SOAP endpoint). */
  readonly bodyText: string;
  readonly cookies: Record<string, string>;
  readonly record: FakeRequestRecord;
  /** The routing id after `;jsessionid=` in the path, if any. */
  readonly jsessionid?: string;
}
