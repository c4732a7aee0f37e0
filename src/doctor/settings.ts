import type { z } from 'zod';
import { problemWith } from '../config/parse';
import { apiKey, apiLogin, apiSecretKey, secureUrl, setting, signatureAlgorithm, webServicesUrl } from '../config/site';
import { fail, pass, skip, warn, type CheckResult } from '../luminate/access-check';

export type Env = Record<string, string | undefined>;

/** What the network checks need, once the settings are sound. */
export interface SiteSettings {
  secureUrl: string;
  apiKey: string;
  loginName: string;
  loginPassword: string;
}

export interface WebServicesSettings {
  url: string;
  userName: string;
  password: string;
}

export interface SettingsReport {
  results: CheckResult[];
  /** Set when every setting the token call needs is sound. */
  site?: SiteSettings;
  /** Set when the three LUMINATE_WS_* variables are set and sound. */
  webServices?: WebServicesSettings;
  /** Every secret value found in the environment, for scrubbing the output. */
  secrets: string[];
}

const OPEN_API_SETTINGS = 'in Luminate: Setup > Site Options > Open API Configuration';

/**
 * A variable checked by the same rule as the option it stands for (src/config/site.ts): its value,
 * and the PASS or FAIL line. `what` is what to set it to.
 */
function check(env: Env, name: string, rule: z.ZodType, what: string): { value?: string; result: CheckResult } {
  const value = env[name];
  if (value === undefined || value === '') return { result: fail(name, name, 'not set', `set ${name} to ${what}`) };
  const problem = problemWith(rule, value);
  if (problem !== undefined) return { result: fail(name, name, problem.replace(/\.$/, ''), `set ${name} to ${what}`) };
  return { value, result: pass(name, name, value) };
}

function checkWebServices(env: Env, report: SettingsReport): void {
  const names = ['LUMINATE_WS_URL', 'LUMINATE_WS_USERNAME', 'LUMINATE_WS_PASSWORD'] as const;
  const present = names.filter((n) => env[n] !== undefined && env[n] !== '');
  if (present.length === 0) {
    report.results.push(skip('ws-settings', 'Web Services settings', 'LUMINATE_WS_URL, LUMINATE_WS_USERNAME and LUMINATE_WS_PASSWORD are not set (optional: single sign-on does not need them)'));
    return;
  }
  if (env.LUMINATE_WS_PASSWORD) report.secrets.push(env.LUMINATE_WS_PASSWORD);
  if (present.length < names.length) {
    const missing = names.filter((n) => !present.includes(n));
    report.results.push(fail('ws-settings', 'Web Services settings', `${missing.join(' and ')} not set`, 'set all three LUMINATE_WS_* variables, or none'));
    return;
  }
  const refuse = (problem: CheckResult): void => {
    report.results.push(fail('ws-settings', 'Web Services settings', `${problem.label} ${problem.detail}`, problem.fix ?? ''));
  };
  const url = check(env, 'LUMINATE_WS_URL', webServicesUrl, 'the SOAP endpoint of your Web Services');
  if (url.value === undefined) return refuse(url.result);
  const userName = check(env, 'LUMINATE_WS_USERNAME', setting(''), 'the user name of an API Administrator account');
  if (userName.value === undefined) return refuse(userName.result);
  const password = check(env, 'LUMINATE_WS_PASSWORD', setting(''), "that account's password");
  if (password.value === undefined) return refuse(password.result);
  report.results.push(pass('ws-settings', 'Web Services settings', `${url.value} as ${userName.value}, password set`));
  report.webServices = { url: url.value, userName: userName.value, password: password.value };
}

/** Checks every LUMINATE_* variable the bridge reads, without any network traffic. */
export function checkSettings(env: Env): SettingsReport {
  const report: SettingsReport = { results: [], secrets: [] };
  for (const name of ['LUMINATE_API_LOGIN_PASSWORD', 'LUMINATE_API_SECRET_KEY', 'LUMINATE_API_KEY']) {
    const value = env[name];
    if (value !== undefined && value !== '') report.secrets.push(value);
  }
  const out = report.results;

  const base = check(env, 'LUMINATE_SECURE_URL', secureUrl, "your site's secure base, e.g. https://secure2.convio.net/myorg");
  out.push(base.result);
  const key = check(env, 'LUMINATE_API_KEY', apiKey, `the site's CONVIO_API_KEY (${OPEN_API_SETTINGS})`);
  out.push(key.value === undefined ? key.result : pass('LUMINATE_API_KEY', 'LUMINATE_API_KEY', `set (${key.value.length} characters), no forbidden characters`));
  const name = check(env, 'LUMINATE_API_LOGIN_NAME', apiLogin.shape.name, 'the user name of an API Administrator account');
  out.push(name.result);
  const password = check(env, 'LUMINATE_API_LOGIN_PASSWORD', apiLogin.shape.password, "that account's password");
  out.push(password.value === undefined ? password.result : pass('LUMINATE_API_LOGIN_PASSWORD', 'LUMINATE_API_LOGIN_PASSWORD', 'set'));
  const secret = check(env, 'LUMINATE_API_SECRET_KEY', apiSecretKey, `the site's CONVIO_API_SECRET_KEY (${OPEN_API_SETTINGS})`);
  out.push(secret.value === undefined
    ? secret.result
    : pass('LUMINATE_API_SECRET_KEY', 'LUMINATE_API_SECRET_KEY', 'set (never sent anywhere, so not checkable from here; a wrong one makes every signed callback fail)'));
  const algorithm = check(env, 'LUMINATE_SIGNATURE_ALGORITHM', signatureAlgorithm, 'md5 or sha1, as your site signs redirects, or leave it unset for md5');
  out.push(env.LUMINATE_SIGNATURE_ALGORITHM ? algorithm.result : pass('LUMINATE_SIGNATURE_ALGORITHM', 'LUMINATE_SIGNATURE_ALGORITHM', 'not set: md5 (the default)'));

  checkWebServices(env, report);

  if (base.value !== undefined && key.value !== undefined && name.value !== undefined && password.value !== undefined) {
    report.site = { secureUrl: base.value, apiKey: key.value, loginName: name.value, loginPassword: password.value };
  }
  if (report.webServices !== undefined && name.value !== undefined && report.webServices.userName.toLowerCase() === name.value.toLowerCase()) {
    // Seen in the field: separate API users for SOAP and for the REST-style APIs are recommended.
    out.push(warn('ws-same-user', 'Separate API users', `LUMINATE_WS_USERNAME and LUMINATE_API_LOGIN_NAME are the same account (${name.value})`,
      'create a second API administrator for the Web Services: a password change, lockout or permission change for one then ' +
      'does not stop single sign-on too, and Luminate\'s logs tell the two uses apart'));
  }
  return report;
}
