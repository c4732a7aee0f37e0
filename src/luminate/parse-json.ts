import { LuminateError } from '../errors';
import type { ParsedDocument } from './parse-xml';
import { DANGEROUS_KEYS, emptyRecord, type LuminateValue } from './values';

const MAX_DEPTH = 64;

function malformed(message: string): LuminateError {
  return new LuminateError('LUMINATE_MALFORMED_RESPONSE', message);
}

/**
 * Every leaf a string or null: a real number or boolean (seen in the field: `"cons_id":1001641`) becomes its
 * string form, and `{}` is null (seen in the field: `"routing_id":{}`, an empty XML element turned JSON).
 */
function normalize(value: unknown, depth: number): LuminateValue {
  if (depth > MAX_DEPTH) throw malformed('Luminate sent JSON nested too deeply');
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((item) => normalize(item, depth + 1));
  if (typeof value === 'object') {
    const record = emptyRecord();
    for (const [key, item] of Object.entries(value)) {
      if (!DANGEROUS_KEYS.has(key)) record[key] = normalize(item, depth + 1);
    }
    return Object.keys(record).length === 0 ? null : record;
  }
  throw malformed('Luminate sent a JSON value of an unexpected type');
}

/**
 * True when an object in `text` (valid JSON) names one key twice, compared decoded. JSON.parse would keep
 * the last silently, where XML's repeated element is refused.
 */
function hasDuplicateKey(text: string): boolean {
  const objects: Array<Set<string> | undefined> = []; // one entry per open { (a Set) or [ (undefined)
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (expectKey && keys !== undefined) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (keys.has(key)) return true;
        keys.add(key);
      }
      expectKey = false;
      i = end;
    } else if (c === '{' || c === '[') {
      objects.push(c === '{' ? new Set() : undefined);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      objects.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = objects[objects.length - 1] !== undefined;
    }
  }
  return false;
}

/** Parses one JSON reply: an object with exactly one key, the root name. JSON.parse's message (it quotes the body) is not kept. */
export function parseJsonDocument(body: string): ParsedDocument {
  let tree: unknown;
  try {
    tree = JSON.parse(body);
  } catch {
    throw malformed('Luminate sent JSON that does not parse');
  }
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) {
    throw malformed('Luminate sent JSON that is not an object');
  }
  if (hasDuplicateKey(body)) throw malformed('Luminate sent JSON with a key repeated in one object');
  // JSON.parse makes `__proto__` an own key, never the prototype; dangerous keys are dropped like below.
  const roots = Object.keys(tree).filter((key) => !DANGEROUS_KEYS.has(key));
  if (roots.length !== 1) throw malformed('Luminate sent JSON without a single root key');
  const root = roots[0] as string;
  return { root, content: normalize((tree as Record<string, unknown>)[root], 1) };
}
