/**
 * Destination policy: the one check for every place a visitor chooses where to land
 * (`GET /luminate/sso?next=<url>`, luminateLogin's `returnTo`, a signed callback's `next`). A
 * destination is refused unless it is plainly an absolute URL under one of the configured prefixes
 * AND would not make the page it names redirect the browser on (see `redirectTrick`). Checks run on
 * the RAW string as well as on the WHATWG-parsed URL, because the parser silently repairs exactly
 * the tricks attackers use (tabs, backslashes, dot segments, `%2e` and fullwidth letters in hosts
 * all "normalise" into something else).
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
// Bytes that, once decoded by some later hop, change how the path splits or decodes again
// (`/ \ . %`), or start a servlet path parameter (`;`, see below).
const FORBIDDEN_ENCODED = new Set([0x2f, 0x5c, 0x2e, 0x25, 0x3b]);

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
  const pathTrick = rawPathTrick(rawPath);
  if (pathTrick !== undefined) return { ok: false, reason: pathTrick };

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'invalid-url' };
  }
  return { ok: true, url, rawAuthority };
}

/**
 * Why a raw path (no query or fragment) could be read as another path by a later hop, or
 * undefined. Shared by absolute destinations and site paths (luminateLogin's `returnTo`).
 */
export function rawPathTrick(rawPath: string): 'path-parameter' | 'encoded-trick' | 'dot-segment' | undefined {
  // Servlet containers (Tomcat, which Luminate runs on) strip `;params` from each path segment
  // before mapping it, so `/myorg/site/..;/..;/otherorg/site/` passes a prefix check here and lands
  // in another org; `;jsessionid=` picks a session. A destination never needs one.
  if (rawPath.includes(';')) return 'path-parameter';
  if (!pathEncodingIsPlain(rawPath)) return 'encoded-trick';
  // The parser would resolve `/site/../../evil` to `/evil`; refuse instead of guessing intent.
  if (rawPath.split('/').some((segment) => segment === '.' || segment === '..')) return 'dot-segment';
  return undefined;
}

/** Refuses `%2f %5c %2e %25 %3b`, encoded controls, malformed escapes and invalid UTF-8 (`%c0%af`). */
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

/**
 * Luminate servlets that send the browser on rather than show a page: EstablishSession (follows
 * NEXTURL) [doc], the client and server API servlets (`CRConsAPI`, `SRConsAPI`, `CRDonationAPI`…:
 * `success_redirect`, `error_redirect`, `redirect`) [doc + seen in the field]; UserLogin (follows
 * NEXTURL), R (e-mail link tracking: redirects to a stored URL) and AjaxProxy (fetches another URL)
 * are known from public Luminate pages, not the vendor's API docs [?]. Compared in any letter case;
 * any servlet with "redirect" in its name too.
 */
const REDIRECTOR_SERVLETS = new Set(['establishsession', 'userlogin', 'r', 'ajaxproxy']);
const API_SERVLET = /^[cs]r[a-z]*api$/;
/**
 * Query parameter names that carry where to go next, compared after full decoding, NFKC, lower
 * case and dropping everything but letters and digits (`NEXTURL`, `next_url`, `N%45XTURL`,
 * `success_redirect`, `redirect`, `cnv_url`, `returnTo`…). Part of a name is enough: a real
 * donation link (`df_id`, `FR_ID`, `set.DonationLevel`, `s_src`) needs none of these.
 */
const REDIRECT_NAME_PARTS = ['redirect', 'url', 'next', 'return', 'goto', 'forward', 'continue', 'dest', 'target', 'callback'];
/** A value that is itself a URL: `//` or a backslash mix, or a scheme followed by a slash or a script scheme. */
const URL_LIKE_VALUE = /[/\\]{2}|^[a-z][a-z0-9+.-]*:[/\\]|^(java|vb)script:|^data:/i;
/** Decoding rounds before a still-encoded query part counts as a trick (Luminate decodes once). */
const MAX_DECODE_ROUNDS = 4;

