import { STATUS_CODES } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Call, SiteContext } from './context';
import { CONTENT_TYPES, ERROR_MESSAGES, formatOf, type Reply } from './format';
import { sendHtml, sendReply, sendText } from './http-io';
import type { FakeFaults, FakeRawReply } from './types';

const SWITCHES = [
  'latencyMs', 'status', 'maintenancePage', 'malformedBody', 'reset', 'neverEndingBody', 'oversizedBodyBytes',
  'resetMidBody', 'rawReply', 'emptyFields', 'nullTextFields', 'jsonNumbers', 'ipInErrorMessage',
] as const;
/** Pause between the first half of a reply and the reset, so the client has seen the headers. */
const MID_BODY_PAUSE_MS = 30;
const PAD_CHUNK_BYTES = 64 * 1024;

/** Empty the switches in place, so a test holding `fake.faults` sees the change too. */
export function clearFaults(faults: FakeFaults): void {
  for (const key of Object.keys(faults) as (keyof FakeFaults)[]) delete faults[key];
}

/** The switches that apply to this request (a copy), counting down `times`. */
export function takeFaults(faults: FakeFaults): FakeFaults | undefined {
  if (!SWITCHES.some((k) => faults[k] !== undefined && faults[k] !== false && faults[k] !== 0)) return undefined;
  if (faults.times !== undefined && !(faults.times > 0)) {
    clearFaults(faults);
    return undefined;
  }
  const active: FakeFaults = { ...faults };
  if (faults.times !== undefined) {
    faults.times -= 1;
    if (faults.times <= 0) clearFaults(faults);
  }
  return active;
}

const MAINTENANCE_PAGE =
  '<!DOCTYPE html><html><head><title>Site Maintenance</title></head><body>' +
  '<h1>We are down for scheduled maintenance</h1><p>Please try again later.</p></body></html>';

function waitDrainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Stream the reply padded with whitespace inside the root element up to `size` bytes (chunked). */
async function sendOversized(res: ServerResponse, r: Reply, size: number): Promise<void> {
  const cut = r.body.lastIndexOf(r.body.trimEnd().endsWith('}') ? '}' : '</');
  const head = r.body.slice(0, cut);
  const tail = r.body.slice(cut);
  let padding = Math.max(0, size - Buffer.byteLength(r.body));
  const { 'content-length': _ignored, ...headers } = r.headers;
  res.writeHead(r.status, headers);
  if (!res.write(head)) await waitDrainOrClose(res);
  const chunk = ' '.repeat(PAD_CHUNK_BYTES);
  const maxChunks = Math.ceil(padding / PAD_CHUNK_BYTES);
  for (let i = 0; i < maxChunks && padding > 0 && !res.destroyed; i += 1) {
    const n = Math.min(padding, PAD_CHUNK_BYTES);
    padding -= n;
    if (!res.write(n === PAD_CHUNK_BYTES ? chunk : chunk.slice(0, n))) await waitDrainOrClose(res);
  }
  if (!res.destroyed) res.end(tail);
}

