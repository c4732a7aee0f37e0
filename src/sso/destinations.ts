/**
 * Destination policy for `GET /luminate/sso?next=<url>`: the visitor chooses where to land, so
 * `next` is refused unless it is plainly an absolute URL under one of the configured Luminate
 * prefixes. Checks run on the RAW string as well as on the WHATWG-parsed URL, because the parser
 * silently repairs exactly the tricks attackers use (tabs, backslashes, dot segments, `%2e` and
 * fullwidth letters in hosts all "normalise" into something else).
 */

export interface DestinationRules {
  /** Absolute http(s) URL prefixes; a prefix without trailing slash still ends at a `/` boundary. */
  allow: string[];
  /** Where visitors go when `next` is missing or refused; must itself pass `allow`. */
  default: string;
}

export interface CompiledDestinations {
  allow: ReadonlyArray<{ origin: string; pathPrefix: string }>;
  default: string;
}

export type DestinationDecision = { ok: true; url: string } | { ok: false; reason: string };

const MAX_LENGTH = 2048;
// C0, DEL and C1: the URL parser drops tab/CR/LF, so `ht\ttps://` would otherwise "work".
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SCHEME = /^https?:\/\//i;
// Bytes that, once decoded by some later hop, change how the path splits or decodes again.
const FORBIDDEN_ENCODED = new Set([0x2f, 0x5c, 0x2e, 0x25]);

type Parsed = { ok: true; url: URL; rawAuthority: string } | { ok: false; reason: string };

/** The string-level checks shared by visitor input and allow entries. */
function parseStrict(raw: string): Parsed {
  if (raw === '') return { ok: false, reason: 'empty' };
  if (raw.length > MAX_LENGTH) return { ok: false, reason: 'too-long' };
  if (CONTROL.test(raw)) return { ok: false, reason: 'control-character' };
  if (/^\s|\s$/.test(raw)) return { ok: false, reason: 'whitespace' };
  // Browsers and WHATWG URL treat `\` as `/` in http(s) URLs: `/\evil.com` is protocol-relative.
  if (raw.includes('\\')) return { ok: false, reason: 'backslash' };
  // Exactly `http(s)://` then the host: refuses `//x`, `https:x`, `https:/x`, `https:///x`, `javascript:`.
  const scheme = SCHEME.exec(raw);
  if (!scheme || raw[scheme[0].length] === '/') return { ok: false, reason: 'not-absolute-http' };

  const rest = raw.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const rawAuthority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const afterAuthority = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  const rawPath = afterAuthority.split(/[?#]/, 1)[0] ?? '';

  // `https://allowed@evil.com` and `https://@allowed` — no credentials in a redirect target.
  if (rawAuthority.includes('@')) return { ok: false, reason: 'userinfo' };
  // The parser decodes `%2e` etc. in hosts, so an encoded host can impersonate an allowed one.
  if (rawAuthority.includes('%')) return { ok: false, reason: 'encoded-trick' };
  if (!pathEncodingIsPlain(rawPath)) return { ok: false, reason: 'encoded-trick' };
  // The parser would resolve `/site/../../evil` to `/evil`; refuse instead of guessing intent.
  if (rawPath.split('/').some((segment) => segment === '.' || segment === '..')) {
    return { ok: false, reason: 'dot-segment' };
  }

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'invalid-url' };
  }
  return { ok: true, url, rawAuthority };
}

/** Refuses `%2f %5c %2e %25`, encoded controls, malformed escapes and invalid UTF-8 (`%c0%af`). */
function pathEncodingIsPlain(rawPath: string): boolean {
  for (let i = rawPath.indexOf('%'); i !== -1; i = rawPath.indexOf('%', i + 1)) {
    // Malformed escapes (`%zz`, `%`) are caught by decodeURIComponent below.
    const byte = parseInt(rawPath.slice(i + 1, i + 3), 16);
    if (FORBIDDEN_ENCODED.has(byte) || byte < 0x20 || byte === 0x7f) return false;
  }
  try {
    decodeURIComponent(rawPath);
  } catch {
    return false;
  }
  return true;
}

