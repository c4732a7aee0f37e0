/**
 * Starts host-site processes (test/store/fixtures/host-instance.js) that share one Redis and one
 * stand-in Luminate: for the two-instances test and `npm run load:two`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { FakeLuminate } from '../../src/testing';
import { TestBrowser } from '../helpers/browser';

const FIXTURE = path.join(__dirname, 'fixtures', 'host-instance.js');

export interface Instance {
  readonly url: string;
  readonly child: ChildProcess;
  /** What the process wrote to stderr (last 4 kB), for failure messages. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

export interface InstanceSettings {
  redisUrl: string;
  fake: FakeLuminate;
  /** The bridge's `throttle` option. */
  throttle?: unknown;
  provisionDelayMs?: number;
  /** The bridge on a per-process MemoryStore (to show what a shared store prevents). */
  memoryStore?: boolean;
  /** The bridge's `prepare: true`. */
  prepare?: boolean;
}

export function startInstance(settings: InstanceSettings): Promise<Instance> {
  const { fake } = settings;
  const child = spawn(process.execPath, [FIXTURE], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      REDIS_URL: settings.redisUrl,
      LUMINATE_SECURE_URL: fake.secureUrl,
      LUMINATE_API_KEY: fake.apiKey,
      LUMINATE_API_LOGIN_NAME: fake.apiLogin.name,
      LUMINATE_API_LOGIN_PASSWORD: fake.apiLogin.password,
      LUMINATE_API_SECRET_KEY: fake.apiSecretKey,
      LUMINATE_SIGNATURE_ALGORITHM: fake.signatureAlgorithm,
      ...(settings.throttle === undefined ? {} : { THROTTLE: JSON.stringify(settings.throttle) }),
      PROVISION_DELAY_MS: String(settings.provisionDelayMs ?? 0),
      ...(settings.memoryStore ? { BRIDGE_STORE: 'memory' } : {}),
      ...(settings.prepare ? { PREPARE: 'true' } : {}),
    },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const stop = (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`host instance did not start within 30 s: ${stderr}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        child.stdout!.resume();
        const { port } = JSON.parse(line) as { port: number };
        resolve({ url: `http://127.0.0.1:${port}`, child, stderr: () => stderr, stop });
      }
    };
    const onExit = (code: number | null) => fail(new Error(`host instance exited (${code}) before listening: ${stderr}`));
    function fail(err: Error) {
      clearTimeout(timer);
      void stop();
      reject(err);
    }
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** One cookie jar for all `instances`: browsers send a cookie to every port of a host; TestBrowser keeps one jar per host:port. */
export function oneSiteBrowser(instances: Instance[]): TestBrowser {
  const browser = new TestBrowser();
  const jar = new Map<string, string>();
  const jars = browser['jar'] as Map<string, Map<string, string>>;
  for (const instance of instances) jars.set(new URL(instance.url).host, jar);
  return browser;
}
