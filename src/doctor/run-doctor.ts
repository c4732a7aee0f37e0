import { parseDoctorArgs, USAGE, UsageError } from './args';
import { skip, type CheckResult } from '../luminate/access-check';
import { formatJson, formatText, scrub } from './report';
import { checkSettings, type Env } from './settings';
import { checkSite } from './site-checks';
import { checkWebServicesLogin } from './ws-check';

/** Where the doctor writes (process.stdout, or a collector in tests). */
export interface DoctorOutput {
  write(text: string): unknown;
}

export interface RunDoctorOptions {
  /** The variables to check. Default `process.env`. */
  env?: Env;
  /** What follows `doctor` on the command line, e.g. `['--cons-id', '1001641', '--json']`. */
  args?: readonly string[];
  /** The report. Default `process.stdout`. */
  output?: DoctorOutput;
  /** Usage errors. Default: `output`. */
  errorOutput?: DoctorOutput;
}

/**
 * `luminate-sso-bridge doctor`: checks the LUMINATE_* settings, then the site, one line per
 * check. Resolves with the exit code: 0 when no check failed, 1 when one did, 2 for a usage
 * error. Secrets (passwords, the API secret key, tokens, SessionIds) are never written.
 */
export async function runDoctor(options: RunDoctorOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const output = options.output ?? process.stdout;
  const errorOutput = options.errorOutput ?? output;
  let args;
  try {
    args = parseDoctorArgs(options.args ?? []);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    errorOutput.write(`luminate-sso-bridge doctor: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    output.write(`${USAGE}\n`);
    return 0;
  }

  const settings = checkSettings(env);
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
  const report = args.json ? formatJson(results, exitCode) : formatText(results);
  output.write(scrub(report, settings.secrets));
  return exitCode;
}
