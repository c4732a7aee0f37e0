import { DANGEROUS_KEYS, emptyRecord, type LuminateRecord, type LuminateValue } from './values';

/**
 * A quick reader for the plain replies Luminate sends on every handoff: an optional XML
 * declaration, one root, elements holding short printable ASCII text. The general validator
 * and parser cost more than the rest of a handoff; a token reply needs none of what they handle.
 *
 * It accepts only a narrow subset of XML, every document of which the full path (validator,
 * parser, normalize) accepts and reads to the same value. For anything else it returns
 * undefined and the caller takes the full path, whose checks decide: entities, CDATA, comments,
 * processing instructions, DOCTYPE, xsi:nil, non-ASCII or control characters, mixed content,
 * names with more than one colon or that Object.prototype or DANGEROUS_KEYS know, repeated
 * attributes, deep nesting. test/client/parse-plain-xml.test.ts holds both paths to that.
 */

const MAX_DEPTH = 16;
const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const COLON = 0x3a;

// Only version, encoding and standalone, in that order, with plain values.
const DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.0"|'1\.0')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/;
const INNER_WHITESPACE = /[\t\n\r]/;
// Text the full path keeps exactly as written: printable ASCII but `<`, `&` and `>` (and, in text,
// tab and line breaks; in an attribute value, not its own quote). The regular expression engine
// scans such a run faster than a loop over charCodeAt.
const TEXT_RUN = /[\t\n\r\x20-\x25\x27-\x3b\x3d\x3f-\x7e]*/y;
const VALUE_RUN_IN_DOUBLE = /[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x7e]*/y;
const VALUE_RUN_IN_SINGLE = /[\x20-\x25\x28-\x3b\x3d\x3f-\x7e]*/y;

