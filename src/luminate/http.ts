import { subscribe } from 'node:diagnostics_channel';
import type { Dispatcher } from 'undici';
import { LuminateError } from '../errors';
import { noteStaleConnectionFailure } from './network-errors';

/** Sent as User-Agent, so Luminate's logs can tell where calls come from. */
const USER_AGENT = 'luminate-sso-bridge/0.1.0';

/** What every POST to Luminate needs besides its body. */
interface PostRequestBase {
  dispatcher: Dispatcher;
  target: PostTarget;
  accept: string;
  /** The call's deadline joined with the caller's signal (see startDeadline). */
  signal: AbortSignal;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxResponseBytes: number;
}

export interface PostResult {
  status: number;
  /** The HTTP reason phrase as sent (Luminate names a wrong Web Services path there). Not sanitized. */
  statusText: string;
  body: string;
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

function tooLarge(max: number): LuminateError {
  return new LuminateError('LUMINATE_RESPONSE_TOO_LARGE', `Luminate's reply is larger than maxResponseBytes (${max} bytes)`);
}

/**
 * Whether undici wrote a request on a socket that had carried one before (a pooled keep-alive
 * connection). undici publishes `undici:client:sendHeaders` with the socket right after calling the
 * handler's onRequestStart, synchronously (client-h1 writeH1); so the handler registers itself there
 * and the next publication is its own. A request this cannot place (HTTP/2, a socket older than this
 * module) counts as on a new socket: never retried as a stale one.
 */
const carried = new WeakSet<object>();
let waiting: ReplyReader | undefined;

subscribe('undici:client:sendHeaders', (message: unknown) => {
  const socket = (message as { socket?: unknown } | null)?.socket;
  if (typeof socket !== 'object' || socket === null) return;
  const reused = carried.has(socket);
  carried.add(socket);
  const watcher = waiting;
  waiting = undefined;
  watcher?.onSocket(reused, socket as { bytesRead?: number });
});

function watchNextSocket(watcher: ReplyReader): void {
  waiting = watcher;
  // No publication by then (aborted, HTTP/2): never let a later request's socket be reported to this one.
  queueMicrotask(() => {
    if (waiting === watcher) waiting = undefined;
  });
}

/**
 * Collects one reply for dispatch(): status and body up to `max` bytes. Over the cap (declared or
 * received) the request is aborted, which closes the socket rather than pooling a half-read one.
 * Settles once: with the reply, or the first error (undici's, the cap's, or the signal's reason, even
 * while waiting for a free connection). A failure on a reused connection before any reply byte is
 * noted (noteStaleConnectionFailure) so the caller may retry it.
 */
class ReplyReader implements Dispatcher.DispatchHandler {
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
  #reused = false;
  /** The socket, and how many bytes it had received when the request went out. */
  #socket: { bytesRead?: number } | undefined;
  #bytesBefore = 0;
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
    if (this.#settled) controller.abort((this.#signal.reason as Error) ?? new Error('aborted'));
    else watchNextSocket(this);
  }

  onSocket(reused: boolean, socket: { bytesRead?: number }): void {
    this.#reused = reused;
    this.#socket = socket;
    this.#bytesBefore = socket.bytesRead ?? 0;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string,
  ): void {
    if (statusCode < 200) return; // 1xx informational: the reply is still to come
    this.#status = statusCode;
    this.#statusText = statusMessage ?? '';
    const length = headers['content-length'];
    const declared = typeof length === 'string' ? Number(length) : Number.NaN;
    if (Number.isFinite(declared) && declared > this.#max) this.#stop(controller, tooLarge(this.#max));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
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
    // On a reused connection, not one byte came back since the request went out: a stale keep-alive connection.
    const bytesRead = this.#socket?.bytesRead;
    if (this.#reused && typeof bytesRead === 'number' && bytesRead === this.#bytesBefore) {
      noteStaleConnectionFailure(err);
    }
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

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', "Luminate's reply is not valid UTF-8");
  }
}

/**
 * One POST through undici's dispatch(), not request(): only a dispatch handler can learn that the
 * request went out on a reused socket and failed before any reply byte (the stale-connection retry).
 * No cookies are sent, redirects are not followed, the body is read with a byte cap. Network errors
 * are rejected as undici raised them; the caller maps them.
 */
function post(req: PostRequestBase, body: string, headers: Record<string, string>): Promise<PostResult> {
  return new Promise<PostResult>((resolve, reject) => {
    if (req.signal.aborted) {
      reject(req.signal.reason);
      return;
    }
    const reader = new ReplyReader(req.maxResponseBytes, req.signal, resolve, reject);
    req.dispatcher.dispatch({
      ...req.target,
      method: 'POST',
      headersTimeout: req.headersTimeoutMs,
      bodyTimeout: req.bodyTimeoutMs,
      headers: { ...headers, accept: req.accept, 'user-agent': USER_AGENT },
      body,
    }, reader);
  });
}

/** One POST with a form body (the server API); the body may carry secrets: never log it. */
export function postForm(req: PostRequestBase & { form: string }): Promise<PostResult> {
  return post(req, req.form, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
}

/** One POST with a SOAP 1.1 envelope (Web Services); `soapAction` quotes included (e.g. `""`). Never log the body. */
export function postXml(req: PostRequestBase & { xml: string; soapAction: string }): Promise<PostResult> {
  return post(req, req.xml, { 'content-type': 'text/xml; charset=utf-8', soapaction: req.soapAction });
}
