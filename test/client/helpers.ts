import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LuminateClient } from '../../src/luminate/luminate-client';
import type { LuminateClientOptions } from '../../src/luminate/types';
import { isLuminateError, type LuminateError } from '../../src/errors';

export const PASSWORD = 'Sup3r-Secret-Admin-Pw!';
export const TOKEN = '5F8p37tMzmB9qfjoXd9i2nkb_INrxXfa8wL7rbpSQkm5gwEgRQV5F6YmJwfKbIIgbHbeqaJcGNLWGdJqrxegrw..';
export const NONCE = 'nonce-9d2f0c1e7b5a4e33a1c0';
export const API_KEY = 'test-api-key';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  form: URLSearchParams;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, recorded: RecordedRequest) => void;

export interface TestServer {
  origin: string;
  secureUrl: string;
  port: number;
  requests: RecordedRequest[];
  /** Sockets currently open on the server side. */
  openSockets: Set<Socket>;
  connectionCount: () => number;
  close: () => Promise<void>;
}

/** A loopback HTTP(S) server; the handler runs once the request body has been read. */
export async function startServer(handler: Handler, tls?: { key: Buffer; cert: Buffer }): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const openSockets = new Set<Socket>();
  let connections = 0;
  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, form: new URLSearchParams(body) };
      requests.push(recorded);
      handler(req, res, recorded);
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, listener) : http.createServer(listener);
  const onSocket = (socket: Socket): void => {
    connections += 1;
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
  };
  server.on(tls ? 'secureConnection' : 'connection', onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    origin,
    secureUrl: `${origin}/testorg`,
    port,
    requests,
    openSockets,
    connectionCount: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function clientFor(secureUrl: string, overrides: Partial<LuminateClientOptions> = {}): LuminateClient {
  return new LuminateClient({
    secureUrl,
    apiKey: API_KEY,
    apiLogin: { name: 'apiadmin', password: PASSWORD },
    timeoutMs: 3000,
    ...overrides,
  });
}

export const xmlToken = (fields: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<getSingleSignOnTokenResponse xmlns="http://convio.com/crm/v1.0" ` +
  `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${fields}</getSingleSignOnTokenResponse>`;

export const xmlError = (code: string, message: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<errorResponse xmlns="http://convio.com/crm/v1.0"><code>${code}</code><message>${message}</message></errorResponse>`;

export function send(res: http.ServerResponse, status: number, body: string | Buffer, type = 'text/xml;charset=UTF-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The LuminateError a promise rejects with (fails the test when it resolves or throws something else). */
export async function rejection(promise: Promise<unknown>): Promise<LuminateError> {
  try {
    await promise;
  } catch (err) {
    if (isLuminateError(err)) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** A self-signed certificate for 127.0.0.1/localhost, made with openssl in a temp dir. */
export function makeSelfSignedCert(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'lsb-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c'),
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-days', '1',
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'k')), cert: readFileSync(join(dir, 'c')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits (bounded) until `check` is true. */
export async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
