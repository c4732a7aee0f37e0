/** The string-level half of the destination policy (destinations.ts): strict parsing, path and redirect tricks. */
import { CONTROL_CHARACTER } from '../luminate/values';

const MAX_LENGTH = 2048;
const SCHEME = /^https?:\/\//i;
// Bytes that, once decoded by some later hop, change how the path splits or decodes again
// (`/ \ . %`), or start a servlet path parameter (`;`, see below).
const FORBIDDEN_ENCODED = new Set([0x2f, 0x5c, 0x2e, 0x25, 0x3b]);

type Parsed = { ok: true; url: URL; rawAuthority: string } | { ok: false; reason: string };

/** The checks shared by visitor input and allow entries. */
export function parseStrict(raw: string): Parsed {
  if (raw === '') return { ok: false, reason: 'empty' };
  if (raw.length > MAX_LENGTH) return { ok: false, reason: 'too-long' };
  // The URL parser drops tab/CR/LF, so `ht\ttps://` would otherwise "work".
  if (CONTROL_CHARACTER.test(raw)) return { ok: false, reason: 'control-character' };
  if (/^\s|\s$/.test(raw)) return { ok: false, reason: 'whitespace' };
  // Browsers and WHATWG URL treat `\` as `/` in http(s) URLs: `/\evil.com` is protocol-relative.
  if (raw.includes('\\')) return { ok: false, reason: 'backslash' };
  // Exactly `http(s)://` then the host: refuses `//x`, `https:x`, `https:/x`, `https:///x`, `javascript:`.
  const scheme = SCHEME.exec(raw);
  if (!scheme || raw[scheme[0].length] === '/') return { ok: false, reason: 'not-absolute-http' };

  const rest = raw.slice(scheme[0].length);
  const rawAuthority = rest.split(/[/?#]/, 1)[0] as string;
  const rawPath = rest.slice(rawAuthority.length).split(/[?#]/, 1)[0] as string;

  // `https://allowed@evil.com` and `https://@allowed` — no credentials in a redirect target.
  if (rawAuthority.includes('@')) return { ok: false, reason: 'userinfo' };
  // The parser decodes `%2e` etc. in hosts, so an encoded host can impersonate an allowed one.
  if (rawAuthority.includes('%')) return { ok: false, reason: 'encoded-trick' };
  const pathTrick = rawPathTrick(rawPath);
  if (pathTrick !== undefined) return { ok: false, reason: pathTrick };

  // Not URL.canParse: Node 20's optimised fast path misreads non-ASCII input (IDN hosts) after warm-up.
  try {
    return { ok: true, url: new URL(raw), rawAuthority };
  } catch {
    return { ok: false, reason: 'invalid-url' };
  }
}

/** Why a raw path (no query or fragment) could be read as another path by a later hop, or undefined. */
export function rawPathTrick(rawPath: string): 'path-parameter' | 'encoded-trick' | 'dot-segment' | 'empty-segment' | undefined {
  // Servlet containers (Tomcat, which Luminate runs on) strip `;params` from each path segment
  // before mapping it, so `/myorg/site/..;/..;/otherorg/site/` passes a prefix check here and lands
  // in another org; `;jsessionid=` picks a session. A destination never needs one.
  if (rawPath.includes(';')) return 'path-parameter';
  if (!pathEncodingIsPlain(rawPath)) return 'encoded-trick';
  // The parser would resolve `/site/../../evil` to `/evil`; refuse instead of guessing intent.
  if (rawPath.split('/').some((segment) => segment === '.' || segment === '..')) return 'dot-segment';
  // Tomcat merges `//` before it maps the servlet, so `/site//EstablishSession` reaches a
  // redirector that the servlet check (the segment after `site`) would not see. No page needs one.
  if (rawPath.includes('//')) return 'empty-segment';
  return undefined;
}

/** Refuses `%2f %5c %2e %25 %3b`, encoded controls, malformed escapes and invalid UTF-8 (`%c0%af`). */
function pathEncodingIsPlain(rawPath: string): boolean {
  for (let i = rawPath.indexOf('%'); i !== -1; i = rawPath.indexOf('%', i + 1)) {
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
 * Luminate servlets that send the browser on: EstablishSession (NEXTURL) [doc], the API servlets
 * (`CRConsAPI`, `SRConsAPI`…: `success_redirect`, `redirect`) [doc + seen in the field]; UserLogin
 * (NEXTURL), R (e-mail link tracking) and AjaxProxy are known from public pages only [?]. Any letter
 * case; any servlet with "redirect" in its name too.
 */
const REDIRECTOR_SERVLETS = new Set(['establishsession', 'userlogin', 'r', 'ajaxproxy']);
const API_SERVLET = /^[cs]r[a-z]*api$/;
/**
 * Parts of query parameter names that carry where to go next (`NEXTURL`, `N%45XTURL`, `cnv_url`…),
 * matched after full decoding, NFKC, lower case and keeping letters and digits only. A real
 * donation link (`df_id`, `FR_ID`, `set.DonationLevel`) needs none of these.
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
 * Why this destination would make the page it names send the browser on, or undefined: otherwise
 * an allow list of "everything under /site/" is an open redirect through the allowed host.
 */
export function redirectTrick(url: URL): string | undefined {
  // The servlet is the segment after `site`; other segments (an org named `r`) are not servlet names.
  const segments = url.pathname.split('/').map((segment) => normalise(decodeURIComponent(segment)));
  const servlets = segments.filter((_segment, i) => segments[i - 1] === 'site');
  if (servlets.some((s) => REDIRECTOR_SERVLETS.has(s) || API_SERVLET.test(s) || s.includes('redirect'))) return 'redirector';
  // `;` is split on as well as `&`: some servers take it as a parameter separator.
  for (const part of url.search.slice(1).split(/[&;]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeFully(eq === -1 ? part : part.slice(0, eq));
    const value = decodeFully(eq === -1 ? '' : part.slice(eq + 1));
    if (name === undefined || value === undefined) return 'encoded-trick';
    if (CONTROL_CHARACTER.test(name) || CONTROL_CHARACTER.test(value)) return 'control-character';
    const key = normalise(name).replace(/[^a-z0-9]/g, '');
    if (REDIRECT_NAME_PARTS.some((word) => key.includes(word))) return 'redirect-parameter';
    if (URL_LIKE_VALUE.test(normalise(value).trim())) return 'redirect-parameter';
  }
  return undefined;
}
