import { randomBytes } from 'node:crypto';
import { parseXmlDocument } from '../../luminate/parse-xml';
import { isRecord, type LuminateRecord, type LuminateValue } from '../../luminate/values';
import type { Call, SiteContext } from './context';
import { escapeXml } from './format';
import { sendReply, sendText } from './http-io';

/**
 * The stand-in's SOAP Web Services at `<url>/1.0<orgPath>`. `Login` follows the vendor's page
 * (seed 004) [doc]; the session header (`<Session><SessionId>` in `urn:soap.convio.com`),
 * `GetServerTime`, and the fault details (`LoginFault`/`SessionFault` with `ExceptionCode`) are
 * the stand-in's guesses [?]. Faults go out as HTTP 500, as SOAP 1.1 wants.
 */

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const CONVIO_NS = 'urn:soap.convio.com';
const FAULT_NS = 'urn:fault.soap.convio.com';
const XML_TYPE = 'text/xml;charset=UTF-8';

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="${SOAP_NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

function sendFault(call: Call, name: 'LoginFault' | 'SessionFault' | 'Client', exceptionCode: string, message: string): void {
  call.record.outcome = `fault ${name}`;
  const detail = name === 'Client'
    ? ''
    : `<detail><${name} xmlns="${FAULT_NS}"><ExceptionCode>${exceptionCode}</ExceptionCode>` +
      `<ExceptionMessage>${escapeXml(message)}</ExceptionMessage></${name}></detail>`;
  const body = `<soap:Fault><faultcode>soap:Client</faultcode><faultstring>${escapeXml(message)}</faultstring>${detail}</soap:Fault>`;
  sendReply(call.res, { status: 500, headers: { 'content-type': XML_TYPE, 'cache-control': 'no-store' }, body: envelope(body) });
}

/** `webServicesSessionFaultWith200`: a session fault as real sites have sent it (seen in the field). */
function sendFnsSessionFault(call: Call): void {
  call.record.outcome = 'fault fns:SESSION';
  const body = `<soap:Fault xmlns:fns="${FAULT_NS}"><faultcode>fns:SESSION</faultcode>` +
    '<faultstring>Invalid or expired session.</faultstring></soap:Fault>';
  sendReply(call.res, { status: 200, headers: { 'content-type': XML_TYPE, 'cache-control': 'no-store' }, body: envelope(body) });
}

/** `webServicesNotFound`: a 404 whose reason phrase says what is wrong, with an HTML body (seen in the field). */
function sendNotFound(call: Call, reason: string): void {
  call.record.outcome = 'fault webServicesNotFound';
  const html = `<html><head><title>404 ${escapeXml(reason)}</title></head><body><h1>HTTP Status 404 - ${escapeXml(reason)}</h1></body></html>`;
  call.res.writeHead(404, reason, { 'content-type': 'text/html;charset=utf-8', 'content-length': String(Buffer.byteLength(html)) });
  call.res.end(html);
}

function sendResult(call: Call, operation: string, result: string): void {
  call.record.outcome = 'ok';
  const body = `<${operation}Response xmlns="${CONVIO_NS}"><Result>${result}</Result></${operation}Response>`;
  sendReply(call.res, { status: 200, headers: { 'content-type': XML_TYPE, 'cache-control': 'no-store' }, body: envelope(body) });
}

function text(record: LuminateRecord | undefined, name: string): string | undefined {
  const value: LuminateValue | undefined = record?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Like the vendor's example: `<40 hex>:JSESSIONID=<id>:<number>:<ISO time>`. */
function newSessionId(now: number): string {
  return `${randomBytes(20).toString('hex')}:JSESSIONID=${randomBytes(15).toString('base64url')}:10000100:${new Date(now).toISOString()}`;
}

/** The live session named in the header, its idle clock restarted; undefined when missing or expired. */
function useSession(ctx: SiteContext, header: LuminateValue | undefined): boolean {
  const session = isRecord(header) && isRecord(header.Session) ? header.Session : undefined;
  const id = text(session, 'SessionId');
  if (id === undefined) return false;
  const lastUsed = ctx.state.wsSessions.get(id);
  const now = ctx.config.now();
  if (lastUsed === undefined) return false;
  if (now - lastUsed >= ctx.config.webServices.sessionIdleMs) {
    ctx.state.wsSessions.delete(id);
    return false;
  }
  ctx.state.wsSessions.set(id, now);
  return true;
}

export function handleWebServices(ctx: SiteContext, call: Call): void {
  const faults = ctx.faults();
  if (faults.webServicesNotFound !== undefined) {
    sendNotFound(call, faults.webServicesNotFound);
    return;
  }
  if (call.req.method !== 'POST') {
    call.record.outcome = 'http 405';
    sendText(call.res, 405, 'Method Not Allowed', { allow: 'POST' });
    return;
  }
  let root: string;
  let content: LuminateValue;
  try {
    ({ root, content } = parseXmlDocument(call.bodyText.trim()));
  } catch {
    sendFault(call, 'Client', 'INVALID_REQUEST', 'The request is not well-formed XML.');
    return;
  }
  const soapBody = root === 'Envelope' && isRecord(content) ? content.Body : undefined;
  const operations = isRecord(soapBody) ? Object.keys(soapBody) : [];
  if (!isRecord(soapBody) || operations.length !== 1) {
    sendFault(call, 'Client', 'INVALID_REQUEST', 'Expected a SOAP envelope with one operation in its Body.');
    return;
  }
  const operation = operations[0]!;
  call.record.apiMethod = operation;
  const input = isRecord(soapBody[operation]) ? (soapBody[operation] as LuminateRecord) : undefined;
  const { webServices } = ctx.config;

  if (operation === 'Login') {
    if (text(input, 'UserName') !== webServices.userName || text(input, 'Password') !== webServices.password) {
      sendFault(call, 'LoginFault', 'LOGIN_FAILED', 'Invalid user name or password, or the account may not use the APIs.');
      return;
    }
    const now = ctx.config.now();
    const id = newSessionId(now);
    ctx.state.wsSessions.set(id, now);
    sendResult(call, 'Login', `<SessionId>${escapeXml(id)}</SessionId>`);
    return;
  }
  if (!useSession(ctx, isRecord(content) ? content.Header : undefined)) {
    if (faults.webServicesSessionFaultWith200 === true) {
      sendFnsSessionFault(call);
      return;
    }
    sendFault(call, 'SessionFault', 'INVALID_SESSION_ID', 'Session expired or invalid. Call Login again.');
    return;
  }
  if (operation === 'GetServerTime') {
    sendResult(call, 'GetServerTime', new Date(ctx.config.now()).toISOString());
    return;
  }
  sendFault(call, 'Client', 'UNKNOWN_OPERATION', `The stand-in does not implement ${operation}.`);
}
