import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) => {
      const full = path.join(dir, e.name);
      return e.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    }),
  );
}

function distIsFresh(): boolean {
  const outputs = ['dist/index.js', 'dist/testing/index.js'].map((f) => path.join(ROOT, f));
  return outputs.every((f) => existsSync(f)) && Math.min(...outputs.map((f) => statSync(f).mtimeMs)) >= newestMtime(path.join(ROOT, 'src'));
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * The example app requires the BUILT package (../dist): build it when missing or older than src.
 * A lock directory keeps two jest workers from writing dist at once (one could read a half-written
 * file); a lock older than two minutes is taken to be left over from a killed run.
 */
export function ensureDistBuilt(): void {
  if (distIsFresh()) return;
  const lock = path.join(tmpdir(), `luminate-sso-bridge-build-${Buffer.from(ROOT).toString('hex').slice(-32)}.lock`);
  const deadline = Date.now() + 150_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited too long for another build of dist (lock ${lock})`);
      sleep(200);
    }
  }
  try {
    if (!distIsFresh()) {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
