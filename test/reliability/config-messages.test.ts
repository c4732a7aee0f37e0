import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { luminateSso, type LuminateSsoOptions } from '../../src';
import { reportCounts } from './counts';

/**
 * Every option of the README's options table, given every wrong type and (when required) no value:
 * luminateSso() must throw a TypeError whose message names that option, and no two options may
 * share a message. Cases are built from the table, so an option added to the README without cases
 * here fails this test. Hand-picked messages are asserted word for word in test/sso/options.test.ts.
 */

const SITE = 'https://secure2.convio.net/myorg';
const PASSWORD = 'pw-secret-for-config-tests';
const SECRET_KEY = 'secret-key-for-config-tests';

function validOptions(): Record<string, any> {
  return {
    luminate: { secureUrl: SITE, apiKey: 'key123', apiLogin: { name: 'apiadmin', password: PASSWORD }, apiSecretKey: SECRET_KEY },
    constituent: () => null,
    destinations: { default: `${SITE}/site/Donation2?df_id=1234` },
  };
}

/** One value of each JavaScript type, to try where the option wants another. */
const SAMPLES = {
  number: 42,
  string: 'text',
  boolean: true,
  object: { unexpected: 1 },
  array: [],
  function: () => undefined,
  null: null,
} as const;
type Kind = keyof typeof SAMPLES;

interface OptionSpec {
  /** Kinds the option takes (or treats as "not set", like null for a defaulted option). */
  accepts: Kind[];
  required?: boolean;
  /** Values of an accepted kind that are still wrong. */
  alsoWrong?: unknown[];
}

const NUMBER: OptionSpec = { accepts: ['number'], alsoWrong: [0, -1, Number.NaN, Number.POSITIVE_INFINITY] };
const REQUIRED_STRING: OptionSpec = { accepts: ['string'], required: true, alsoWrong: [''] };
const FUNCTION: OptionSpec = { accepts: ['function'] };
const ENUM: OptionSpec = { accepts: ['string'], alsoWrong: ['text'] };

/** Every option path in the README table, with what it takes. */
const SPEC: Record<string, OptionSpec> = {
  'luminate.secureUrl': { ...REQUIRED_STRING, alsoWrong: ['', 'secure2.convio.net/myorg'] },
  'luminate.apiKey': REQUIRED_STRING,
  'luminate.apiLogin.name': REQUIRED_STRING,
  'luminate.apiLogin.password': REQUIRED_STRING,
  'luminate.apiSecretKey': REQUIRED_STRING,
  'luminate.signatureAlgorithm': { ...ENUM, accepts: ['string', 'null'] }, // null: use the environment / md5
  'luminate.responseFormat': ENUM,
  'luminate.timeoutMs': NUMBER,
  'luminate.connectTimeoutMs': NUMBER,
  'luminate.headersTimeoutMs': NUMBER,
  'luminate.bodyTimeoutMs': NUMBER,
  'luminate.maxResponseBytes': { ...NUMBER, alsoWrong: [0, -1, 1.5, Number.NaN] },
  'luminate.connections': { ...NUMBER, alsoWrong: [0, -1, 1.5, Number.NaN] },
  'luminate.tls': { accepts: ['object'], alsoWrong: [{ ca: 42 }] },
  'luminate.dispatcher': { accepts: [], alsoWrong: [] },
  constituent: FUNCTION, // required when the README says so
  provision: FUNCTION,
  attribution: { accepts: ['object', 'function'], alsoWrong: [{ source: 'a\nb' }] },
  loginUrl: { accepts: ['string'], alsoWrong: ['', '//evil.example/login'] },
  loginReturnParam: { accepts: ['string', 'null'], alsoWrong: ['return to'] }, // null: the default
  'destinations.allow': { accepts: ['array', 'null'], alsoWrong: [[], [42]] }, // null: the default
  'destinations.default': { ...REQUIRED_STRING, alsoWrong: ['', 'https://evil.example/'] },
  handoff: ENUM,
  rememberMe: { accepts: ['boolean'] },
  'paths.start': { accepts: ['string'], alsoWrong: ['sso'] },
  'paths.callback': { accepts: ['string'], alsoWrong: ['callback'] },
  baseUrl: { accepts: ['string'], alsoWrong: ['www.example.org'] },
  onFailure: ENUM,
  onError: FUNCTION,
  onHandoff: FUNCTION,
  callbackMaxAgeSeconds: NUMBER,
  store: { accepts: [], alsoWrong: [] },
  'throttle.perVisitor': { accepts: ['object'], alsoWrong: [{ limit: 0, windowMs: 60_000 }] },
  'throttle.perIp': { accepts: ['object'], alsoWrong: [{ limit: 10, windowMs: 10 }] },
  client: { accepts: [], alsoWrong: [] },
  renderPage: FUNCTION,
  logger: { accepts: [], alsoWrong: [{ warn: 'not a function' }] }, // an object with warn(), or false
  verify: ENUM, // 'warn' | 'fail' | false
  prepare: { accepts: ['boolean'], alsoWrong: [{ ttlMs: 10 }, { ttlMs: 1000.5 }, { ttlMs: 'soon' }] }, // or { ttlMs }
};

