/** The access check doctor and `verify` share: one server call that tells the API key, IP white list and API login apart. */
import { isLuminateError, type LuminateError } from '../errors';
import { accessFix, ENV_SETTING_NAMES, explainUnreachable, type AccessSettingNames } from './explain';
import type { LuminateClient } from './luminate-client';
import { TOKEN_ROOT } from './sso-token';

/** One line of the doctor's report (and of `verify`'s). */
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

/** Luminate's own words (`Luminate error 4: Request not allowed from this IP address. (HTTP 403)`). */
export function said(err: LuminateError): string {
  return err.message;
}

const STEPS = [
  { id: 'api-key', label: 'API key (error 2)', code: 2, stops: 'the API key' },
  { id: 'ip-allowed', label: 'Server IP on the API white list (error 4)', code: 4, stops: 'the IP white list' },
  { id: 'api-login', label: 'API administrator login (error 3)', code: 3, stops: 'the API login' },
] as const;

/**
 * Key, IP and login. Luminate checks the API key (2), then the caller's IP (4), then the API
 * administrator login (3), then the method's parameters [luminate-api.md; the stand-in does the same].
 * So a getSingleSignOnToken call without an id tells them apart: error 1 ("no id given") means all
 * three were accepted.
 */
export async function checkAccess(
  client: Pick<LuminateClient, 'callServerApi' | 'secureUrl'>,
  timeoutMs: number,
  names: AccessSettingNames = ENV_SETTING_NAMES,
  setting = 'LUMINATE_SECURE_URL',
): Promise<{ results: CheckResult[]; ok: boolean; error?: unknown }> {
  const started = Date.now();
  let err: unknown;
  try {
    await client.callServerApi('getSingleSignOnToken', {}, TOKEN_ROOT);
  } catch (e) {
    err = e;
  }
  const ms = Date.now() - started;
  const endpoint = `${client.secureUrl}/site/SRConsAPI`;
  const code = isLuminateError(err) ? err.luminateCode : undefined;
  if (err !== undefined && code === undefined) {
    const why = explainUnreachable(err, setting, timeoutMs);
    const notReached = STEPS.map((step) => skip(step.id, step.label, 'not checked: Luminate was not reached'));
    return { ok: false, error: err, results: [fail('reach', `Reach ${endpoint}`, why.detail, why.fix), ...notReached] };
  }
  const results = [pass('reach', `Reach ${endpoint}`, `Luminate answered in ${ms} ms`)];
  for (const [i, step] of STEPS.entries()) {
    if (code === step.code) {
      const e = err as LuminateError;
      results.push(fail(step.id, step.label, said(e), accessFix(code, e.message, names) as string));
      for (const later of STEPS.slice(i + 1)) results.push(skip(later.id, later.label, `not checked: Luminate stops at ${step.stops}`));
      return { ok: false, results, error: err };
    }
    const how = err === undefined || step.code !== 3
      ? 'accepted'
      : `accepted (Luminate answered error ${code} to a call without an id, which it checks only after key, IP and login)`;
    results.push(pass(step.id, step.label, how));
  }
  return { ok: true, results };
}