/** Cuts the connection with a TCP RST, like a dropped connection (TLS sockets cannot send one: closed). */
function resetSocket(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/** Headers, then the first half of the normal reply, then a reset: the client has a partial body. */
async function sendHalfThenReset(ctx: SiteContext, res: ServerResponse, r: Reply): Promise<void> {
  const bytes = Buffer.from(r.body);
  res.writeHead(r.status, { ...r.headers, 'content-length': String(bytes.length) });
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
  const fired = await ctx.timers.delay(MID_BODY_PAUSE_MS);
  if (fired && !res.destroyed) resetSocket(res.socket as Socket);
}

/** Sockets that have carried a request (for `resetReusedConnections`). */
const carriedRequest = new WeakSet<Socket>();

/**
 * The `resetReusedConnections` switch, asked first for every request: true (and the socket
 * reset) when it is on, the request is for an API (`api`: server API or Web Services, not a
 * browser's page), and it arrived on a connection that has carried a request before.
 */
export function resetIfReused(faults: FakeFaults, socket: Socket, api: boolean): boolean {
  const reused = carriedRequest.has(socket);
  carriedRequest.add(socket);
  if (!reused || !api || faults.resetReusedConnections !== true) return false;
  resetSocket(socket);
  return true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function reshapeJson(value: JsonValue, faults: FakeFaults, key?: string): JsonValue {
  if (key !== undefined && faults.emptyFields?.includes(key)) return {};
  if (key !== undefined && faults.nullTextFields?.includes(key)) return 'null';
  if (typeof value === 'string') return faults.jsonNumbers && /^(?:0|[1-9]\d{0,14})$/.test(value) ? Number(value) : value;
  if (Array.isArray(value)) return value.map((item) => reshapeJson(item, faults, key));
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: JsonValue } = {};
  for (const [name, item] of Object.entries(value)) out[name] = reshapeJson(item, faults, name);
  return out;
}

function reshapeXml(body: string, faults: FakeFaults): string {
  let out = body;
  const element = (name: string): RegExp => {
    const n = escapeRegExp(name);
    return new RegExp(`<${n}(?: xsi:nil="true")?/>|<${n}>[\\s\\S]*?</${n}>`, 'g');
  };
  for (const name of faults.emptyFields ?? []) out = out.replace(element(name), `<${name}/>`);
  for (const name of faults.nullTextFields ?? []) out = out.replace(element(name), `<${name}>null</${name}>`);
  return out;
}

/** The field-shape switches (`emptyFields`, `nullTextFields`, `jsonNumbers`, `ipInErrorMessage`) applied to a reply. */
function reshape(r: Reply, faults: FakeFaults, call: Call): Reply {
  let body = r.body;
  if (faults.ipInErrorMessage && call.record.outcome === 'error 4') {
    const message = ERROR_MESSAGES[4]!; // "Request not allowed from this IP address."
    body = body.replace(message, `${message.slice(0, -1)}: ${call.record.remoteAddress}`);
  }
  if (formatOf(call.params) === 'json') {
    if (faults.emptyFields || faults.nullTextFields || faults.jsonNumbers) body = JSON.stringify(reshapeJson(JSON.parse(body) as JsonValue, faults));
  } else {
    body = reshapeXml(body, faults);
  }
  return { ...r, body };
}

function sendRaw(res: ServerResponse, raw: FakeRawReply): void {
  const body = typeof raw.body === 'string' ? Buffer.from(raw.body, 'utf8') : Buffer.from(raw.body);
  const headers: Record<string, string> = { ...raw.headers };
  if (!raw.chunked) headers['content-length'] = String(body.length);
  res.writeHead(raw.status ?? 200, headers);
  res.end(body);
}

/**
 * Answer a server-API call through the fault switches. `answer` computes the normal reply; it is
 * only called when a fault needs its body (or none answers on its own).
 */
export async function answerWithFaults(ctx: SiteContext, call: Call, answer: () => Reply): Promise<void> {
  const { req, res, record } = call;
  const faults = takeFaults(ctx.faults());
  if (!faults) {
    sendReply(res, answer());
    return;
  }
  if (faults.latencyMs && faults.latencyMs > 0) {
    const fired = await ctx.timers.delay(faults.latencyMs);
    if (!fired || res.destroyed) return;
  }
  const format = formatOf(call.params);
  if (faults.reset) {
    record.outcome = 'fault reset';
    resetSocket(req.socket);
    return;
  }
  if (faults.rawReply) {
    record.outcome = 'fault rawReply';
    sendRaw(res, faults.rawReply);
    return;
  }
  if (faults.status) {
    record.outcome = 'fault status';
    sendText(res, faults.status, `${faults.status} ${STATUS_CODES[faults.status] ?? 'Error'}`);
    return;
  }
  if (faults.maintenancePage) {
    record.outcome = 'fault maintenancePage';
    sendHtml(res, 200, MAINTENANCE_PAGE);
    return;
  }
  if (faults.neverEndingBody) {
    record.outcome = 'fault neverEndingBody';
    res.writeHead(200, { 'content-type': CONTENT_TYPES[format], 'cache-control': 'no-store' });
    res.write(format === 'json' ? '{"getSingleSignOnTokenResponse":{' : '<?xml version="1.0" encoding="UTF-8"?>\n<getSingleSignOnTokenResponse>');
    return; // never ended; close() destroys the socket
  }
  const normal = reshape(answer(), faults, call);
  if (faults.malformedBody) {
    record.outcome = 'fault malformedBody';
    sendReply(res, { ...normal, status: 200, body: normal.body.slice(0, Math.floor(normal.body.length / 2)) });
    return;
  }
  if (faults.resetMidBody) {
    record.outcome = 'fault resetMidBody';
    await sendHalfThenReset(ctx, res, normal);
    return;
  }
  if (faults.oversizedBodyBytes && faults.oversizedBodyBytes > 0) {
    record.outcome = 'fault oversizedBodyBytes';
    await sendOversized(res, normal, faults.oversizedBodyBytes);
    return;
  }
  sendReply(res, normal); // latency, field shapes
}
