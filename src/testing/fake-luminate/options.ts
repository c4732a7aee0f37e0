import { DEMO_CONSTITUENTS } from './demo-data';
import type {
  FakeConstituent,
  FakeLuminateOptions,
  FakeSignatureAlgorithm,
  FakeWebServicesOptions,
} from './types';

/** The column names the stand-in can authenticate on, and the record field each one reads. */
export const AUTHENTICATION_COLUMNS = {
  member_id: 'memberId',
  first_name: 'firstName',
  last_name: 'lastName',
  primary_email: 'email',
  user_name: 'userName',
} as const satisfies Record<string, keyof FakeConstituent>;

export type AuthenticationColumn = keyof typeof AUTHENTICATION_COLUMNS;

/** Options after defaults and validation. */
export interface SiteConfig {
  host: string;
  port: number;
  orgPath: string;
  apiKey: string;
  apiLogin: { name: string; password: string };
  apiSecretKey: string;
  signatureAlgorithm: FakeSignatureAlgorithm;
  signatureParam: 'signature' | 'sig';
  signatureIncludesParamName: boolean;
  constituents: FakeConstituent[];
  allowedIps?: string[];
  issueNonces: boolean;
  /** Columns `authenticateUser` checks ("Use for Authentication"); empty: error 33. */
  authenticationFields: AuthenticationColumn[];
  tokenTtlSeconds: number;
  tls?: { key: string | Buffer; cert: string | Buffer };
  now: () => number;
  webServices: Required<FakeWebServicesOptions>;
  /** Path of the SOAP endpoint: `/1.0<orgPath>`. */
  webServicesPath: string;
}

