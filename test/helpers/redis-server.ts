/**
 * A throwaway `redis-server` (Debian's package) for tests: a free loopback port, a temp dir, no
 * persistence. Suites that need it are skipped when redis-server is missing, except under CI=true,
 * where that is a failure (`.ci/run` installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH || findOnPath('redis-server');
const inCi = process.env.CI === 'true';

/** `describe` when redis-server can run here (or under CI, where its absence must fail), else `describe.skip`. */
export function describeWithRedis(name: string, body: () => void): void {
  if (!REDIS_SERVER && !inCi) {
    console.warn(`Redis tests SKIPPED (${name}): redis-server not on PATH (apt-get install redis-server). Under CI=true this is a failure.`);
  }
  (REDIS_SERVER || inCi ? describe : describe.skip)(name, body);
}

/** A free TCP port on 127.0.0.1 (free when asked; redis-server takes it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); data is lost. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop()). */
  start(): Promise<void>;
  /** Freezes (SIGSTOP) or resumes (SIGCONT) it: connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  /** stop() and remove the temp dir. */
  close(): Promise<void>;
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  if (!REDIS_SERVER) {
    return Promise.reject(new Error('redis-server is not on PATH: install Debian\'s redis-server package (apt-get install redis-server), or set REDIS_SERVER_PATH.'));
  }
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', ''],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      if (output.includes('Ready to accept connections')) done();
    };
    const onExit = (code: number | null) => fail(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', fail);
      child.stdout!.resume(); // keep draining its log so it never blocks on a full pipe
      child.stderr!.resume();
    };
    function done() {
      cleanup();
      resolve(child);
    }
    function fail(err: Error) {
      cleanup();
      child.kill('SIGKILL');
      reject(err);
    }
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGCONT'); // a paused server cannot act on SIGTERM
    child.kill('SIGTERM');
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lsb-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port, dir).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child) await ended(child);
      child = undefined;
    },
    async start() {
      if (!child) child = await launch(port, dir);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
