import { request, type Dispatcher } from 'undici';
import { LuminateError } from '../errors';
import type { DeadlineSignal } from './deadline';

/** Sent as User-Agent, so Luminate's logs can tell where calls come from. */
export const USER_AGENT = 'luminate-sso-bridge/0.1.0';

/** What every POST to Luminate needs besides its body. */
export interface PostRequestBase {
  dispatcher: Dispatcher;
  url: string;
  accept: string;
  /** The call's deadline (and the caller's signal): see DeadlineSignal. */
  signal: DeadlineSignal;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxResponseBytes: number;
}

export interface PostFormRequest extends PostRequestBase {
  /** application/x-www-form-urlencoded body (it may carry secrets: never log it). */
  form: string;
}

export interface PostXmlRequest extends PostRequestBase {
  /** A SOAP envelope (it may carry secrets: never log it). */
  xml: string;
  /** SOAP 1.1 `SOAPAction` header value, quotes included (e.g. `""`). */
  soapAction: string;
}

export interface PostResult {
  status: number;
  body: string;
}

function tooLarge(max: number): LuminateError {
  return new LuminateError('LUMINATE_RESPONSE_TOO_LARGE', `Luminate's reply is larger than maxResponseBytes (${max} bytes)`);
}

/** Closes a body we will not read; its socket is closed, not returned to the pool. */
function discard(body: Dispatcher.ResponseData['body']): void {
  if (body.destroyed) return;
  body.on('error', () => undefined); // destroy() reports an abort error we already know about
  body.destroy();
}

/** Reads the body up to `max` bytes; over that the stream is destroyed, which closes the socket. */
function readCapped(body: Dispatcher.ResponseData['body'], contentLength: unknown, max: number): Promise<Buffer> {
  const declared = typeof contentLength === 'string' ? Number(contentLength) : Number.NaN;
  if (Number.isFinite(declared) && declared > max) {
    discard(body);
    return Promise.reject(tooLarge(max));
  }
  // A body already ended or destroyed would never emit what the listeners below wait for.
  if (body.destroyed || body.readableEnded) return readCappedIterating(body, max);
  // Listeners rather than `for await`: an async iterator costs several promises per reply.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err?: unknown): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      if (err === undefined) {
        resolve(Buffer.concat(chunks, size));
        return;
      }
      // Stopping early (too large, timeout, abort) must not leave a half-read socket behind.
      // Only then: destroying a fully read body would close a socket that could be reused.
      discard(body);
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) finish(tooLarge(max));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    // 'close' before 'end' without an 'error': what `for await` reports as a premature close.
    const prematureClose = () => Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    const onError = (err: unknown): void => finish(err ?? prematureClose());
    const onClose = (): void => finish(prematureClose());
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}

/** readCapped for a body in an unusual state: the stream's own iterator knows every case. */
async function readCappedIterating(body: Dispatcher.ResponseData['body'], max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const bytes = chunk as Buffer;
      size += bytes.length;
      if (size > max) throw tooLarge(max);
      chunks.push(bytes);
    }
  } catch (err) {
    discard(body);
    throw err;
  }
  return Buffer.concat(chunks, size);
}

// One decoder for every reply: decode() without `stream` starts afresh each time.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', "Luminate's reply is not valid UTF-8");
  }
}

/**
 * One POST. No cookies are ever sent (undici has no cookie jar and we add no Cookie header),
 * redirects are not followed, and the body is read with a byte cap. Network errors are thrown as
 * undici raised them; the caller maps them.
 */
async function post(req: PostRequestBase, body: string, headers: Record<string, string>): Promise<PostResult> {
  const response = await request(req.url, {
    method: 'POST',
    dispatcher: req.dispatcher,
    signal: req.signal,
    headersTimeout: req.headersTimeoutMs,
    bodyTimeout: req.bodyTimeoutMs,
    headers: { ...headers, accept: req.accept, 'user-agent': USER_AGENT },
    body,
  });
  const bytes = await readCapped(response.body, response.headers['content-length'], req.maxResponseBytes);
  return { status: response.statusCode, body: decodeUtf8(bytes) };
}

/** One POST with a form body (the server API). */
export function postForm(req: PostFormRequest): Promise<PostResult> {
  return post(req, req.form, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
}

/** One POST with a SOAP 1.1 envelope (Web Services). */
export function postXml(req: PostXmlRequest): Promise<PostResult> {
  return post(req, req.xml, { 'content-type': 'text/xml; charset=utf-8', soapaction: req.soapAction });
}