const WS_DEFAULTS: Required<FakeWebServicesOptions> = {
  userName: 'wsadmin',
  password: 'fake-ws-password',
  sessionIdleMs: 30 * 60 * 1000,
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const KNOWN_KEYS = new Set<string>([
  'host', 'port', 'orgPath', 'apiKey', 'apiLogin', 'apiSecretKey', 'signatureAlgorithm',
  'signatureParam', 'signatureIncludesParamName', 'constituents', 'allowedIps', 'issueNonces',
  'tokenTtlSeconds', 'tls', 'now', 'webServices', 'authenticationFields',
]);

function fail(option: string, problem: string): never {
  throw new TypeError(`createFakeLuminate: option \`${option}\` ${problem}`);
}

function nonEmptyString(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(option, 'must be a non-empty string.');
  return value;
}

/** `::ffff:127.0.0.1` (IPv4 on an IPv6 socket) compares equal to `127.0.0.1`. */
export function normalizeIp(ip: string | undefined): string {
  if (!ip) return '';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** Throws a TypeError for a constituent the site cannot hold. */
export function checkConstituent(c: FakeConstituent, existing: readonly FakeConstituent[]): FakeConstituent {
  if (c === null || typeof c !== 'object') fail('constituents', 'must hold objects.');
  if (typeof c.consId !== 'string' || c.consId === '') {
    fail('constituents', 'needs a non-empty string `consId` on every entry (ids stay strings).');
  }
  if (c.memberId !== undefined && typeof c.memberId !== 'string') {
    fail('constituents', `has a non-string memberId for cons_id ${c.consId}.`);
  }
  if (existing.some((e) => e.consId === c.consId)) {
    fail('constituents', `holds cons_id ${c.consId} twice; cons_id is unique on a site.`);
  }
  return { ...c };
}

/** Default: membership number and last name, the vendor's own example (seed 003). */
function resolveAuthenticationFields(value: unknown): AuthenticationColumn[] {
  if (value === undefined) return ['member_id', 'last_name'];
  const known = Object.keys(AUTHENTICATION_COLUMNS);
  if (!Array.isArray(value) || value.some((f) => typeof f !== 'string' || !known.includes(f)) || new Set(value).size !== value.length) {
    fail('authenticationFields', `must be an array of distinct column names among ${known.join(', ')} ([] for a site with none: error 33).`);
  }
  return [...(value as AuthenticationColumn[])];
}

function resolveWebServices(value: unknown): Required<FakeWebServicesOptions> {
  if (value === undefined) return { ...WS_DEFAULTS };
  if (value === null || typeof value !== 'object') fail('webServices', 'must be { userName, password, sessionIdleMs? }.');
  const ws = value as Partial<Record<string, unknown>>;
  for (const key of Object.keys(ws)) {
    if (!['userName', 'password', 'sessionIdleMs'].includes(key)) fail(`webServices.${key}`, 'is unknown.');
  }
  const sessionIdleMs = ws.sessionIdleMs ?? WS_DEFAULTS.sessionIdleMs;
  if (typeof sessionIdleMs !== 'number' || !(sessionIdleMs > 0) || !Number.isFinite(sessionIdleMs)) {
    fail('webServices.sessionIdleMs', 'must be a positive number of milliseconds.');
  }
  return {
    userName: nonEmptyString('webServices.userName', ws.userName),
    password: nonEmptyString('webServices.password', ws.password),
    sessionIdleMs,
  };
}

export function resolveOptions(options: FakeLuminateOptions = {}): SiteConfig {
  if (options === null || typeof options !== 'object') fail('(options)', 'must be an object.');
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) fail(key, 'is unknown. Check the spelling against FakeLuminateOptions.');
  }
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    fail('host', `must be a loopback address (127.0.0.1, ::1 or localhost), got ${JSON.stringify(host)}.`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('port', 'must be an integer 0-65535.');
  const orgPath = options.orgPath ?? '/fakeorg';
  if (typeof orgPath !== 'string' || (orgPath !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(orgPath))) {
    fail('orgPath', "must be '' or a path like `/myorg` (leading slash, no trailing slash).");
  }
  const apiKey = nonEmptyString('apiKey', options.apiKey ?? 'fake-api-key');
  if (/[&:\\"'?=]/.test(apiKey)) fail('apiKey', 'must not contain & : \\ " \' ? = (Luminate forbids them).');
  const apiLogin = options.apiLogin ?? { name: 'apiadmin', password: 'fake-admin-password' };
  nonEmptyString('apiLogin.name', apiLogin?.name);
  nonEmptyString('apiLogin.password', apiLogin?.password);
  const signatureAlgorithm = options.signatureAlgorithm ?? 'md5';
  if (signatureAlgorithm !== 'md5' && signatureAlgorithm !== 'sha1') fail('signatureAlgorithm', "must be 'md5' or 'sha1'.");
  const signatureParam = options.signatureParam ?? 'signature';
  if (signatureParam !== 'signature' && signatureParam !== 'sig') fail('signatureParam', "must be 'signature' or 'sig'.");
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 900;
  if (typeof tokenTtlSeconds !== 'number' || !(tokenTtlSeconds > 0) || !Number.isFinite(tokenTtlSeconds)) {
    fail('tokenTtlSeconds', 'must be a positive number of seconds.');
  }
  if (options.allowedIps !== undefined && (!Array.isArray(options.allowedIps) || options.allowedIps.some((ip) => typeof ip !== 'string'))) {
    fail('allowedIps', 'must be an array of IP address strings.');
  }
  if (options.tls !== undefined && (!options.tls?.key || !options.tls?.cert)) fail('tls', 'needs both `key` and `cert`.');
  if (options.now !== undefined && typeof options.now !== 'function') fail('now', 'must be a function returning milliseconds.');
  if (options.constituents !== undefined && !Array.isArray(options.constituents)) fail('constituents', 'must be an array.');
  const constituents: FakeConstituent[] = [];
  for (const c of options.constituents ?? DEMO_CONSTITUENTS) constituents.push(checkConstituent(c, constituents));
  return {
    host,
    port,
    orgPath,
    apiKey,
    apiLogin: { name: apiLogin.name, password: apiLogin.password },
    apiSecretKey: nonEmptyString('apiSecretKey', options.apiSecretKey ?? 'fake-api-secret'),
    signatureAlgorithm,
    signatureParam,
    signatureIncludesParamName: options.signatureIncludesParamName === true,
    constituents,
    ...(options.allowedIps ? { allowedIps: options.allowedIps.map(normalizeIp) } : {}),
    issueNonces: options.issueNonces !== false,
    authenticationFields: resolveAuthenticationFields(options.authenticationFields),
    tokenTtlSeconds,
    ...(options.tls ? { tls: options.tls } : {}),
    now: options.now ?? Date.now,
    webServices: resolveWebServices(options.webServices),
    webServicesPath: `/1.0${orgPath}`,
  };
}
