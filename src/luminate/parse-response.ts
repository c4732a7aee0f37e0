import { LuminateError } from '../errors';
import type { ResponseFormat } from './types';
import { errorFromResponse, sanitizeUpstreamText, type ResponseContext } from './error-response';
import { parseJsonDocument } from './parse-json';
import { parseXmlDocument, type ParsedDocument } from './parse-xml';
import { emptyRecord, isRecord, type LuminateRecord } from './values';

export type { ResponseContext } from './error-response';

/** True for a body that is an HTML page (maintenance page, login page of a proxy…), not an API reply. */
export function looksLikeHtml(text: string): boolean {
  return /^(<!doctype\s+html|<html[\s>])/i.test(text);
}

/**
 * Parses a body into its root name and content. The body's syntax decides the parser: JSON comes back
 * as `text/plain`, and an error may come back in XML even when JSON was asked for (`format`).
 */
function parseDocument(body: string, format: ResponseFormat): ParsedDocument {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text === '') throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', 'Luminate sent an empty body');
  if (looksLikeHtml(text)) {
    throw new LuminateError(
      'LUMINATE_UNEXPECTED_RESPONSE',
      'Luminate answered with an HTML page instead of an API reply (maintenance page, or a wrong secureUrl?)',
    );
  }
  if (text.startsWith('<')) return parseXmlDocument(text);
  if (text.startsWith('{') || text.startsWith('[')) return parseJsonDocument(text);
  throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', `Luminate sent a body that is neither XML nor JSON (asked for ${format})`);
}

/**
 * Parses a Luminate API reply and returns the content of `expectedRoot` as a null-prototype record
 * of strings, nulls (xsi:nil / JSON null), nested records and arrays (repeated elements). A root holding
 * only text (`singleSignOnMethodResponse`) becomes `{ content: text }`, as newer JSON pages send it.
 * Throws a LuminateError for an `errorResponse` (its code mapped to a stable string), an HTML page or
 * another root (LUMINATE_UNEXPECTED_RESPONSE), or a body that does not parse, carries a DOCTYPE/ENTITY
 * declaration, or is empty (LUMINATE_MALFORMED_RESPONSE).
 */
export function parseLuminateResponse(
  body: string,
  format: ResponseFormat,
  expectedRoot: string,
  context: ResponseContext = {},
): LuminateRecord {
  const { root, content } = parseDocument(body, format);
  if (root === 'errorResponse') throw errorFromResponse(content, context);
  if (root !== expectedRoot) {
    const got = sanitizeUpstreamText(root, context.redact).slice(0, 64);
    throw new LuminateError(
      'LUMINATE_UNEXPECTED_RESPONSE',
      `Luminate answered with "${got}" where "${expectedRoot}" was expected`,
      context.status === undefined ? {} : { upstreamStatus: context.status },
    );
  }
  if (isRecord(content)) return content;
  if (Array.isArray(content)) throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', `Luminate sent <${root}> more than once`);
  const record = emptyRecord();
  if (typeof content === 'string' && content !== '') record.content = content;
  return record;
}

/** The LuminateError a non-2xx body describes, or undefined when it is not an `errorResponse` (a proxy's 503 page). */
export function readErrorResponse(
  body: string,
  format: ResponseFormat,
  context: ResponseContext = {},
): LuminateError | undefined {
  try {
    const { root, content } = parseDocument(body, format);
    return root === 'errorResponse' ? errorFromResponse(content, context) : undefined;
  } catch {
    return undefined;
  }
}
