// Types of app.js for the repository's TypeScript tests (the app itself is plain CommonJS).
import type { FakeLuminate } from '../src/testing';
import type { BridgeStats } from '../src';

export interface ExampleAppOptions {
  port?: number;
  fakePort?: number;
  handoff?: 'singleSignOn' | 'establishSession';
  /** Read instead of process.env. */
  env?: Record<string, string | undefined>;
  /** Where warnings go. Default console. */
  log?: { warn(message: string): void };
}

export interface RunningExampleApp {
  /** `http://localhost:<port>`. */
  appUrl: string;
  /** Luminate secure base, e.g. `http://127.0.0.1:4010/fakeorg`. */
  luminateUrl: string;
  handoff: string;
  /** LUMINATE_PREPARE=true: the bridge's `prepare` is on. */
  prepare: boolean;
  /** The bridge's counters (`bridge.stats()`), `prepared` among them with prepare on. */
  stats(): BridgeStats;
  /** Where sessions and the bridge's state live: `redis` when REDIS_URL is set. */
  sharedState: 'redis' | 'memory';
  /** The stand-in, when no LUMINATE_SECURE_URL was set. */
  fake: FakeLuminate | undefined;
  demoLogins: Array<{ username: string; password: string }>;
  destinations: { donate: string; monthly: string };
  close(): Promise<void>;
}

export function startExampleApp(options?: ExampleAppOptions): Promise<RunningExampleApp>;
export function safeReturnTo(value: unknown): string;
