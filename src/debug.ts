import { format } from 'node:util';
import createDebug from 'debug';
import { scrubSecrets } from './util/scrub-secrets';

/**
 * Debug loggers under the `luminate-sso-bridge:*` namespace (enable with DEBUG=luminate-sso-bridge:*).
 * Each finished line is scrubbed of the known secrets (scrubSecrets) before it reaches the
 * output, which stays `debug.log` (so a host that redirects debug output still gets the lines).
 */
export function debugFor(area: string): createDebug.Debugger {
  const logger = createDebug(`luminate-sso-bridge:${area}`);
  logger.log = (...args: unknown[]) => createDebug.log.call(logger, scrubSecrets(format(...args)));
  return logger;
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
