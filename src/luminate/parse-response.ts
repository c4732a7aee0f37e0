import { LuminateError } from '../errors';
import type { ResponseFormat } from './types';
import { errorFromResponse, sanitizeUpstreamText, type ResponseContext } from './error-response';
import { parseJsonDocument } from './parse-json';
import { parseXmlDocument, type ParsedDocument } from './parse-xml';
import { emptyRecord, isRecord, type LuminateRecord, type LuminateValue } from './values';

export type { ResponseContext } from './error-response';

const HTML_START = /^(<!doctype\s+html|<html[\s>])/i;

/** True for a body that is an HTML page (maintenance page, login page of a proxy…), not an API reply. */
export function looksLikeHtml(text: string): boolean {
  return HTML_START.test(text);
}

/**
 * Parses a body into its root name and content. The syntax of the body decides the parser:
 * JSON comes back as `text/plain`, and an error may come back in Luminate's default XML even
 * when JSON was asked for, so `format` is what was asked, not a promise about the body.
 */
function parseDocument(body: string, format: ResponseFormat): ParsedDocument {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text === '') {
    throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', 'Luminate sent an empty body');
  }
  if (looksLikeHtml(text)) {
    throw new LuminateError(
      'LUMINATE_UNEXPECTED_RESPONSE',
      'Luminate answered with an HTML page instead of an API reply (maintenance page, or a wrong secureUrl?)',
    );
  }
  if (text.startsWith('<')) return parseXmlDocument(text);
  if (text.startsWith('{') || text.startsWith('[')) return parseJsonDocument(text);
  throw new LuminateError(
    'LUMINATE_MALFORMED_RESPONSE',
    `Luminate sent a body that is neither XML nor JSON (asked for ${format})`,
  );
}

/**
 * The root's content as a record. A root holding only text (`singleSignOnMethodResponse` in XML
 * and older JSON) becomes `{ content: text }`, the shape newer JSON pages use; an empty root is `{}`.
 */
function rootRecord(content: LuminateValue, root: string): LuminateRecord {
  if (isRecord(content)) return content;
  const record = emptyRecord();
  if (typeof content === 'string' && content !== '') record.content = content;
  else if (Array.isArray(content)) {
    throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', `Luminate sent <${root}> more than once`);
  }
  return record;
}

/**
 * Parses a Luminate API reply and returns the content of `expectedRoot` as a null-prototype
 * record of strings, nulls (xsi:nil / JSON null), nested records and arrays (repeated elements).
 * Throws a LuminateError for an `errorResponse` (its code mapped to a stable string), an HTML
 * page or another root (LUMINATE_UNEXPECTED_RESPONSE), or a body that does not parse, carries a
 * DOCTYPE/ENTITY declaration, or is empty (LUMINATE_MALFORMED_RESPONSE).
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
  return rootRecord(content, root);
}

/**
 * The LuminateError an error body describes, or undefined when the body is not a well-formed
 * `errorResponse` (e.g. a proxy's 503 page). Used for non-2xx answers.
 */
export function readErrorResponse(
  body: string,
  format: ResponseFormat,
  context: ResponseContext = {},
): LuminateError | undefined {
  let document: ParsedDocument;
  try {
    document = parseDocument(body, format);
  } catch {
    return undefined;
  }
  return document.root === 'errorResponse' ? errorFromResponse(document.content, context) : undefined;
}
