import type { z } from 'zod';
import { problemWith, type Env } from '../config/parse';
import { apiKey, apiLogin, apiSecretKey, secureUrl, setting, signatureAlgorithm, webServicesUrl } from '../config/site';
import { fail, pass, skip, warn, type CheckResult } from '../luminate/access-check';

export interface SettingsReport {
  results: CheckResult[];
  /** Set when every setting the token call needs is sound. */
  site?: { secureUrl: string; apiKey: string; apiLogin: { name: string; password: string } };
  /** Set when the three LUMINATE_WS_* variables are set and sound. */
  webServices?: { url: string; userName: string; password: string };
  /** Every secret value found in the environment, for scrubbing the output. */
  secrets: string[];
}

const OPEN_API_SETTINGS = 'in Luminate: Setup > Site Options > Open API Configuration';
const SECRET_NAMES = ['LUMINATE_API_LOGIN_PASSWORD', 'LUMINATE_API_SECRET_KEY', 'LUMINATE_API_KEY', 'LUMINATE_WS_PASSWORD'];
/** What a PASS line shows instead of the value. */
type Shown = (value: string) => string;
const WS_NAMES = ['LUMINATE_WS_URL', 'LUMINATE_WS_USERNAME', 'LUMINATE_WS_PASSWORD'];

/**
 * A variable checked by the same rule as the option it stands for (src/config/site.ts): its value,
 * and the PASS or FAIL line. `what` is what to set it to.
 */
function check(env: Env, name: string, rule: z.ZodType, what: string, shown?: Shown): { value?: string; result: CheckResult } {
  const value = env[name];
  if (value === undefined || value === '') return { result: fail(name, name, 'not set', `set ${name} to ${what}`) };
  const problem = problemWith(rule, value);
  if (problem !== undefined) return { result: fail(name, name, problem.replace(/\.$/, ''), `set ${name} to ${what}`) };
  return { value, result: pass(name, name, shown?.(value) ?? value) };
}

function checkWebServices(env: Env, report: SettingsReport): void {
  const label = 'Web Services settings';
  const missing = WS_NAMES.filter((n) => !env[n]);
  if (missing.length === WS_NAMES.length) {
    report.results.push(skip('ws-settings', label,
      'LUMINATE_WS_URL, LUMINATE_WS_USERNAME and LUMINATE_WS_PASSWORD are not set (optional: single sign-on does not need them)'));
    return;
  }
  if (missing.length > 0) {
    report.results.push(fail('ws-settings', label, `${missing.join(' and ')} not set`, 'set all three LUMINATE_WS_* variables, or none'));
    return;
  }
  const checks = [
    check(env, 'LUMINATE_WS_URL', webServicesUrl, 'the SOAP endpoint of your Web Services'),
    check(env, 'LUMINATE_WS_USERNAME', setting(''), 'the user name of an API Administrator account'),
    check(env, 'LUMINATE_WS_PASSWORD', setting(''), "that account's password"),
  ];
  const bad = checks.find((c) => c.value === undefined)?.result;
  if (bad !== undefined) {
    report.results.push(fail('ws-settings', label, `${bad.label} ${bad.detail}`, bad.fix ?? ''));
    return;
  }
  const [url, userName, password] = checks.map((c) => c.value as string) as [string, string, string];
  report.results.push(pass('ws-settings', label, `${url} as ${userName}, password set`));
  report.webServices = { url, userName, password };
}

/** Checks every LUMINATE_* variable the bridge reads, without any network traffic. */
export function checkSettings(env: Env): SettingsReport {
  const report: SettingsReport = { results: [], secrets: SECRET_NAMES.flatMap((name) => (env[name] ? [env[name]] : [])) };
  const sound = (name: string, rule: z.ZodType, what: string, shown?: Shown): string | undefined => {
    const { value, result } = check(env, name, rule, what, shown);
    report.results.push(result);
    return value;
  };
  const base = sound('LUMINATE_SECURE_URL', secureUrl, "your site's secure base, e.g. https://secure2.convio.net/myorg");
  const key = sound('LUMINATE_API_KEY', apiKey, `the site's CONVIO_API_KEY (${OPEN_API_SETTINGS})`,
    (value) => `set (${value.length} characters), no forbidden characters`);
  const name = sound('LUMINATE_API_LOGIN_NAME', apiLogin.shape.name, 'the user name of an API Administrator account');
  const password = sound('LUMINATE_API_LOGIN_PASSWORD', apiLogin.shape.password, "that account's password", () => 'set');
  sound('LUMINATE_API_SECRET_KEY', apiSecretKey, `the site's CONVIO_API_SECRET_KEY (${OPEN_API_SETTINGS})`,
    () => 'set (never sent anywhere, so not checkable from here; a wrong one makes every signed callback fail)');
  if (env.LUMINATE_SIGNATURE_ALGORITHM) {
    sound('LUMINATE_SIGNATURE_ALGORITHM', signatureAlgorithm, 'md5 or sha1, as your site signs redirects, or leave it unset for md5');
  } else {
    report.results.push(pass('LUMINATE_SIGNATURE_ALGORITHM', 'LUMINATE_SIGNATURE_ALGORITHM', 'not set: md5 (the default)'));
  }

  checkWebServices(env, report);

  if (base !== undefined && key !== undefined && name !== undefined && password !== undefined) {
    report.site = { secureUrl: base, apiKey: key, apiLogin: { name, password } };
  }
  if (report.webServices !== undefined && name !== undefined && report.webServices.userName.toLowerCase() === name.toLowerCase()) {
    // Seen in the field: separate API users for SOAP and for the REST-style APIs are recommended.
    const same = `LUMINATE_WS_USERNAME and LUMINATE_API_LOGIN_NAME are the same account (${name})`;
    report.results.push(warn('ws-same-user', 'Separate API users', same,
      'create a second API administrator for the Web Services: a password change, lockout or permission change for one then ' +
      'does not stop single sign-on too, and Luminate\'s logs tell the two uses apart'));
  }
  return report;
}
