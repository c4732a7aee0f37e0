import { sanitizeUpstreamText } from '../luminate/error-response';

/**
 * Programming mistakes, whose messages name code ("Cannot read properties of undefined (reading
 * 'user')"), not data. Not SyntaxError: JSON.parse's quotes the text it was given (a cookie, a JWT).
 */
const CODE_ERRORS = new Set(['TypeError', 'ReferenceError', 'RangeError']);

/**
 * A foreign error, safe for a log line: the message only for programming mistakes; else its class
 * and `code` (`Error, code ECONNREFUSED`), as its message is the host's own text.
 */
export function causeText(cause: unknown): string {
  if (!(cause instanceof Error)) return `a ${cause === null ? 'null' : typeof cause} was thrown`;
  const code = (cause as { code?: unknown }).code;
  const codeText = typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? `, code ${code}` : '';
  const name = sanitizeUpstreamText(cause.name).slice(0, 40);
  if (CODE_ERRORS.has(cause.name)) return `${name}: ${sanitizeUpstreamText(cause.message)}`;
  return `${name}${codeText}; its message is left out here, onError gets the whole error`;
}
