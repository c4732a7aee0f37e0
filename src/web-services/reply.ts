import { reasonPhrase, sanitizeUpstreamText } from '../luminate/error-response';
import { looksLikeHtml } from '../luminate/parse-response';
import { parseXmlDocument } from '../luminate/parse-xml';
import { emptyRecord, isRecord, type LuminateRecord, type LuminateValue } from '../luminate/values';
import { LuminateError, type LuminateErrorCode } from '../errors';

interface ReplyContext {
  operation: string;
  status: number;
  /** The HTTP reason phrase (seen in the field: "Failed to resolve site: <org>" for a wrong path). */
  statusText?: string;
  /** Secrets (password, SessionId) scrubbed from any text Luminate sends back. */
  redact: ReadonlyArray<string | undefined>;
}

const SESSION_HINT = /session|not logged in|log ?in required/i;

function text(value: LuminateValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function field(record: LuminateRecord | undefined, ...names: string[]): LuminateValue | undefined {
  if (record === undefined) return undefined;
  for (const name of names) if (Object.prototype.hasOwnProperty.call(record, name)) return record[name];
  return undefined;
}

/**
 * Which code a fault gets. Only Login's `LoginFault` is documented [doc]; how an expired SessionId
 * is reported is [?], so a fault elsewhere that names a session (or is a LoginFault) is a session fault.
 */
function faultCode(operation: string, name: string, soapCode: string, words: string): LuminateErrorCode {
  if (operation === 'Login') {
    // A server-side fault during Login (soap:Server) is not about the credentials.
    return /server$/i.test(soapCode) && !/login/i.test(name) ? 'LUMINATE_WS_FAULT' : 'LUMINATE_WS_LOGIN_FAULT';
  }
  if (/session/i.test(name) || name === 'LoginFault' || SESSION_HINT.test(words)) return 'LUMINATE_WS_SESSION_FAULT';
  return 'LUMINATE_WS_FAULT';
}

/**
 * The LuminateError for a `soap:Fault`: SOAP 1.1 `faultcode`/`faultstring`/`detail` or SOAP 1.2
 * `Code/Value`/`Reason/Text`/`Detail`. Luminate's fault details (`<LoginFault><ExceptionCode>…`)
 * are [?]; whatever is there goes into the message, scrubbed of secrets.
 */
function faultError(fault: LuminateValue, ctx: ReplyContext): LuminateError {
  const f = isRecord(fault) ? fault : undefined;
  const codeNode = field(f, 'faultcode', 'Code');
  const reasonNode = field(f, 'faultstring', 'Reason');
  const code = isRecord(codeNode) ? text(codeNode.Value) : text(codeNode);
  const reason = isRecord(reasonNode) ? text(reasonNode.Text) : text(reasonNode);
  const detail = field(f, 'detail', 'Detail');
  const name = isRecord(detail) ? (Object.keys(detail)[0] ?? '') : '';
  const inner = isRecord(detail) && isRecord(detail[name]) ? (detail[name] as LuminateRecord) : undefined;
  const exceptionCode = text(field(inner, 'ExceptionCode', 'exceptionCode', 'code', 'Code'));
  const exceptionMessage = text(field(inner, 'ExceptionMessage', 'exceptionMessage', 'message', 'Message'));

  const clean = (value: string): string => sanitizeUpstreamText(value, ctx.redact).slice(0, 120);
  const what = clean(name) || 'SOAP fault';
  const said = clean(exceptionMessage || reason);
  const codes = [clean(code), clean(exceptionCode)].filter((c) => c !== '').join(', ');
  const message = `Luminate Web Services answered ${ctx.operation} with ${what}` +
    `${said === '' ? '' : `: ${said}`}${codes === '' ? '' : ` [${codes}]`} (HTTP ${ctx.status})`;
  const words = `${code} ${reason} ${exceptionCode} ${exceptionMessage}`;
  return new LuminateError(faultCode(ctx.operation, name, code, words), message, { upstreamStatus: ctx.status });
}

function httpError(ctx: ReplyContext, what: string): LuminateError {
  const reason = reasonPhrase(ctx.statusText, ctx.redact);
  return new LuminateError('LUMINATE_HTTP_ERROR', `Luminate Web Services answered HTTP ${ctx.status}${reason} ${what}`, { upstreamStatus: ctx.status });
}

/**
 * The content of `<{operation}Response>`, parsed with the REST client's hardened XML parser.
 * Throws a LuminateError for a fault, an HTTP error, an HTML page, a bad body or another element.
 */
export function parseSoapReply(body: string, ctx: ReplyContext): LuminateRecord {
  const { status, operation } = ctx;
  const ok = status >= 200 && status < 300;
  const trimmed = body.replace(/^\uFEFF/, '').trim();
  if (!trimmed.startsWith('<') || looksLikeHtml(trimmed)) {
    if (!ok) throw httpError(ctx, 'without a SOAP envelope');
    if (trimmed === '') throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', 'Luminate Web Services sent an empty body');
    throw new LuminateError('LUMINATE_UNEXPECTED_RESPONSE', 'Luminate Web Services answered with something other than a SOAP envelope (an HTML page? check the Web Services URL)');
  }
  const { root, content } = parseXmlDocument(trimmed);
  const soapBody = root === 'Envelope' && isRecord(content) ? content.Body : undefined;
  if (!isRecord(soapBody)) {
    if (!ok) throw httpError(ctx, 'without a SOAP envelope');
    throw new LuminateError('LUMINATE_UNEXPECTED_RESPONSE', 'Luminate Web Services answered with XML that is not a SOAP envelope with a Body');
  }
  if (soapBody.Fault !== undefined) throw faultError(soapBody.Fault, ctx);
  if (!ok) throw httpError(ctx, 'without a SOAP fault');
  const expected = `${operation}Response`;
  const reply = soapBody[expected];
  if (reply === undefined) {
    const got = sanitizeUpstreamText(Object.keys(soapBody)[0] ?? 'an empty Body', ctx.redact).slice(0, 64);
    throw new LuminateError('LUMINATE_UNEXPECTED_RESPONSE', `Luminate Web Services answered with "${got}" where "${expected}" was expected`);
  }
  if (Array.isArray(reply)) throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', `Luminate Web Services sent <${expected}> more than once`);
  if (isRecord(reply)) return reply;
  const record = emptyRecord();
  if (typeof reply === 'string' && reply !== '') record.content = reply;
  return record;
}
