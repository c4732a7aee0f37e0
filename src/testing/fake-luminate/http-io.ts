import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from './format';

/** Bodies above this are refused with 413; Luminate forms are tiny. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError(`request body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function isFormBody(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return type.toLowerCase().split(';')[0]!.trim() === 'application/x-www-form-urlencoded';
}

export function parseForm(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export const SESSION_COOKIE = 'FAKE_LO_SESSION';
export const REMEMBER_COOKIE = 'FAKE_LO_REMEMBER';

export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function clearSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function rememberCookie(value: string, secure: boolean): string {
  return `${REMEMBER_COOKIE}=${value}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function sendReply(res: ServerResponse, r: Reply, cookies: string[] = []): void {
  const headers: Record<string, string | string[]> = { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(r.status, headers);
  res.end(r.body);
}

export function sendText(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  sendReply(res, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra }, body: text });
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  sendReply(res, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body: html });
}

export function sendRedirect(res: ServerResponse, location: string, cookies: string[] = []): void {
  const headers: Record<string, string | string[]> = { location, 'cache-control': 'no-store', 'content-length': '0' };
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(302, headers);
  res.end();
}

/**
 * An absolute http(s) URL made of printable ASCII only, so it can go into a Location header
 * byte for byte (signatures are computed over exactly what is sent).
 */
export function isRedirectableUrl(url: string): boolean {
  if (!/^[\x21-\x7e]+$/.test(url)) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
