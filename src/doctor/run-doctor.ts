import { parseDoctorArgs, USAGE, UsageError } from './args';
import type { Env } from '../config/parse';
import { skip, type CheckResult } from '../luminate/access-check';
import { scrubSecrets } from '../util/scrub-secrets';
import { checkSettings } from './settings';
import { checkSite, checkWebServicesLogin } from './site-checks';

export interface RunDoctorOptions {
  /** The variables to check. Default `process.env`. */
  env?: Env;
  /** What follows `doctor` on the command line, e.g. `['--cons-id', '1001641', '--json']`. */
  args?: readonly string[];
  /** The report. Default `process.stdout`. */
  output?: { write(text: string): unknown };
  /** Usage errors. Default: `output`. */
  errorOutput?: { write(text: string): unknown };
}

function summary(results: readonly CheckResult[]): { pass: number; fail: number; skip: number; warn: number } {
  const count = (s: CheckResult['status']): number => results.filter((r) => r.status === s).length;
  return { pass: count('PASS'), fail: count('FAIL'), skip: count('SKIP'), warn: count('WARN') };
}

/** One line per check: `PASS  label: detail`, `FAIL  label: detail — fix: …`. */
function formatText(results: readonly CheckResult[]): string {
  const lines = results.map((r) => `${r.status.padEnd(4)}  ${r.label}: ${r.detail}${r.fix === undefined ? '' : ` — fix: ${r.fix}`}`);
  const s = summary(results);
  const verdict = s.fail === 0 ? 'all checks passed' : `${s.fail} check${s.fail === 1 ? '' : 's'} failed`;
  const warnings = s.warn === 0 ? '' : `, ${s.warn} warning${s.warn === 1 ? '' : 's'}`;
  return `${lines.join('\n')}\n\n${s.pass} passed, ${s.fail} failed, ${s.skip} skipped${warnings}: ${verdict}.\n`;
}

/**
 * `luminate-sso-bridge doctor`: checks the LUMINATE_* settings, then the site, one line per
 * check. Resolves with the exit code: 0 when no check failed, 1 when one did, 2 for a usage
 * error. Secrets (passwords, the API secret key, tokens, SessionIds) are never written.
 */
export async function runDoctor(options: RunDoctorOptions = {}): Promise<number> {
  const output = options.output ?? process.stdout;
  let args;
  try {
    args = parseDoctorArgs(options.args ?? []);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    (options.errorOutput ?? output).write(`luminate-sso-bridge doctor: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    output.write(`${USAGE}\n`);
    return 0;
  }

  const settings = checkSettings(options.env ?? process.env);
  const results: CheckResult[] = [...settings.results];
  if (settings.site !== undefined) {
    results.push(...(await checkSite(settings.site, args.ref, args.timeoutMs)));
  } else {
    results.push(skip('site', 'Luminate site checks (API key, IP white list, API login, token)', 'not run: fix the settings that failed above first'));
  }
  if (settings.webServices !== undefined) {
    results.push(await checkWebServicesLogin(settings.webServices, args.timeoutMs));
  }

  const exitCode = results.some((r) => r.status === 'FAIL') ? 1 : 0;
  const json = { ok: exitCode === 0, exitCode, summary: summary(results), checks: results };
  const report = args.json ? `${JSON.stringify(json, null, 2)}\n` : formatText(results);
  // The checks never put a secret into a line on purpose; this is the second lock (4 characters or more).
  output.write(scrubSecrets(report, settings.secrets));
  return exitCode;
}
