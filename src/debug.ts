import createDebug from 'debug';

/**
 * Debug loggers under the `luminate-sso-bridge:*` namespace (enable with DEBUG=luminate-sso-bridge:*).
 * Lines are not scrubbed as a whole: a caller that puts upstream text or an error's message into a
 * line scrubs that part against its own secrets first (util/scrub-secrets.ts), or leaves it out.
 */
export function debugFor(area: string): createDebug.Debugger {
  return createDebug(`luminate-sso-bridge:${area}`);
}

/**
 * Stands in for a secret-bearing value (token, nonce, JSESSIONID) in debug output: it tells
 * whether the value was there and how long it was, nothing of its content.
 */
export function redact(value: string | undefined): string {
  if (value === undefined || value === '') return '(none)';
  return `[redacted, ${value.length} chars]`;
}

/**
 * Stands in for an email address in debug output: the first character of the local part and the
 * domain (`a***@example.org`), enough to tell visitors apart in a log, not enough to contact them.
 */
export function maskEmail(value: string | undefined): string {
  if (value === undefined || value === '') return '(none)';
  const at = value.lastIndexOf('@');
  if (at < 1 || at === value.length - 1) return `[email, ${value.length} chars]`;
  return `${value[0]}***@${value.slice(at + 1)}`;
}