/** Segment boundary: `/org/site` matches `/org/site` and `/org/site/x`, never `/org/site-evil`. */
function pathWithin(pathname: string, prefix: string): boolean {
  if (prefix.endsWith('/')) return pathname.startsWith(prefix);
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

function checkAgainst(raw: unknown, allow: CompiledDestinations['allow']): DestinationDecision {
  // qs turns `next[]=a` / `next[a]=b` into arrays and objects: never guess which element counts.
  if (typeof raw !== 'string') return { ok: false, reason: 'not-a-string' };
  const parsed = parseStrict(raw);
  if (!parsed.ok) return parsed;
  const { url, rawAuthority } = parsed;

  // IDNA maps fullwidth letters, soft hyphens and zero-width characters onto plain ASCII hosts,
  // so a non-ASCII host is only acceptable when it really is an IDN (punycode) host.
  if (/[^\x00-\x7f]/.test(rawAuthority) && !/(^|\.)xn--/.test(url.hostname)) {
    return { ok: false, reason: 'non-ascii-host' };
  }
  // `origin` is normalised (lowercase, punycode, IPv4 forms resolved, default port dropped).
  const sameOrigin = allow.filter((entry) => entry.origin === url.origin);
  if (sameOrigin.length === 0) return { ok: false, reason: 'origin-not-allowed' };
  // Case-sensitive on purpose: Luminate paths (`/site/Donation2`) are case-sensitive.
  if (!sameOrigin.some((entry) => pathWithin(url.pathname, entry.pathPrefix))) {
    return { ok: false, reason: 'path-not-allowed' };
  }
  // Fragments are kept: they never reach a server and cannot change the host once parsed.
  return { ok: true, url: url.href };
}

const EXAMPLE = "'https://secure2.convio.net/myorg/site/'";

/** Validates the rules once at start-up; the first problem is a TypeError naming the option. */
export function compileDestinations(rules: DestinationRules): CompiledDestinations {
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
    throw new TypeError(`destinations must be an object like { allow: [${EXAMPLE}], default: ${EXAMPLE} }.`);
  }
  for (const key of Object.keys(rules)) {
    if (key !== 'allow' && key !== 'default') {
      throw new TypeError(`destinations.${key} is not a known option; use destinations.allow and destinations.default.`);
    }
  }
  if (!Array.isArray(rules.allow) || rules.allow.length === 0) {
    throw new TypeError(`destinations.allow must be a non-empty array of URL prefixes, e.g. [${EXAMPLE}].`);
  }

  const allow = rules.allow.map((entry: unknown, i) => {
    const name = `destinations.allow[${i}]`;
    if (typeof entry !== 'string') {
      throw new TypeError(`${name} must be a string URL prefix, e.g. ${EXAMPLE}.`);
    }
    const parsed = parseStrict(entry);
    if (!parsed.ok) {
      throw new TypeError(
        `${name} is not a usable URL prefix (${parsed.reason}); write an absolute http(s) URL without ` +
          `credentials, backslashes, dot segments or encoded characters, e.g. ${EXAMPLE}.`,
      );
    }
    if (entry.includes('?') || entry.includes('#')) {
      throw new TypeError(`${name} must not contain a query or fragment; remove everything from '?' or '#' on.`);
    }
    return Object.freeze({ origin: parsed.url.origin, pathPrefix: parsed.url.pathname });
  });
  const frozenAllow = Object.freeze(allow);

  if (rules.default === undefined) {
    throw new TypeError(`destinations.default is missing: set where visitors go when next is missing or refused, e.g. ${EXAMPLE}.`);
  }
  if (typeof rules.default !== 'string') {
    throw new TypeError(`destinations.default must be a string URL under one of destinations.allow, e.g. ${EXAMPLE}.`);
  }
  const fallback = checkAgainst(rules.default, frozenAllow);
  if (!fallback.ok) {
    throw new TypeError(
      `destinations.default is refused by the destination policy (${fallback.reason}); ` +
        'set it to an absolute URL under one of destinations.allow, or add its prefix to destinations.allow.',
    );
  }
  return Object.freeze({ allow: frozenAllow, default: fallback.url });
}

/** Checks a visitor-supplied `next` value (already query-decoded once by Express). */
export function checkDestination(next: unknown, compiled: CompiledDestinations): DestinationDecision {
  return checkAgainst(next, compiled.allow);
}

/** `next` missing (absent or `?next=`) → default; refused → default plus the reason to log. */
export function resolveDestination(next: unknown, compiled: CompiledDestinations): { url: string; refused?: string } {
  if (next === undefined || next === '') return { url: compiled.default };
  const decision = checkAgainst(next, compiled.allow);
  return decision.ok ? { url: decision.url } : { url: compiled.default, refused: decision.reason };
}
