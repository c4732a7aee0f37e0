import createDebug from 'debug';

/** Debug loggers under the `luminate-sso-bridge:*` namespace (enable with DEBUG=luminate-sso-bridge:*). */
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
