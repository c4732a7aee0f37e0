/**
 * Finds secrets in captured output. Pure: it is given the secrets and the captured texts and
 * answers where each secret showed up, never the secret itself.
 *
 * Two places may carry a secret, and only these:
 * - the bridge's auto-post page: the first hidden `sso_auth_token` input of the `luminate-sso`
 *   form may hold an issued SSO token (that is how the token reaches Luminate's singleSignOn);
 *   the token anywhere else in that page, a second such input, or another value in it is a leak;
 * - an EstablishSession redirect: its `Location` may carry an issued nonce as `NONCE_TOKEN`, and
 *   the body may repeat that same Location (Express's `res.redirect` body does), nothing more.
 * The POST to Luminate itself is not captured: the capture leaves Luminate's side of the wire out.
 */

export type SecretKind =
  | 'API password'
  | 'API secret key'
  | 'Web Services password'
  | 'SSO token'
  | 'SSO nonce'
  | 'Web Services SessionId';

export interface Secret {
  kind: SecretKind;
  value: string;
}

export type TextChannel = 'console' | 'stdout' | 'stderr' | 'debug' | 'error message';
export type Channel = TextChannel | 'response header' | 'response body';

/** A log line, an output chunk or an error's text. */
export interface TextRecord {
  channel: TextChannel;
  /** e.g. `console.warn`, `luminate-sso-bridge:sso`, `LuminateError LUMINATE_TIMEOUT`. */
  where: string;
  text: string;
  /** The test that was running, when known. */
  test?: string;
}

/** One HTTP response a server of the test process sent. */
export interface ResponseRecord {
  channel: 'response';
  /** e.g. `GET /luminate/sso`. */
  where: string;
  /** Status line and headers as sent. */
  head: string;
  body: string;
  test?: string;
}

export type Captured = TextRecord | ResponseRecord;

export interface Leak {
  kind: SecretKind;
  channel: Channel;
  /** Where it appeared, with every known secret in it replaced by its kind. */
  where: string;
  test?: string;
}

/**
 * Shorter values are ignored: a password like `pw` or `x` (used by option-validation tests) would
 * match ordinary text and tell nothing.
 */
export const MIN_SECRET_LENGTH = 8;

/**
 * Kinds that start with a random string: their first 16 characters (96 bits and more) are as
 * telling as the whole, and also catch a value cut short (e.g. a reply truncated into a message).
 */
const RANDOM_KINDS = new Set<SecretKind>(['SSO token', 'SSO nonce', 'Web Services SessionId']);
const PIECE = 16;
const PIECE_RUN = /^[A-Za-z0-9_-]+$/;
const PIECE_RUNS = /[A-Za-z0-9_-]{16,}/g;
const KIND_ORDER: readonly SecretKind[] = ['API password', 'API secret key', 'Web Services password', 'SSO token', 'SSO nonce', 'Web Services SessionId'];

