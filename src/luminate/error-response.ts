import { UNPRINTABLE } from '../config/parse';
import { codeForLuminateError, LuminateError, type LuminateErrorCode } from '../errors';
import { isRecord, type LuminateValue } from './values';
import { scrubSecrets } from '../util/scrub-secrets';

/** Where a reply came from, for error messages; `redact`: strings never to echo (the API password…), in any encoding. */
export interface ResponseContext {
  status?: number;
  redact?: ReadonlyArray<string | undefined>;
}

const MAX_MESSAGE_LENGTH = 200;
// C0/C1 controls, zero-width and bidi-override characters: nothing a log line or page should carry.
const UNSAFE_CHARS = new RegExp(UNPRINTABLE.source, 'g');
const NOT_FOUND_TEXT = /\b(does not exist|not found|no such|no (matching )?(record|constituent))\b/i;

/** Luminate's message text made safe to put in an error message or a log line; `redact`: the caller's own secrets. */
export function sanitizeUpstreamText(text: string, redact: ReadonlyArray<string | undefined> = []): string {
  const clean = scrubSecrets(text, redact).replace(UNSAFE_CHARS, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH)}…` : clean;
}

function scalarText(value: LuminateValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The stable code for an errorResponse. 16 is "constituent not found" [doc]; an unknown id may also come
 * back as 1 (luminate-api.md) or 14 (the vendor's own example), which mean not found when the message says so.
 */
function codeForErrorResponse(luminateCode: number | undefined, message: string): LuminateErrorCode {
  if (luminateCode === undefined) return 'LUMINATE_API_ERROR';
  if ((luminateCode === 1 || luminateCode === 14) && NOT_FOUND_TEXT.test(message)) {
    return 'LUMINATE_CONSTITUENT_NOT_FOUND';
  }
  return codeForLuminateError(luminateCode);
}

/** The LuminateError for the content of an `errorResponse` element/object. */
export function errorFromResponse(content: LuminateValue, context: ResponseContext = {}): LuminateError {
  const fields = isRecord(content) ? content : undefined;
  const rawCode = scalarText(fields?.code).trim();
  const luminateCode = /^\d{1,9}$/.test(rawCode) ? Number(rawCode) : undefined;
  const message = sanitizeUpstreamText(scalarText(fields?.message), context.redact);
  const code = codeForErrorResponse(luminateCode, message);
  const label = luminateCode === undefined ? 'Luminate error (no code)' : `Luminate error ${luminateCode}`;
  const text = message === '' ? label : `${label}: ${message}`;
  const suffix = context.status === undefined ? '' : ` (HTTP ${context.status})`;
  return new LuminateError(code, `${text}${suffix}`, {
    ...(luminateCode === undefined ? {} : { luminateCode }),
    ...(context.status === undefined ? {} : { upstreamStatus: context.status }),
  });
}

const STANDARD_REASONS = new Set([
  'ok', 'not found', 'bad request', 'forbidden', 'unauthorized', 'internal server error', 'bad gateway',
  'service unavailable', 'gateway timeout', 'method not allowed',
]);

/**
 * ` "Failed to resolve site: wrongorg"`: the HTTP reason phrase, quoted and made safe, when it says more
 * than the usual words; '' otherwise. Seen in the field: a wrong path is told there, the body says nothing.
 */
export function reasonPhrase(statusText: string | undefined, redact: ReadonlyArray<string | undefined> = []): string {
  const reason = sanitizeUpstreamText(statusText ?? '', redact).slice(0, 120);
  return reason === '' || STANDARD_REASONS.has(reason.toLowerCase()) ? '' : ` "${reason}"`;
}
