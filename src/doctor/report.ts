import { scrubSecrets } from '../util/scrub-secrets';

/** One line of the doctor's report. */
export interface CheckResult {
  /** Stable id for scripts (`--json`): `secure-url`, `api-key`, `ip-allowed`, `token`… */
  id: string;
  /** WARN: works, but worth changing; it does not fail the run (exit code 0). */
  status: 'PASS' | 'FAIL' | 'SKIP' | 'WARN';
  /** What was checked, e.g. `API key (error 2)`. */
  label: string;
  /** What was found. Never a secret. */
  detail: string;
  /** For FAIL (and some SKIP): what to do, in plain language. */
  fix?: string;
}

export function pass(id: string, label: string, detail: string): CheckResult {
  return { id, status: 'PASS', label, detail };
}

export function fail(id: string, label: string, detail: string, fix: string): CheckResult {
  return { id, status: 'FAIL', label, detail, fix };
}

export function warn(id: string, label: string, detail: string, fix: string): CheckResult {
  return { id, status: 'WARN', label, detail, fix };
}

export function skip(id: string, label: string, detail: string, fix?: string): CheckResult {
  return fix === undefined ? { id, status: 'SKIP', label, detail } : { id, status: 'SKIP', label, detail, fix };
}

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
