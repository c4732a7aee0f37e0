import createDebug from 'debug';

/**
 * Debug loggers under `luminate-sso-bridge:*`. Lines are not scrubbed as a whole: a caller scrubs
 * the upstream text or error message it puts in (util/scrub-secrets.ts), or leaves it out.
 */
export function debugFor(area: string): createDebug.Debugger {
  return createDebug(`luminate-sso-bridge:${area}`);
}

/** Stands in for a secret (token, nonce, JSESSIONID) in debug output: whether it was there and its length. */
export function redact(value: string | undefined): string {
  if (value === undefined || value === '') return '(none)';
  return `[redacted, ${value.length} chars]`;
}

/** Stands in for an email address in debug output: `a***@example.org`, enough to tell visitors apart. */
export function maskEmail(value: string | undefined): string {
  if (value === undefined || value === '') return '(none)';
  const at = value.lastIndexOf('@');
  if (at < 1 || at === value.length - 1) return `[email, ${value.length} chars]`;
  return `${value[0]}***@${value.slice(at + 1)}`;
}