/** The bridge's auto-post form and the one input allowed to carry the token. */
const AUTO_POST_FORM = '<form id="luminate-sso" method="post"';
const TOKEN_INPUT = /<input type="hidden" name="sso_auth_token" value="([^"]*)">/;
/** An EstablishSession URL's nonce parameter. */
const ESTABLISH_SESSION_NONCE = /\/site\/EstablishSession(?:;[^?#\s]*)?\?(?:[^#\s]*&)?NONCE_TOKEN=([^&#\s]*)/;
const LOCATION_LINE = /^location: *(.*?)\r?$/im;

/** HTML escaping as the bridge does it (numeric references). */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const NAMED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML escaping as Express's redirect body does it (named references). */
function escapeHtmlNamed(value: string): string {
  return value.replace(/[&<>"']/g, (c) => NAMED[c]!);
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/**
 * What to look for. Random values are looked up by their first 16 characters in a map (a suite
 * file can hold a thousand tokens: one pass over each text, not a search per token); the few
 * configured values, in every form they may take in text (as is, URL-encoded, form-encoded,
 * HTML-escaped, JSON-escaped), by plain search.
 */
interface Needles {
  pieces: Map<string, SecretKind>;
  texts: Array<{ kind: SecretKind; text: string }>;
}

function needlesFor(secrets: readonly Secret[]): Needles {
  const needles: Needles = { pieces: new Map(), texts: [] };
  for (const { kind, value } of secrets) {
    const piece = value.slice(0, PIECE);
    if (RANDOM_KINDS.has(kind) && value.length >= 2 * PIECE && PIECE_RUN.test(piece)) {
      needles.pieces.set(piece, kind);
      continue;
    }
    const forms = new Set([
      value,
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
      escapeHtml(value),
      JSON.stringify(value).slice(1, -1),
    ]);
    for (const text of forms) needles.texts.push({ kind, text });
  }
  return needles;
}

/** The kinds of secret in `text`. */
function kindsIn(text: string, needles: Needles): Set<SecretKind> {
  const found = new Set<SecretKind>();
  for (const { kind, text: needle } of needles.texts) if (!found.has(kind) && text.includes(needle)) found.add(kind);
  if (needles.pieces.size > 0) {
    for (const [run] of text.matchAll(PIECE_RUNS)) {
      for (let i = 0; i + PIECE <= run.length; i += 1) {
        const kind = needles.pieces.get(run.slice(i, i + PIECE));
        if (kind) found.add(kind);
      }
    }
  }
  return found;
}

/** The response with its allowed occurrences replaced by a placeholder. */
function withoutAllowed(r: ResponseRecord, tokens: Set<string>, nonces: Set<string>): { head: string; body: string } {
  let { head, body } = r;
  const location = LOCATION_LINE.exec(head)?.[1];
  const nonce = location === undefined ? undefined : ESTABLISH_SESSION_NONCE.exec(location);
  if (location !== undefined && nonce && nonces.has(decode(nonce[1]!))) {
    const allowed = location.replace(`NONCE_TOKEN=${nonce[1]}`, 'NONCE_TOKEN=[allowed nonce]');
    head = head.replace(location, allowed);
    for (const escape of [(v: string) => v, escapeHtml, escapeHtmlNamed]) body = body.split(escape(location)).join(escape(allowed));
  }
  if (body.includes(AUTO_POST_FORM)) {
    const input = TOKEN_INPUT.exec(body);
    if (input && tokens.has(input[1]!)) {
      body = body.slice(0, input.index) + input[0].replace(input[1]!, '[allowed token]') + body.slice(input.index + input[0].length);
    }
  }
  return { head, body };
}

/** Replaces every known secret (and its first 16 characters) in `text` by its kind. */
export function scrub(text: string, secrets: Iterable<Secret>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.value.length < MIN_SECRET_LENGTH) continue;
    const { pieces, texts } = needlesFor([secret]);
    for (const needle of [secret.value, ...pieces.keys(), ...texts.map((t) => t.text)]) out = out.split(needle).join(`[${secret.kind}]`);
  }
  return out;
}

/**
 * Every place a secret appears in `captured` (one leak per secret kind per record). Values shorter
 * than MIN_SECRET_LENGTH are not looked for.
 */
export function findLeaks(secrets: Iterable<Secret>, captured: Iterable<Captured>): Leak[] {
  const known = [...secrets].filter((s) => s.value.length >= MIN_SECRET_LENGTH);
  const needles = needlesFor(known);
  const tokens = new Set(known.filter((s) => s.kind === 'SSO token').map((s) => s.value));
  const nonces = new Set(known.filter((s) => s.kind === 'SSO nonce').map((s) => s.value));
  const leaks: Leak[] = [];
  if (known.length === 0) return leaks;
  for (const record of captured) {
    let parts: Array<[Channel, string]>;
    if (record.channel === 'response') {
      const { head, body } = withoutAllowed(record, tokens, nonces);
      parts = [['response header', head], ['response body', body]];
    } else {
      parts = [[record.channel, record.text]];
    }
    for (const [channel, text] of parts) {
      const found = kindsIn(text, needles);
      for (const kind of KIND_ORDER) {
        if (!found.has(kind)) continue;
        const test = record.test === undefined ? {} : { test: scrub(record.test, known) };
        leaks.push({ kind, channel, where: scrub(record.where, known), ...test });
      }
    }
  }
  return leaks;
}

/** A failure message naming each leak's kind and place; it never contains a secret. */
export function describeLeaks(leaks: readonly Leak[]): string {
  const lines = leaks.slice(0, 20).map((l) => `  - ${l.kind} in ${l.channel} (${l.where})${l.test ? ` during "${l.test}"` : ''}`);
  if (leaks.length > 20) lines.push(`  … and ${leaks.length - 20} more`);
  return `Secrets leaked outside the one place each may go (${leaks.length}):\n${lines.join('\n')}`;
}
