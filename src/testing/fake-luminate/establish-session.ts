import type { Call, SiteContext } from './context';
import { isRedirectableUrl, sendRedirect, sendText, sessionCookie } from './http-io';

/**
 * `GET <base>/site/EstablishSession[;jsessionid=<routing_id>]?NONCE_TOKEN=..&NEXTURL=..`:
 * a valid unused nonce logs the browser in; any other nonce still sends the visitor on to
 * NEXTURL, as a guest, which is what a real site does (the record's outcome is `nonce-rejected`).
 */
export function handleEstablishSession(ctx: SiteContext, call: Call): void {
  const { req, res, record, params } = call;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    record.outcome = 'http 405';
    sendText(res, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
    return;
  }
  const next = params.NEXTURL ?? '';
  if (!isRedirectableUrl(next)) {
    record.outcome = 'http 400';
    sendText(res, 400, 'NEXTURL must be an absolute http(s) URL.');
    return;
  }
  const issued = ctx.state.redeemNonce(params.NONCE_TOKEN ?? '');
  if (!issued) {
    record.outcome = 'nonce-rejected';
    sendRedirect(res, next);
    return;
  }
  record.outcome = 'ok';
  const sessionId = ctx.state.startSession(issued.consId);
  sendRedirect(res, next, [sessionCookie(sessionId, ctx.secure)]);
}
