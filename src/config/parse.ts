/**
 * The option layer: each entry point validates its options once, at start-up, with a zod schema
 * built from this folder. Schemas carry fragments (`must be …`); `parseOptions` throws the first
 * as a TypeError with the owner and label in front: `luminateSso(): luminate.secureUrl (or env
 * LUMINATE_SECURE_URL) must use https:// …`. An issue on a whole object (path `[]`) is a sentence.
 */
import { z } from 'zod';

/** C0 controls and DEL: never part of a setting (a pasted line break, a stray tab) or a call argument. */
export const ASCII_CONTROL = /[\u0000-\u001f\u007f]/;
/** Controls (C0, DEL, C1), zero-width and bidi-override characters: nothing a CRM field or a log line should carry. */
export const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

export type Env = Record<string, string | undefined>;

/** `true` when A and B have the same keys: checks a documented option interface against its schema at compile time. */
export type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;

/** Who is validating (`luminateSso():`), the prefix of every option path (`options.`), option path → env variable. */
interface Owner {
  name: string;
  prefix: string;
  env?: Readonly<Record<string, string>>;
}

type Issue = z.core.$ZodIssue;

function label(path: ReadonlyArray<PropertyKey>, owner: Owner): string {
  const dotted = path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
  const envName = owner.env?.[dotted];
  return `${owner.prefix}${dotted}${envName ? ` (or env ${envName})` : ''}`;
}

/** A failed union (`rule | false`): the issue of the branch the value was meant for, if one got past its type check. */
function unwrapUnion(issue: Issue): Issue {
  if (issue.code !== 'invalid_union') return issue;
  const branch = issue.errors.find((issues) => issues.some((i) => i.path.length > 0 || i.code === 'unrecognized_keys'));
  const inner = branch?.find((i) => i.code === 'unrecognized_keys') ?? branch?.[0];
  return inner === undefined ? issue : unwrapUnion({ ...inner, path: [...issue.path, ...inner.path] } as Issue);
}

function sentence(issue: Issue, owner: Owner): string {
  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path.length === 0 ? 'options' : label(issue.path, { ...owner, env: {} });
    return `unknown option "${parent}.${issue.keys[0]}". ${issue.message}`;
  }
  return issue.path.length === 0 ? issue.message : `${label(issue.path, owner)} ${issue.message}`;
}

/** Generic fragments; a schema's own `error` wins over these. */
function fallbackMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape ?? {};
      return `Known options: ${Object.keys(shape).join(', ')}. Check the spelling.`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => `'${String(v)}'`).join(', ')}, got ${JSON.stringify(issue.input)}.`;
    case 'invalid_type':
      return issue.input === undefined ? 'is required.' : `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}, got ${kindOf(issue.input)}.`;
    default:
      return undefined;
  }
}

/** `null`, `array` or the typeof, for messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

class OptionProblem extends Error {}

/** Refuses the options with a whole sentence, from a rule across several options (run once each option is sound). */
export function refuse(message: string): never {
  throw new OptionProblem(message);
}

/** Parses `input`, or throws a TypeError naming the first problem (an unknown option first: it is usually a typo). */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, owner: Owner): z.output<S> {
  let result;
  try {
    result = schema.safeParse(input, { error: fallbackMessage });
  } catch (e) {
    if (e instanceof OptionProblem) throw new TypeError(`${owner.name} ${e.message}`);
    throw e;
  }
  if (result.success) return result.data;
  const { issues } = result.error;
  const first = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
  throw new TypeError(`${owner.name} ${sentence(unwrapUnion(first), owner)}`);
}

/** The first problem of one value, as a fragment (`must use https:// …`), or undefined; for doctor. */
export function problemWith(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value, { error: fallbackMessage });
  return result.success ? undefined : unwrapUnion(result.error.issues[0]!).message;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A hook: `shape` is the signature shown in the message, e.g. `(err, req) => void`. */
export function hook<T>(shape: string) {
  return z.custom<T>((v) => typeof v === 'function', { error: `must be a function: ${shape}.` });
}

/** Options for a strict object whose wrong type gets `message`; unknown keys keep their own message. */
export function objectError(message: string) {
  return { error: (iss: z.core.$ZodRawIssue) => (iss.code === 'unrecognized_keys' ? undefined : message) };
}

export const flag = z.boolean({ error: 'must be true or false.' });

/** Longest timer Node accepts (2^31 - 1 ms); a longer "timeout" would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A positive number (`integer`: a whole one) in `unit` (`milliseconds`, `seconds`, `bytes`, or ''),
 * at most MAX_TIMER_MS. Add `.default(fallback)` or `.optional()`; `fallback` is named in the message.
 */
export function positive(unit: string, fallback: number, integer = false) {
  const what = `a positive ${integer ? 'integer' : 'number'}${unit ? ` of ${unit}` : ''}`;
  const error = (iss: { input: unknown }) => `must be ${what}, got ${String(iss.input)} (default ${fallback}).`;
  return z.number({ error }).refine((n) => n > 0 && n <= MAX_TIMER_MS && (!integer || Number.isInteger(n)), { error });
}