/** The index where the run `pattern` matches from `at` ends (`pattern` matches the empty string). */
function endOfRun(pattern: RegExp, s: string, at: number): number {
  pattern.lastIndex = at;
  pattern.test(s);
  return pattern.lastIndex;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

// Names the full path would transform or drop, or that an object already has (`toString`…).
const AWKWARD_NAMES: ReadonlySet<string> = new Set([...DANGEROUS_KEYS, ...Object.getOwnPropertyNames(Object.prototype)]);

/** True for `xml…` in any case: names reserved by XML, left to the full path. */
function startsWithXml(s: string, at: number): boolean {
  return (s.charCodeAt(at) | 0x20) === 0x78 && (s.charCodeAt(at + 1) | 0x20) === 0x6d && (s.charCodeAt(at + 2) | 0x20) === 0x6c;
}

class Reader {
  i = 0;
  /** The element name last read, without its prefix. */
  local = '';

  constructor(readonly s: string) {}

  skipSpace(): boolean {
    const start = this.i;
    while (isSpace(this.s.charCodeAt(this.i))) this.i += 1;
    return this.i > start;
  }

  /**
   * `name` or `prefix:name`, ASCII; sets `local` to the name without its prefix. False when there
   * is none, or a part is awkward (or, with `elementName`, starts with `xml`).
   */
  readName(elementName: boolean): boolean {
    const { s } = this;
    const start = this.i;
    let colon = -1;
    if (!isNameStart(s.charCodeAt(this.i))) return false;
    for (this.i += 1; ; this.i += 1) {
      const c = s.charCodeAt(this.i);
      if (isNameChar(c)) continue;
      if (c !== COLON || colon !== -1 || !isNameStart(s.charCodeAt(this.i + 1))) break;
      colon = this.i;
    }
    this.local = colon === -1 ? s.slice(start, this.i) : s.slice(colon + 1, this.i);
    if (AWKWARD_NAMES.has(this.local) || (elementName && startsWithXml(s, colon + 1 || start))) return false;
    if (colon === -1) return true;
    return !AWKWARD_NAMES.has(s.slice(start, colon)) && !(elementName && startsWithXml(s, start));
  }

  /** The attributes up to `>` or `/>`: 1 for `>`, 2 for `/>`, 0 for anything outside the subset. */
  readAttributes(): 0 | 1 | 2 {
    const { s } = this;
    let seen: string[] | undefined;
    for (;;) {
      const spaced = this.skipSpace();
      const c = s.charCodeAt(this.i);
      if (c === GT) {
        this.i += 1;
        return 1;
      }
      if (c === SLASH) {
        if (s.charCodeAt(this.i + 1) !== GT) return 0;
        this.i += 2;
        return 2;
      }
      const start = this.i;
      // xmlns and xmlns:* are fine here (the parser drops them), but xsi:nil needs the full path.
      if (!spaced || !this.readName(false) || this.local === 'nil') return 0;
      const name = s.slice(start, this.i);
      if (seen?.includes(name)) return 0;
      (seen ??= []).push(name);
      this.skipSpace();
      if (s.charCodeAt(this.i) !== EQUALS) return 0;
      this.i += 1;
      this.skipSpace();
      const quote = s.charCodeAt(this.i);
      if (quote !== QUOTE && quote !== APOSTROPHE) return 0;
      this.i = endOfRun(quote === QUOTE ? VALUE_RUN_IN_DOUBLE : VALUE_RUN_IN_SINGLE, s, this.i + 1);
      if (s.charCodeAt(this.i) !== quote) return 0;
      this.i += 1;
    }
  }

  /** One element; its value, or undefined outside the subset. Leaves its key in `local`. */
  readElement(depth: number): LuminateValue | undefined {
    const { s } = this;
    if (depth > MAX_DEPTH || s.charCodeAt(this.i) !== LT) return undefined;
    this.i += 1;
    const nameStart = this.i;
    if (!this.readName(true)) return undefined;
    const rawName = s.slice(nameStart, this.i);
    const key = this.local;
    const end = this.readAttributes();
    if (end === 0) return undefined;
    if (end === 2) {
      this.local = key;
      return '';
    }

    const textStart = this.i;
    this.i = endOfRun(TEXT_RUN, s, this.i);
    if (s.charCodeAt(this.i) !== LT) return undefined;
    let value: LuminateValue;
    if (s.charCodeAt(this.i + 1) === SLASH) {
      const text = s.slice(textStart, this.i).trim();
      // Tabs and line breaks inside a value: left to the full path.
      if (INNER_WHITESPACE.test(text)) return undefined;
      value = text;
    } else {
      // Child elements: any text beside them would be mixed content.
      for (let k = textStart; k < this.i; k += 1) if (!isSpace(s.charCodeAt(k))) return undefined;
      const record = this.readChildren(depth);
      if (record === undefined) return undefined;
      value = record;
    }
    // `</name>`, exactly as opened.
    if (!s.startsWith(rawName, this.i + 2) || s.charCodeAt(this.i + 2 + rawName.length) !== GT) return undefined;
    this.i += rawName.length + 3;
    this.local = key;
    return value;
  }

  /** Child elements up to the parent's `</`; repeated names become arrays, in order. */
  readChildren(depth: number): LuminateRecord | undefined {
    const { s } = this;
    const record = emptyRecord();
    for (;;) {
      const value = this.readElement(depth + 1);
      if (value === undefined) return undefined;
      const previous = record[this.local];
      if (previous === undefined) record[this.local] = value;
      // Values read here are never arrays themselves, so an array is a repeated element.
      else if (Array.isArray(previous)) previous.push(value);
      else record[this.local] = [previous, value];
      this.skipSpace();
      if (s.charCodeAt(this.i) !== LT) return undefined;
      if (s.charCodeAt(this.i + 1) === SLASH) return record;
    }
  }
}

/**
 * The root's name (prefix removed) and content of `body` (already trimmed), or undefined when
 * the body is outside the subset described above.
 */
export function parsePlainXml(body: string): { root: string; content: LuminateValue } | undefined {
  const reader = new Reader(body);
  if (body.startsWith('<?')) {
    const declaration = DECLARATION.exec(body);
    if (declaration === null) return undefined;
    reader.i = declaration[0].length;
    reader.skipSpace();
  }
  const content = reader.readElement(0);
  if (content === undefined) return undefined;
  const root = reader.local;
  reader.skipSpace();
  return reader.i === body.length ? { root, content } : undefined;
}
