/**
 * Redaction of secrets from the variable parts of error messages and debug lines. Each instance
 * scrubs what it interpolates against its OWN secrets (no process-wide registry), so fixed texts
 * stay as written. Each secret is matched in any letter case, as written, percent-, form- and
 * twice-percent-encoded, XML- and JSON-escaped: an upstream that echoes the request puts the
 * form-encoded password into its error text (seen in an attack on the bridge).
 */

/** Values under 4 characters are left alone: scrubbing them would mangle ordinary words. */
const MIN_LENGTH = 4;

/** A function that replaces every form of its instance's secrets in `text` by `[redacted]`. */
export type Scrub = (text: string) => string;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function xmlEscape(text: string): string[] {
  const basic = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [basic.replace(/"/g, '&quot;').replace(/'/g, '&apos;'), basic.replace(/"/g, '&#34;').replace(/'/g, '&#39;')];
}

function encodings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = [secret, ...xmlEscape(secret), json, json.replace(/\//g, '\\/')];
  try {
    const percent = encodeURIComponent(secret);
    const form = new URLSearchParams({ s: secret }).toString().slice(2);
    forms.push(percent, percent.replace(/%20/g, '+'), form, encodeURIComponent(percent), encodeURIComponent(form));
  } catch {
    // A lone surrogate cannot be percent-encoded; its raw form is still matched.
  }
  return forms;
}

/** `text` with every form of every one of `secrets` replaced by `[redacted]`. */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  return secretScrubber(secrets)(text);
}

/** An instance's scrubber: one case-insensitive pattern for every form of its own secrets, fixed when it is made. */
export function secretScrubber(secrets: ReadonlyArray<string | undefined>): Scrub {
  const forms = new Set(secrets.filter((s): s is string => s !== undefined && s.length >= MIN_LENGTH).flatMap(encodings));
  if (forms.size === 0) return (text) => text;
  // Longest first, so a secret that contains another is replaced whole.
  const pattern = new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'gi');
  return (text) => text.replace(pattern, '[redacted]');
}

/** The values of call parameters that are secrets by their name (password, token, nonce, secret). */
export function secretParamValues(params: ReadonlyArray<readonly [string, string]>): string[] {
  return params.filter(([name]) => /password|token|nonce|secret/i.test(name)).map(([, value]) => value);
}
