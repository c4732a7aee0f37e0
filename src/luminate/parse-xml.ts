import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { LuminateError } from '../errors';
import { DANGEROUS_KEYS, emptyRecord, type LuminateValue } from './values';

const DROPPED = '#dropped';
const TEXT = '#text';
const CDATA = '#cdata';
const ATTR = '@_';

// Entity processing is off: with no DOCTYPE there is nothing to expand but what decodeEntities handles.
const parser = new XMLParser({
  removeNSPrefix: true, // <getSingleSignOnTokenResponse xmlns="…/v1"> and <c:token> alike
  parseTagValue: false, // ids and tokens stay strings: 00123 is not 123
  parseAttributeValue: false,
  ignoreAttributes: false, // needed to see xsi:nil
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  cdataPropName: CDATA, // CDATA text is literal: keep it apart so it is not entity-decoded
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  jPath: false, // no path string built for every tag and attribute: no callback here reads one
  transformTagName: (name) => (DANGEROUS_KEYS.has(name) ? DROPPED : name),
  transformAttributeName: (name) => (DANGEROUS_KEYS.has(name) ? DROPPED : name),
});

function malformed(message: string): LuminateError {
  return new LuminateError('LUMINATE_MALFORMED_RESPONSE', message);
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g;

/** Decodes the predefined entities and character references; anything else is left as written. */
function decodeEntities(text: string): string {
  return text.replace(ENTITY, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return PREDEFINED[name] ?? whole;
    const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
    return isXmlChar(cp) ? String.fromCodePoint(cp) : whole;
  });
}

function joinText(value: unknown): string {
  if (Array.isArray(value)) return value.map(joinText).join('');
  return typeof value === 'string' ? value : '';
}

function normalize(node: unknown): LuminateValue {
  if (typeof node === 'string') return decodeEntities(node);
  if (Array.isArray(node)) return node.map(normalize);
  if (typeof node !== 'object' || node === null) return '';
  const element = node as Record<string, unknown>;
  const nil = element[`${ATTR}nil`];
  if (nil === 'true' || nil === '1') return null;

  const children = Object.keys(element).filter(
    (key) => !key.startsWith(ATTR) && key !== TEXT && key !== CDATA && key !== DROPPED,
  );
  if (children.length === 0) {
    // A leaf: text (entity-decoded) then CDATA. Attributes other than xsi:nil carry nothing we use.
    return decodeEntities(joinText(element[TEXT])) + joinText(element[CDATA]);
  }
  const record = emptyRecord();
  for (const key of children) record[key] = normalize(element[key]);
  return record;
}

/** Root element name (namespace prefix removed) and its content. */
export interface ParsedDocument {
  root: string;
  content: LuminateValue;
}

/**
 * Parses one trimmed XML reply: the only XML reader of untrusted replies. A DOCTYPE or ENTITY declaration
 * is refused before the parser sees it (no entity expansion). Parser messages could quote the body (a
 * token): not kept. Throws LUMINATE_MALFORMED_RESPONSE.
 */
export function parseXmlDocument(body: string): ParsedDocument {
  if (/<!doctype|<!entity/i.test(body)) {
    throw malformed('Luminate sent XML with a DOCTYPE or ENTITY declaration; refused');
  }
  const verdict = XMLValidator.validate(body);
  if (verdict !== true) {
    const { code, line, col } = verdict.err;
    throw malformed(`Luminate sent XML that is not well-formed (${code} at line ${line}, column ${col})`);
  }
  let tree: unknown;
  try {
    tree = parser.parse(body);
  } catch {
    throw malformed('Luminate sent XML the parser refused');
  }
  const roots = typeof tree === 'object' && tree !== null ? Object.keys(tree) : [];
  if (roots.length !== 1 || roots[0] === DROPPED) {
    throw malformed('Luminate sent XML without a single usable root element');
  }
  const root = roots[0] as string;
  const content = normalize((tree as Record<string, unknown>)[root]);
  return { root, content };
}
