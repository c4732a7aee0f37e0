import { CONTROL, isObject, NETWORK_KEYS, OptionChecks, type NetworkSettings } from '../client/option-checks';
import type { LuminateWebServicesOptions } from './types';

export type Env = Record<string, string | undefined>;

/** Options after validation, with defaults filled in. */
export interface ResolvedWebServicesOptions extends NetworkSettings {
  url: string;
  userName: string;
  password: string;
  sessionIdleMs: number;
}

/** 25 minutes: under Luminate's 30 minutes of inactivity, with a margin. */
export const DEFAULT_SESSION_IDLE_MS = 25 * 60 * 1000;

const KNOWN: { [K in keyof Required<LuminateWebServicesOptions>]: true } = {
  url: true, userName: true, password: true, sessionIdleMs: true, ...NETWORK_KEYS,
};

const checks: OptionChecks = new OptionChecks('LuminateWebServices');

/** An option with an environment fallback; `label` names both in messages. */
function setting(value: unknown, env: Env, name: string, envName: string, hint: string): string {
  const label = `options.${name} (or env ${envName})`;
  const chosen = value ?? env[envName];
  if (chosen === undefined || chosen === '') checks.fail(`${label} is missing: ${hint}.`);
  if (typeof chosen !== 'string') checks.fail(`${label} must be a string.`);
  if (chosen.trim() !== chosen) checks.fail(`${label} has leading or trailing whitespace; remove it.`);
  return chosen;
}

/** Validates the options (and the LUMINATE_WS_* variables they fall back to) once, at construction. */
export function resolveWebServicesOptions(options: unknown, env: Env): ResolvedWebServicesOptions {
  if (options === undefined) options = {};
  if (!isObject(options)) checks.fail('options must be an object such as { url, userName, password }, or left out to use the LUMINATE_WS_* variables.');
  checks.rejectUnknown(options, KNOWN, '');
  const example = 'the SOAP endpoint of your Web Services, e.g. https://webservices.cluster2.convio.net/1.0/myorg';
  const raw = setting(options.url, env, 'url', 'LUMINATE_WS_URL', example);
  const url = checks.httpsUrl(raw, 'options.url (or env LUMINATE_WS_URL)', example).href;
  const userName = setting(options.userName, env, 'userName', 'LUMINATE_WS_USERNAME', 'the user name of an API Administrator account');
  if (CONTROL.test(userName)) checks.fail('options.userName (or env LUMINATE_WS_USERNAME) must not contain control characters.');
  const password = setting(options.password, env, 'password', 'LUMINATE_WS_PASSWORD', "that account's password");
  if (CONTROL.test(password)) checks.fail('options.password (or env LUMINATE_WS_PASSWORD) must not contain control characters.');
  return {
    url,
    userName,
    password,
    sessionIdleMs: checks.positive(options.sessionIdleMs, 'options.sessionIdleMs', DEFAULT_SESSION_IDLE_MS, false),
    ...checks.network(options),
  };
}
