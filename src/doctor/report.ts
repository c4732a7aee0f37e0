import type { CheckResult } from '../luminate/access-check';
import { scrubSecrets } from '../util/scrub-secrets';

/**
 * Replaces every secret value (4 characters or more) by `[redacted]`. The checks never put a
 * secret into a line on purpose; this is the second lock, for text that came from elsewhere.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  return scrubSecrets(text, secrets);
}

export function summary(results: readonly CheckResult[]): { pass: number; fail: number; skip: number; warn: number } {
  const count = (s: CheckResult['status']): number => results.filter((r) => r.status === s).length;
  return { pass: count('PASS'), fail: count('FAIL'), skip: count('SKIP'), warn: count('WARN') };
}

/** One line per check: `PASS  label: detail`, `FAIL  label: detail — fix: …`. */
export function formatText(results: readonly CheckResult[]): string {
  const lines = results.map((r) => `${r.status.padEnd(4)}  ${r.label}: ${r.detail}${r.fix === undefined ? '' : ` — fix: ${r.fix}`}`);
  const s = summary(results);
  const verdict = s.fail === 0 ? 'all checks passed' : `${s.fail} check${s.fail === 1 ? '' : 's'} failed`;
  const warnings = s.warn === 0 ? '' : `, ${s.warn} warning${s.warn === 1 ? '' : 's'}`;
  return `${lines.join('\n')}\n\n${s.pass} passed, ${s.fail} failed, ${s.skip} skipped${warnings}: ${verdict}.\n`;
}

export function formatJson(results: readonly CheckResult[], exitCode: number): string {
  return `${JSON.stringify({ ok: exitCode === 0, exitCode, summary: summary(results), checks: results }, null, 2)}\n`;
}
