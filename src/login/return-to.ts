import { rawPathTrick } from '../http/destination-url';
import { checkDestination, type CompiledDestinations } from '../http/destinations';

/**
 * Where a visitor may be sent after logging in: a path on this site, or an absolute URL that
 * passes the same destination rules as luminateSso's `next` (`destinations.allow`).
 */

const MAX_LENGTH = 2048;
// C0, DEL, C1 and whitespace: the URL parser drops or repairs them, so they are never "a path".
const UNSAFE = /[\u0000-\u0020\u007f-\u009f]/;
const PROBE_ORIGIN = 'http://site-path.invalid';

/**
 * A path on this site: `/` then anything that cannot leave the site. `//evil`, `/\evil` (browsers
 * read `\` as `/`), schemes and control characters are refused.
 */
export function isSitePath(raw: unknown): raw is string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) return false;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\') || UNSAFE.test(raw)) return false;
  // The same path rules as every destination: no `;` path parameters, encoded dots or slashes, dot segments.
  if (rawPathTrick(raw.split(/[?#]/, 1)[0]!) !== undefined) return false;
  try {
    return new URL(raw, PROBE_ORIGIN).origin === PROBE_ORIGIN;
  } catch {
    return false;
  }
}

export type ReturnToDecision = { url: string; refused?: string };

/** The visitor's `returnTo` if it is a site path or an allowed absolute URL; otherwise `fallback`. */
export function resolveReturnTo(raw: unknown, compiled: Pick<CompiledDestinations, 'allow'>, fallback: string): ReturnToDecision {
  if (raw === undefined || raw === '') return { url: fallback };
  if (typeof raw === 'string' && raw.startsWith('/')) {
    return isSitePath(raw) ? { url: raw } : { url: fallback, refused: 'not-a-site-path' };
  }
  const decision = checkDestination(raw, compiled);
  return decision.ok ? { url: decision.url } : { url: fallback, refused: decision.reason };
}
