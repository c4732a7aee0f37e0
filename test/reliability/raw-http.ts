import net from 'node:net';

export interface RawResponse {
  /** 0 when the server closed without an answer. */
  status: number;
  /** Header lines as received, names lower-cased, in order (duplicates kept). */
  headers: Array<[name: string, value: string]>;
  /** Everything before the blank line, as received. */
  head: string;
  body: string;
}

/**
 * Sends `request` byte for byte over a fresh loopback connection and reads the answer until the
 * server closes it (send `Connection: close`). For what an HTTP client would refuse to send:
 * raw CR/LF, bare LF, obs-folds, oversized request lines. Bounded by `timeoutMs`.
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(new Error(`no end of answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The server may close while we are still writing an oversized request: that is an answer too.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') {
        clearTimeout(timer);
        reject(err);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseRaw(Buffer.concat(chunks)));
    });
    // Not end(): Node's server drops a request whose client half-closes before the answer.
    socket.write(request);
  });
}

/** The head is kept byte for byte (latin1), the body is read as UTF-8. */
function parseRaw(bytes: Buffer): RawResponse {
  const end = bytes.indexOf('\r\n\r\n');
  const head = (end === -1 ? bytes : bytes.subarray(0, end)).toString('latin1');
  const body = end === -1 ? '' : bytes.subarray(end + 4).toString('utf8');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return colon === -1 ? [line.toLowerCase(), ''] : [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  return { status, headers, head, body };
}

/** `GET <target> HTTP/1.1` with a Host header, extra header lines as given, and Connection: close. */
export function getRequest(target: string, host: string, extraLines: string[] = []): string {
  return [`GET ${target} HTTP/1.1`, `Host: ${host}`, ...extraLines, 'Connection: close', '', ''].join('\r\n');
}
