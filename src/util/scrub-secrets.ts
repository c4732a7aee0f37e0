
/**
 * The one redaction of secrets for every error message and debug line: the API administrator
 * password, the API secret key, the Web Services password, and per call the visitor's password,
 * tokens and nonces where they are known. Exact matching is not enough: an upstream that echoes
 * the request puts the form-encoded password (`P%40ss…`) into its error text (seen in an attack
 * on the bridge). So each secret is matched as written, percent-encoded (`%20`), form-encoded
 * (`+` for a space, `!'()~` escaped too) and XML-escaped, with the hex digits of every
 * percent-escape in either case (`%2f` = `%2F`).
 */

/** Values under 4 characters are left alone: scrubbing them would mangle ordinary words. */
const MIN_LENGTH = 4;
/** Secrets of the bridges and clients made in this process; the oldest go beyond this many. */
const MAX_KNOWN = 64;

const known = new Set<string>();
let knownPattern: RegExp | undefined;

/**
 * Remembers long-lived secrets (the options' password and secret key) so that every error message
 * and debug line made in this process is scrubbed of them, whoever builds it.
 */
export function registerSecrets(...values: ReadonlyArray<string | undefined>): void {
  for (const value of values) {
    if (value === undefined || value.length < MIN_LENGTH || known.has(value)) continue;
    known.add(value);
    if (known.size > MAX_KNOWN) known.delete(known.values().next().value as string);
    knownPattern = undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function xmlEscape(text: string): string[] {
  const basic = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [basic.replace(/"/g, '&quot;').replace(/'/g, '&apos;'), basic.replace(/"/g, '&#34;').replace(/'/g, '&#39;')];
}

function encodings(secret: string): string[] {
  const forms = [secret, ...xmlEscape(secret)];
  try {
    const percent = encodeURIComponent(secret);
    forms.push(percent, percent.replace(/%20/g, '+'), new URLSearchParams({ s: secret }).toString().slice(2));
  } catch {
    // A lone surrogate cannot be percent-encoded; its raw form is still matched.
  }
  return forms;
}

/** One form as a pattern: regex characters escaped, the hex digits of `%XX` in either case. */
function patternOf(form: string): string {
  return escapeRegExp(form).replace(/%([0-9A-Fa-f])([0-9A-Fa-f])/g, (_m, a: string, b: string) => {
    const either = (c: string) => (/[0-9]/.test(c) ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`);
    return `%${either(a)}${either(b)}`;
  });
}

function buildPattern(secrets: Iterable<string | undefined>): RegExp | undefined {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.length < MIN_LENGTH) continue;
    for (const form of encodings(secret)) forms.add(form);
  }
  if (forms.size === 0) return undefined;
  // Longest first, so a secret that contains another is replaced whole.
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map(patternOf).join('|'), 'g');
}

/**
 * `text` with every form of every secret (the registered ones and `extra`) replaced by
 * `[redacted]`.
 */
export function scrubSecrets(text: string, extra: ReadonlyArray<string | undefined> = []): string {
  let clean = text;
  if (extra.length > 0) {
    const pattern = buildPattern(extra);
    if (pattern !== undefined) clean = clean.replace(pattern, '[redacted]');
  }
  if (known.size > 0) {
    knownPattern ??= buildPattern(known);
    if (knownPattern !== undefined) clean = clean.replace(knownPattern, '[redacted]');
  }
  return clean;
}

/** The values of call parameters that are secrets by their name (password, token, nonce, secret). */
export function secretParamValues(params: ReadonlyArray<readonly [string, string]>): string[] {
  return params.filter(([name]) => /password|token|nonce|secret/i.test(name)).map(([, value]) => value);
}
