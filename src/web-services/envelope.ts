import { XMLValidator } from 'fast-xml-parser';
import { LuminateError } from '../errors';

/** A value of a SOAP request element: text, nested elements, or a repeated element. */
export type SoapValue = string | SoapParams | Array<string | SoapParams>;
/** Child elements of a SOAP operation, `{ UserName: 'x' }` → `<UserName>x</UserName>`, in insertion order. */
export interface SoapParams {
  [element: string]: SoapValue;
}

/** SOAP 1.1 envelope namespace, as in the vendor's Login example (seed 004). [doc] */
const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
/** Namespace of Luminate's operations (`<Login xmlns='urn:soap.convio.com'>`). [doc] */
const CONVIO_NS = 'urn:soap.convio.com';

const OPERATION = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
// No colon: callers cannot bring their own namespace prefixes into our envelope.
const ELEMENT = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const MAX_DEPTH = 16;
const MAX_BODY_CHARS = 1024 * 1024;

function invalid(message: string): LuminateError {
  return new LuminateError('LUMINATE_INVALID_ARGUMENT', message);
}

/** Escapes text for element content; characters XML cannot carry are refused, not dropped. */
export function escapeXmlText(text: string, what: string): string {
  if (NOT_XML_CHAR.test(text)) throw invalid(`${what} holds a character XML cannot carry`);
  return text.replace(/[<>&"']/g, (ch) =>
    ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '&' ? '&amp;' : ch === '"' ? '&quot;' : '&apos;');
}

export function checkOperation(operation: unknown): string {
  if (typeof operation !== 'string' || !OPERATION.test(operation)) {
    throw invalid('operation must be a Web Services operation name such as Login or Query');
  }
  return operation;
}

function valueXml(name: string, value: SoapValue, depth: number): string {
  if (Array.isArray(value)) return value.map((item) => valueXml(name, item, depth)).join('');
  if (typeof value === 'string') return `<${name}>${escapeXmlText(value, `element <${name}>`)}</${name}>`;
  return `<${name}>${paramsXml(value, depth + 1)}</${name}>`;
}

/** `{ UserName: 'a', Filter: { Field: ['x', 'y'] } }` → child elements, text escaped. */
export function paramsXml(params: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw invalid(`parameters nest deeper than ${MAX_DEPTH} levels`);
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw invalid('parameters must be an object of strings, nested objects or arrays of them');
  }
  let xml = '';
  for (const [name, value] of Object.entries(params as SoapParams)) {
    if (!ELEMENT.test(name)) throw invalid(`"${name.slice(0, 64)}" is not an element name (letters, digits, _ . -; no prefix)`);
    const ok = typeof value === 'string' || (typeof value === 'object' && value !== null);
    if (!ok) throw invalid(`element <${name}> must be a string, an object or an array`);
    xml += valueXml(name, value, depth);
  }
  return xml;
}

/**
 * A caller's own XML for the content of the operation element. It must be a well-formed fragment
 * without DOCTYPE, ENTITY or processing instructions, so it cannot break out of our envelope.
 */
export function checkBodyXml(xml: string): string {
  if (xml.length > MAX_BODY_CHARS) throw invalid(`the body XML is longer than ${MAX_BODY_CHARS} characters`);
  if (/<!(?!\[CDATA\[)|<\?/.test(xml)) throw invalid('the body XML must not contain DOCTYPE, ENTITY, comments or processing instructions');
  if (NOT_XML_CHAR.test(xml)) throw invalid('the body XML holds a character XML cannot carry');
  if (XMLValidator.validate(`<body>${xml}</body>`) !== true) throw invalid('the body XML is not a well-formed fragment');
  return xml;
}

/**
 * The SOAP 1.1 request. The session header's element names, `<Session><SessionId>` in
 * `urn:soap.convio.com`, follow the vendor's description; the exact shape is [?].
 */
export function buildEnvelope(operation: string, content: string, sessionId?: string): string {
  const header = sessionId === undefined
    ? ''
    : `<soap:Header><Session xmlns="${CONVIO_NS}"><SessionId>${escapeXmlText(sessionId, 'SessionId')}</SessionId></Session></soap:Header>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="${SOAP_ENVELOPE_NS}">${header}` +
    `<soap:Body><${operation} xmlns="${CONVIO_NS}">${content}</${operation}></soap:Body></soap:Envelope>`;
}
