import type { Dispatcher } from 'undici';
import { LuminateError } from '../errors';
import { noteStaleConnectionFailure } from './network-errors';
import { watchNextSocket, type SocketWatcher, type WatchedSocket } from './socket-reuse';

/** Sent as User-Agent, so Luminate's logs can tell where calls come from. */
export const USER_AGENT = 'luminate-sso-bridge/0.1.0';

/** What every POST to Luminate needs besides its body. */
export interface PostRequestBase {
  dispatcher: Dispatcher;
  /** Where to POST, from postTarget(). */
  target: PostTarget;
  accept: string;
  /** The call's deadline joined with the caller's signal (see startDeadline). */
  signal: AbortSignal;
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
  /** The HTTP reason phrase as sent (Luminate names a wrong Web Services path there). Not sanitized. */
  statusText: string;
  body: string;
}

function tooLarge(max: number): LuminateError {
  return new LuminateError('LUMINATE_RESPONSE_TOO_LARGE', `Luminate's reply is larger than maxResponseBytes (${max} bytes)`);
}

/** Where a request goes, as undici's dispatch() takes it. */
export interface PostTarget {
  origin: string;
  path: string;
}

/** The target of `url`: parsed once, by the client that always posts there. */
export function postTarget(url: string): PostTarget {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/**
 * Collects one reply for dispatch(): its status and its body up to `max` bytes. Over the cap (as
 * declared or as received) the request is aborted, which closes the socket rather than returning
 * a half-read one to the pool. The promise settles once: with the reply, or with the first error
 * (undici's, the cap's, or the signal's reason as soon as the signal aborts, even while the
 * request still waits for a free connection). A failure on a reused pooled connection before any
 * byte of the reply is noted (noteStaleConnectionFailure) so the caller may retry it.
 */
class ReplyReader implements Dispatcher.DispatchHandler, SocketWatcher {
  readonly #max: number;
  readonly #signal: AbortSignal;
  readonly #resolve: (result: PostResult) => void;
  readonly #reject: (err: unknown) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #chunks: Buffer[] = [];
  #size = 0;
  #status = 0;
  #statusText = '';
  #settled = false;
  /** The request went out on a socket that had carried a request before (see socket-reuse.ts). */
  #reused = false;
  /** That socket, and how many bytes it had received when the request went out. */
  #socket: WatchedSocket | undefined;
  #bytesBefore = 0;
  /** Some of the reply (a status line, even 1xx) has been parsed. */
  #replyStarted = false;
  readonly #onAbort = (): void => {
    const reason = this.#signal.reason;
    this.#controller?.abort(reason as Error);
    this.#fail(reason);
  };

  constructor(max: number, signal: AbortSignal, resolve: (result: PostResult) => void, reject: (err: unknown) => void) {
    this.#max = max;
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** May run again when undici retries a request that was at the head of a failed pipeline. */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    this.#chunks = [];
    this.#size = 0;
    this.#reused = false;
    this.#socket = undefined;
    this.#replyStarted = false;
    if (this.#settled) controller.abort((this.#signal.reason as Error) ?? new Error('aborted'));
    else watchNextSocket(this);
  }

  onSocket(reused: boolean, socket: WatchedSocket): void {
    this.#reused = reused;
    this.#socket = socket;
    this.#bytesBefore = socket.bytesRead ?? 0;
  }

  /** True when the request went out on a reused connection and not one byte of a reply came back. */
  #failedBeforeReplyOnReused(): boolean {
    if (!this.#reused || this.#replyStarted) return false;
    const bytesRead = this.#socket?.bytesRead;
    return typeof bytesRead === 'number' && bytesRead === this.#bytesBefore;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string,
  ): void {
    this.#replyStarted = true;
    if (statusCode < 200) return; // 1xx informational (100, 102, 103): the reply is still to come
    this.#status = statusCode;
    this.#statusText = statusMessage ?? '';
    const length = headers['content-length'];
    const declared = typeof length === 'string' ? Number(length) : Number.NaN;
    if (Number.isFinite(declared) && declared > this.#max) this.#stop(controller, tooLarge(this.#max));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#replyStarted = true;
    if (this.#settled) return;
    this.#size += chunk.length;
    if (this.#size > this.#max) this.#stop(controller, tooLarge(this.#max));
    else this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#signal.removeEventListener('abort', this.#onAbort);
    const bytes = Buffer.concat(this.#chunks, this.#size);
    this.#chunks = [];
    try {
      this.#resolve({ status: this.#status, statusText: this.#statusText, body: decodeUtf8(bytes) });
    } catch (err) {
      this.#reject(err);
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.#failedBeforeReplyOnReused()) noteStaleConnectionFailure(err);
    this.#fail(err);
  }

  #stop(controller: Dispatcher.DispatchController, err: LuminateError): void {
    this.#fail(err);
    controller.abort(err);
  }

  #fail(err: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#chunks = [];
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#reject(err);
  }
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
 * One POST, through undici's dispatch() and not request(): the stale-connection retry (retryOnce)
 * must know that this request went out on a reused socket and failed before any reply byte.
 * Only a dispatch handler learns that: its onRequestStart runs synchronously just before undici
 * publishes the socket it writes on (see socket-reuse.ts); request() hides its handler, and
 * tying its request to that publication would take a second, more fragile hook. No cookies are
 * ever sent (undici has no cookie jar and we add no Cookie header), redirects are not followed,
 * and the body is read with a byte cap. Network errors are rejected as undici raised them; the
 * caller maps them.
 */
function post(req: PostRequestBase, body: string, headers: Record<string, string>): Promise<PostResult> {
  const { origin, path } = req.target;
  return new Promise<PostResult>((resolve, reject) => {
    if (req.signal.aborted) {
      reject(req.signal.reason);
      return;
    }
    const reader = new ReplyReader(req.maxResponseBytes, req.signal, resolve, reject);
    req.dispatcher.dispatch({
      origin,
      path,
      method: 'POST',
      headersTimeout: req.headersTimeoutMs,
      bodyTimeout: req.bodyTimeoutMs,
      headers: { ...headers, accept: req.accept, 'user-agent': USER_AGENT },
      body,
    }, reader);
  });
}

/** One POST with a form body (the server API). */
export function postForm(req: PostFormRequest): Promise<PostResult> {
  return post(req, req.form, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
}

/** One POST with a SOAP 1.1 envelope (Web Services). */
export function postXml(req: PostXmlRequest): Promise<PostResult> {
  return post(req, req.xml, { 'content-type': 'text/xml; charset=utf-8', soapaction: req.soapAction });
}
