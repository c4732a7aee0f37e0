import { CONTROL } from '../client/option-checks';
import { FORBIDDEN_API_KEY } from '../client/validate';
import { isLoopbackHost } from '../util/loopback';
import { fail, pass, skip, warn, type CheckResult } from './report';

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

/** A variable's value, or the FAIL line that says why it cannot be used. */
function read(env: Env, name: string, what: string): { value: string } | { result: CheckResult } {
  const value = env[name];
  if (value === undefined || value === '') {
    return { result: fail(name, name, 'not set', `set ${name} to ${what}`) };
  }
  if (value.trim() !== value) {
    return { result: fail(name, name, 'has leading or trailing whitespace', `remove the spaces or line break around the value of ${name}`) };
  }
  if (CONTROL.test(value)) return { result: fail(name, name, 'contains control characters', `set ${name} to ${what}, on one line`) };
  return { value };
}

/** A URL problem in plain words, or undefined when the URL is usable. */
function urlProblem(raw: string, secureBase: boolean): { detail: string; fix: string } | undefined {
  const example = secureBase ? 'https://secure2.convio.net/myorg' : 'https://webservices.cluster2.convio.net/1.0/myorg';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { detail: 'is not a URL', fix: `use the full address, e.g. ${example}` };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return { detail: `uses ${url.protocol}//; only https:// is allowed (plain http only for this machine)`, fix: `use https://, e.g. ${example}` };
  }
  if (url.username !== '' || url.password !== '') return { detail: 'carries a user name or password', fix: `remove them: ${example}` };
  if (url.search !== '' || url.hash !== '') return { detail: 'carries a query string or #fragment', fix: `remove it: ${example}` };
  if (secureBase && /\/site(\/|$)/i.test(url.pathname)) {
    return { detail: 'points into /site/…', fix: `give the secure base without /site/…, e.g. ${example}` };
  }
  return undefined;
}

function urlSetting(env: Env, name: string, secureBase: boolean, what: string): { value?: string; result: CheckResult } {
  const got = read(env, name, what);
  if ('result' in got) return { result: got.result };
  const problem = urlProblem(got.value, secureBase);
  if (problem !== undefined) return { result: fail(name, name, problem.detail, problem.fix) };
  return { value: got.value, result: pass(name, name, got.value) };
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
  const url = urlSetting(env, 'LUMINATE_WS_URL', false, 'the SOAP endpoint of your Web Services');
  if (url.value === undefined) return refuse(url.result);
  const userName = read(env, 'LUMINATE_WS_USERNAME', 'the user name of an API Administrator account');
  if ('result' in userName) return refuse(userName.result);
  const password = read(env, 'LUMINATE_WS_PASSWORD', "that account's password");
  if ('result' in password) return refuse(password.result);
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

  const secureUrl = urlSetting(env, 'LUMINATE_SECURE_URL', true, "your site's secure base, e.g. https://secure2.convio.net/myorg");
  out.push(secureUrl.result);

  let apiKey: string | undefined;
  const key = read(env, 'LUMINATE_API_KEY', `the site's CONVIO_API_KEY (${OPEN_API_SETTINGS})`);
  if ('result' in key) out.push(key.result);
  else if (FORBIDDEN_API_KEY.test(key.value)) {
    out.push(fail('LUMINATE_API_KEY', 'LUMINATE_API_KEY', 'contains a character Luminate does not accept in API keys (& : \\ " \' ? =)',
      `choose a new CONVIO_API_KEY without them (${OPEN_API_SETTINGS}) and set LUMINATE_API_KEY to it`));
  } else {
    apiKey = key.value;
    out.push(pass('LUMINATE_API_KEY', 'LUMINATE_API_KEY', `set (${key.value.length} characters), no forbidden characters`));
  }

  const name = read(env, 'LUMINATE_API_LOGIN_NAME', 'the user name of an API Administrator account');
  out.push('result' in name ? name.result : pass('LUMINATE_API_LOGIN_NAME', 'LUMINATE_API_LOGIN_NAME', name.value));
  const password = read(env, 'LUMINATE_API_LOGIN_PASSWORD', "that account's password");
  out.push('result' in password ? password.result : pass('LUMINATE_API_LOGIN_PASSWORD', 'LUMINATE_API_LOGIN_PASSWORD', 'set'));
  const secret = read(env, 'LUMINATE_API_SECRET_KEY', `the site's CONVIO_API_SECRET_KEY (${OPEN_API_SETTINGS})`);
  out.push('result' in secret
    ? secret.result
    : pass('LUMINATE_API_SECRET_KEY', 'LUMINATE_API_SECRET_KEY', 'set (never sent anywhere, so not checkable from here; a wrong one makes every signed callback fail)'));

  const algorithm = env.LUMINATE_SIGNATURE_ALGORITHM;
  if (algorithm === undefined || algorithm === '') {
    out.push(pass('LUMINATE_SIGNATURE_ALGORITHM', 'LUMINATE_SIGNATURE_ALGORITHM', 'not set: md5 (the default)'));
  } else if (algorithm === 'md5' || algorithm === 'sha1') {
    out.push(pass('LUMINATE_SIGNATURE_ALGORITHM', 'LUMINATE_SIGNATURE_ALGORITHM', algorithm));
  } else {
    out.push(fail('LUMINATE_SIGNATURE_ALGORITHM', 'LUMINATE_SIGNATURE_ALGORITHM', 'is neither md5 nor sha1',
      'set it to md5 or sha1, as your site signs redirects, or leave it unset for md5'));
  }

  checkWebServices(env, report);

  if (secureUrl.value !== undefined && apiKey !== undefined && 'value' in name && 'value' in password) {
    report.site = { secureUrl: secureUrl.value, apiKey, loginName: name.value, loginPassword: password.value };
  }
  if (report.webServices !== undefined && 'value' in name && report.webServices.userName.toLowerCase() === name.value.toLowerCase()) {
    // Seen in the field: separate API users for SOAP and for the REST-style APIs are recommended.
    out.push(warn('ws-same-user', 'Separate API users', `LUMINATE_WS_USERNAME and LUMINATE_API_LOGIN_NAME are the same account (${name.value})`,
      'create a second API administrator for the Web Services: a password change, lockout or permission change for one then ' +
      'does not stop single sign-on too, and Luminate\'s logs tell the two uses apart'));
  }
  return report;
}