/**
 * The README's options table: each option path (`a.b` / `.c` / `d` expand against `a.`) and
 * whether its default column says **required**.
 */
function readmeOptions(): Map<string, { required: boolean }> {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const start = readme.indexOf('## Options');
  const table = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const options = new Map<string, { required: boolean }>();
  for (const line of table.split('\n')) {
    const cells = /^\| ([^|]+) \| ([^|]+) \|/.exec(line);
    if (!cells || !cells[1]!.startsWith('`')) continue;
    const names = [...cells[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    const first = names[0] as string;
    const parent = first.includes('.') ? first.slice(0, first.lastIndexOf('.') + 1) : '';
    const required = cells[2]!.includes('**required**');
    for (const name of names) {
      const path = name.startsWith('.') ? parent + name.slice(1) : name.includes('.') ? name : parent + name;
      options.set(path, { required });
    }
  }
  return options;
}
const DOCUMENTED = readmeOptions();

function setPath(target: Record<string, any>, path: string, value: unknown): Record<string, any> {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  const last = keys[keys.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return target;
}

interface Case {
  option: string;
  label: string;
  value: unknown;
}

/** Required in SPEC (values the environment may also give) or marked **required** in the README. */
const isRequired = (option: string): boolean => SPEC[option]?.required === true || DOCUMENTED.get(option)?.required === true;

const CASES: Case[] = Object.entries(SPEC).flatMap(([option, spec]) => {
  const wrongKinds = (Object.keys(SAMPLES) as Kind[]).filter((k) => !spec.accepts.includes(k));
  const cases: Case[] = wrongKinds.map((k) => ({ option, label: `${/^[aeiou]/.test(k) ? 'an' : 'a'} ${k}`, value: SAMPLES[k] }));
  for (const value of spec.alsoWrong ?? []) cases.push({ option, label: JSON.stringify(value) ?? String(value), value });
  if (isRequired(option)) cases.push({ option, label: 'no value', value: undefined });
  return cases;
});

/** The message of the TypeError luminateSso() throws for this case; undefined when it accepts the value. */
function messageFor(c: Case): string | undefined {
  let router: ReturnType<typeof luminateSso> | undefined;
  try {
    router = luminateSso(setPath(validOptions(), c.option, c.value) as LuminateSsoOptions);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return err.message;
  }
  void router.close();
  return undefined;
}

/**
 * The message names the option as the caller wrote it. The network options under `luminate` are
 * checked by the LuminateClient the bridge builds, which calls them `options.<name>`.
 */
function namesOption(message: string, option: string): boolean {
  if (message.includes(option)) return true;
  const leaf = option.replace(/^luminate\./, '');
  return option.startsWith('luminate.') && message.startsWith('LuminateClient: ') && message.includes(`options.${leaf}`);
}

// The cases must not pick up a value from the environment (`LUMINATE_*` fall-backs).
const savedEnv: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const key of Object.keys(process.env).filter((k) => k.startsWith('LUMINATE_'))) {
    savedEnv[key] = process.env[key];
    delete process.env[key];
  }
});
afterAll(() => {
  Object.assign(process.env, savedEnv);
  reportCounts('config-messages', { options: Object.keys(SPEC).length, cases: CASES.length });
});

describe('luminateSso(): every wrong type and missing value of every option', () => {
  it('covers every option of the README table, and only those', () => {
    const documented = [...DOCUMENTED.keys()];
    const missing = documented.filter((p) => !Object.hasOwn(SPEC, p));
    // An option added to the README needs its cases in SPEC above.
    expect(missing).toEqual([]);
    expect(Object.keys(SPEC).filter((p) => !documented.includes(p))).toEqual([]);
  });

  it.each(CASES.map((c) => [c.option, c.label, c] as const))('%s = %s → a TypeError naming the option', (_o, _l, c) => {
    const message = messageFor(c);
    expect(message).toEqual(expect.any(String)); // undefined: luminateSso() accepted it
    if (message === undefined) return;
    expect(namesOption(message, c.option)).toBe(true);
    expect(message).not.toContain(PASSWORD);
    expect(message).not.toContain(SECRET_KEY);
  });

  it('no two options share a message', () => {
    const owners = new Map<string, Set<string>>();
    for (const c of CASES) {
      const message = messageFor(c);
      if (message === undefined) continue; // reported by its own case above
      owners.set(message, (owners.get(message) ?? new Set()).add(c.option));
    }
    const shared = [...owners].filter(([, options]) => options.size > 1).map(([m, options]) => `${[...options].join(' + ')}: ${m}`);
    expect(shared).toEqual([]);
  });

  it('a missing required value and a wrong type get different messages', () => {
    for (const option of Object.keys(SPEC)) {
      if (!isRequired(option)) continue;
      const missing = messageFor({ option, label: 'no value', value: undefined });
      if (missing === undefined) continue; // reported by its own case above
      expect(missing).toMatch(/missing|required/);
      if (option !== 'constituent') expect(messageFor({ option, label: 'a number', value: 42 })).not.toBe(missing);
    }
  });
});
