import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, '../../test-artifacts/reliability');

/**
 * Keeps what a reliability suite tried (payloads, bodies, faults) in
 * `test-artifacts/reliability/<name>.json` and prints it on one line, for the release notes.
 */
export function reportCounts(name: string, counts: Record<string, number>): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, `${name}.json`), `${JSON.stringify(counts, null, 2)}\n`);
  const line = Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(', ');
  console.info(`reliability ${name}: ${line}`);
}