function decodeOnce(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Byte by byte (Latin-1), so a malformed or non-UTF-8 escape still decodes to something to look at.
    return text.replace(/%([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

/** Decodes `%XX` (and `+`) until nothing changes; undefined when still encoded after MAX_DECODE_ROUNDS. */
function decodeFully(text: string): string | undefined {
  let current = text.replace(/\+/g, ' ');
  for (let round = 0; round <= MAX_DECODE_ROUNDS; round += 1) {
    const next = decodeOnce(current);
    if (next === current) return current;
    current = next;
  }
  return undefined;
}

function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * Why this destination would make the page it names send the browser somewhere else, or undefined.
 * Luminate itself redirects anywhere (see REDIRECTOR_SERVLETS), so an allow list of "everything
 * under /site/" would otherwise be an open redirect through the allowed host.
 */
function redirectTrick(url: URL): string | undefined {
  // The servlet is the segment after `site` (`<base>/site/<servlet>`); other segments (an org
  // named `r`, a host page) are not servlet names.
  const segments = url.pathname.split('/').map((segment) => normalise(decodeURIComponent(segment)));
  for (let i = 1; i < segments.length; i += 1) {
    if (segments[i - 1] !== 'site') continue;
    const servlet = segments[i]!;
    if (REDIRECTOR_SERVLETS.has(servlet) || API_SERVLET.test(servlet) || servlet.includes('redirect')) return 'redirector';
  }
  // `;` is split on as well as `&`: some servers take it as a parameter separator.
  for (const part of url.search.slice(1).split(/[&;]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeFully(eq === -1 ? part : part.slice(0, eq));
    const value = decodeFully(eq === -1 ? '' : part.slice(eq + 1));
    if (name === undefined || value === undefined) return 'encoded-trick';
    if (CONTROL.test(name) || CONTROL.test(value)) return 'control-character';
    const key = normalise(name).replace(/[^a-z0-9]/g, '');
    if (REDIRECT_NAME_PARTS.some((word) => key.includes(word))) return 'redirect-parameter';
    if (URL_LIKE_VALUE.test(normalise(value).trim())) return 'redirect-parameter';
  }
  return undefined;
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
  const trick = redirectTrick(url);
  if (trick !== undefined) return { ok: false, reason: trick };
  // Fragments are kept: they never reach a server and cannot change the host once parsed.
  return { ok: true, url: url.href };
}

const EXAMPLE = "'https://secure2.convio.net/myorg/site/'";

/**
 * The Luminate servlets allowed when `destinations.allow` is not set: donation forms (Donation2),
 * TeamRaiser pages (TR, TRR), landing and content pages (SPageServer, SPageNavigator, PageServer,
 * PageNavigator), the store (Ecommerce) and events (Calendar): the pages a "donate" or "register"
 * link is for (names as public links to Luminate pages use them [?]). Not the whole of `/site/`: that also holds login, profile and API servlets, some of
 * which send the browser anywhere (see REDIRECTOR_SERVLETS). Widen it by setting
 * `destinations.allow` (e.g. `[<secureUrl>/site/]`); redirectors stay refused either way.
 */
export const DEFAULT_ALLOWED_SERVLETS = ['Donation2', 'TR', 'TRR', 'SPageServer', 'SPageNavigator', 'PageServer', 'PageNavigator', 'Ecommerce', 'Calendar'] as const;

/** The allow list used when `destinations.allow` is not set: `<secureUrl>/site/<servlet>` for each DEFAULT_ALLOWED_SERVLETS. */
export function defaultAllowList(secureUrl: string): string[] {
  return DEFAULT_ALLOWED_SERVLETS.map((servlet) => `${secureUrl}/site/${servlet}`);
}

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
      `destinations.default ${JSON.stringify(rules.default)} is refused by the destination policy (${fallback.reason}); ` +
        `the allow list in effect is [${rules.allow.map((entry) => `'${entry}'`).join(', ')}]. ` +
        'Set it to an absolute URL under one of those, or add its prefix to destinations.allow.',
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
