/** Email addresses as the bridge handles them: trimmed, checked, and compared case-insensitively. */

/** RFC 5321's limits: 254 characters in all, 64 before the `@`. */
const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
// A sane shape, not the full RFC grammar: one `@`, no spaces or controls, a dotted domain.
const EMAIL_SHAPE = /^[^\s@\u0000-\u001f\u007f-\u009f"<>()[\]\\,;:]+@[A-Za-z0-9\u00a0-\uffff-]+(\.[A-Za-z0-9\u00a0-\uffff-]+)+$/u;

export interface CheckedEmail {
  /** The address as given, trimmed: what is sent to Luminate. */
  address: string;
  /** Lowercased: what the bridge compares and keys on (session memory, single-flight). */
  key: string;
}

/** The checked email, or undefined when `value` is not a plausible address. */
export function checkEmail(value: unknown): CheckedEmail | undefined {
  if (typeof value !== 'string') return undefined;
  const address = value.trim();
  if (address.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(address)) return undefined;
  if (address.indexOf('@') > MAX_LOCAL_LENGTH) return undefined;
  return { address, key: address.toLowerCase() };
}
