import { subscribe } from 'node:diagnostics_channel';

/**
 * Tells a request whether undici wrote it on a socket that had already carried a request (a
 * pooled keep-alive connection) or on a new one. undici does not say so in its handler API, but
 * it publishes `undici:client:sendHeaders` with the socket right before writing a request, and it
 * calls the handler's onRequestStart synchronously just before that, in the same function
 * (client-h1 writeH1). So a handler registers itself in onRequestStart with watchNextSocket(), and
 * the next publication (the same request's) tells it. Sockets are remembered in a WeakSet, so
 * nothing is kept alive by this. A request this cannot place (HTTP/2, a socket that carried
 * requests before this module loaded) counts as on a new socket: never retried as a stale one.
 */

/** What a watcher learns of the socket (a net.Socket or tls.TLSSocket). */
export interface WatchedSocket {
  /** Bytes received on it so far. */
  readonly bytesRead?: number;
}

export interface SocketWatcher {
  onSocket(reused: boolean, socket: WatchedSocket): void;
}

/** Every socket undici has written a request on, in this process. */
const carried = new WeakSet<object>();
let waiting: SocketWatcher | undefined;

function onSendHeaders(message: unknown): void {
  const socket = (message as { socket?: unknown } | null)?.socket;
  if (typeof socket !== 'object' || socket === null) return;
  const reused = carried.has(socket);
  carried.add(socket);
  const watcher = waiting;
  waiting = undefined;
  watcher?.onSocket(reused, socket as WatchedSocket);
}

subscribe('undici:client:sendHeaders', onSendHeaders);

/** Called from onRequestStart: the socket of the request being written now is reported to `watcher`. */
export function watchNextSocket(watcher: SocketWatcher): void {
  waiting = watcher;
  // The publication comes synchronously after onRequestStart or not at all (the request was
  // aborted, or went out over HTTP/2): never let a later request's socket be reported to this one.
  queueMicrotask(() => {
    if (waiting === watcher) waiting = undefined;
  });
}
