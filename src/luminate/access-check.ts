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

/**
 * Key, IP and login. Luminate checks the API key (2), then the caller's IP (4), then the API
 * administrator login (3), then the method's parameters [as the stand-in does; the order is
 * what luminate-api.md describes]. So a getSingleSignOnToken call without an id tells them
 * apart: error 1 ("no id given") means all three were accepted.
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
  if (err !== undefined && !(isLuminateError(err) && err.luminateCode !== undefined)) {
    const why = explainUnreachable(err, setting, timeoutMs);
    const notReached = 'not checked: Luminate was not reached';
    return {
      ok: false,
      error: err,
      results: [
        fail('reach', `Reach ${endpoint}`, why.detail, why.fix),
        skip('api-key', 'API key (error 2)', notReached),
        skip('ip-allowed', 'Server IP on the API white list (error 4)', notReached),
        skip('api-login', 'API administrator login (error 3)', notReached),
      ],
    };
  }
  const results = [pass('reach', `Reach ${endpoint}`, `Luminate answered in ${ms} ms`)];
  const code = isLuminateError(err) ? err.luminateCode : undefined;
  const e = err as LuminateError;
  const fix = (): string => accessFix(code, e.message, names) as string;
  if (code === 2) {
    results.push(
      fail('api-key', 'API key (error 2)', said(e), fix()),
      skip('ip-allowed', 'Server IP on the API white list (error 4)', 'not checked: Luminate stops at the API key'),
      skip('api-login', 'API administrator login (error 3)', 'not checked: Luminate stops at the API key'),
    );
    return { ok: false, results, error: err };
  }
  results.push(pass('api-key', 'API key (error 2)', 'accepted'));
  if (code === 4) {
    results.push(
      fail('ip-allowed', 'Server IP on the API white list (error 4)', said(e), fix()),
      skip('api-login', 'API administrator login (error 3)', 'not checked: Luminate stops at the IP white list'),
    );
    return { ok: false, results, error: err };
  }
  results.push(pass('ip-allowed', 'Server IP on the API white list (error 4)', 'accepted'));
  if (code === 3) {
    results.push(fail('api-login', 'API administrator login (error 3)', said(e), fix()));
    return { ok: false, results, error: err };
  }
  const how = err === undefined ? 'accepted' : `accepted (Luminate answered error ${code} to a call without an id, which it checks only after key, IP and login)`;
  results.push(pass('api-login', 'API administrator login (error 3)', how));
  return { ok: true, results };
}
