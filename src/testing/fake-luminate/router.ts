import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleClientApi } from './client-api';
import type { Call, SiteContext } from './context';
import { handleEstablishSession } from './establish-session';
import { resetIfReused } from './faults';
import { BodyTooLargeError, isFormBody, parseCookies, parseForm, readBody, sendText } from './http-io';
import { normalizeIp } from './options';
import { handleDonationPage, handleNotFound } from './pages';
import { handleServerApi } from './server-api';
import { handleWebServices } from './web-services';
import type { FakeRequestRecord } from './types';

type Handler = (ctx: SiteContext, call: Call) => void | Promise<void>;

const SERVLETS = new Map<string, Handler>([
  ['SRConsAPI', handleServerApi],
  ['CRConsAPI', handleClientApi],
  ['EstablishSession', handleEstablishSession],
  ['Donation2', handleDonationPage],
]);

/** `<orgPath>/site/<Servlet>[;jsessionid=<id>]` → servlet and routing id; anything else null. */
export function matchServlet(orgPath: string, path: string): { servlet: string; jsessionid?: string } | null {
  const prefix = `${orgPath}/site/`;
  if (!path.startsWith(prefix)) return null;
  const rest = path.slice(prefix.length);
  const m = /^([A-Za-z0-9]+)(?:;jsessionid=([^/;]*))?$/.exec(rest);
  if (!m || !SERVLETS.has(m[1]!)) return null;
  return m[2] === undefined ? { servlet: m[1]! } : { servlet: m[1]!, jsessionid: m[2] };
}

/** Parse, record, dispatch. Parameters: query string merged with the form body (body wins). */
export async function route(ctx: SiteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q + 1);
  const match = matchServlet(ctx.config.orgPath, path);
  const api = match?.servlet === 'SRConsAPI' || path === ctx.config.webServicesPath;
  if (resetIfReused(ctx.faults(), req.socket, api)) {
    ctx.state.requests.push({
      method: req.method ?? '', path, query, body: {}, headers: { ...req.headers },
      remoteAddress: normalizeIp(req.socket.remoteAddress), at: ctx.config.now(), outcome: 'fault resetReusedConnections',
    });
    return;
  }
  let bodyText = '';
  let tooLarge = false;
  try {
    bodyText = await readBody(req);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    tooLarge = true;
  }
  const body = isFormBody(req) ? parseForm(bodyText) : {};
  const params = { ...parseForm(query), ...body };
  const record: FakeRequestRecord = {
    method: req.method ?? '',
    path,
    query,
    body,
    headers: { ...req.headers },
    remoteAddress: normalizeIp(req.socket.remoteAddress),
    ...(params.method !== undefined ? { apiMethod: params.method } : {}),
    at: ctx.config.now(),
  };
  ctx.state.requests.push(record);
  const call: Call = {
    req,
    res,
    params,
    bodyText,
    cookies: parseCookies(req.headers.cookie),
    record,
    ...(match?.jsessionid !== undefined ? { jsessionid: match.jsessionid } : {}),
  };
  if (tooLarge) {
    record.outcome = 'http 413';
    sendText(res, 413, 'Payload Too Large', { connection: 'close' });
    return;
  }
  if (path === ctx.config.webServicesPath) {
    await handleWebServices(ctx, call);
    return;
  }
  const handler = match ? SERVLETS.get(match.servlet) : undefined;
  if (!handler) {
    handleNotFound(call);
    return;
  }
  await handler(ctx, call);
}
