import type { Call, SiteContext } from './context';
import { ERROR_MESSAGES, errorReply, formatOf, reply, type ResponseFormat, type ReplyValue } from './format';
import {
  REMEMBER_COOKIE, SESSION_COOKIE, clearSessionCookie, isRedirectableUrl, rememberCookie,
  sendRedirect, sendReply, sendText, sessionCookie,
} from './http-io';
import { fillPlaceholders, loginSignature, signRedirect } from './sign';

type Result =
  | { ok: true; root: string; value: (f: ResponseFormat) => ReplyValue; consId?: string; cookies: string[] }
  | { ok: false; code: number; cookies: string[] };

interface ClientMethod {
  verbs: readonly string[];
  run(ctx: SiteContext, call: Call): Result;
}

/**
 * [?] What a real site answers to loginTest for a guest is not documented; the stand-in uses
 * error 202 "User is not logged in." (clients must treat any errorResponse as "not logged in").
 */
export const NOT_LOGGED_IN_CODE = 202;

const singleSignOn: ClientMethod = {
  verbs: ['POST'],
  run(ctx, call) {
    const issued = ctx.state.redeemToken(call.params.sso_auth_token ?? '');
    if (!issued) return { ok: false, code: 7, cookies: [] };
    const sessionId = ctx.state.startSession(issued.consId);
    const cookies = [sessionCookie(sessionId, ctx.secure)];
    if (call.params.remember_me === 'true') cookies.push(rememberCookie(ctx.state.remember(issued.consId), ctx.secure));
    return {
      ok: true,
      root: 'singleSignOnMethodResponse',
      // The newer doc page's JSON shape; XML carries the session id as text.
      value: (f) => (f === 'json' ? { content: sessionId } : sessionId),
      consId: issued.consId,
      cookies,
    };
  },
};

const logout: ClientMethod = {
  verbs: ['GET', 'POST'],
  run(ctx, call) {
    const sessionId = call.cookies[SESSION_COOKIE];
    const consId = ctx.state.sessionConsId(sessionId);
    if (sessionId !== undefined) ctx.state.sessions.delete(sessionId);
    const remembered = call.cookies[REMEMBER_COOKIE];
    if (remembered !== undefined) ctx.state.remembered.delete(remembered);
    return {
      ok: true,
      root: 'loginResponse',
      value: () => ({ message: 'User logged out successfully.' }),
      ...(consId !== undefined ? { consId } : {}),
      cookies: [clearSessionCookie(ctx.secure)],
    };
  },
};

const loginTest: ClientMethod = {
  verbs: ['POST'], // GET was dropped in 2020
  run(ctx, call) {
    const consId = ctx.state.sessionConsId(call.cookies[SESSION_COOKIE]);
    if (consId === undefined) return { ok: false, code: NOT_LOGGED_IN_CODE, cookies: [] };
    const timestamp = String(Math.floor(ctx.config.now() / 1000));
    const { signatureAlgorithm, apiSecretKey } = ctx.config;
    return {
      ok: true,
      root: 'loginResponse',
      value: () => ({
        cons_id: consId,
        timestamp,
        signature: loginSignature(signatureAlgorithm, consId, timestamp, apiSecretKey),
        token: null,
        nonce: null,
        JSESSIONID: null,
        routing_id: null,
      }),
      consId,
      cookies: [],
    };
  },
};

const METHODS = new Map<string, ClientMethod>([
  ['singleSignOn', singleSignOn],
  ['logout', logout],
  ['loginTest', loginTest],
]);

function run(ctx: SiteContext, call: Call, method: ClientMethod | undefined): Result {
  const { params } = call;
  if (params.v !== '1.0') return { ok: false, code: 1, cookies: [] };
  if (params.api_key !== ctx.config.apiKey) return { ok: false, code: 2, cookies: [] };
  if (!method) return { ok: false, code: 6, cookies: [] };
  return method.run(ctx, call);
}

/** `CRConsAPI`: what the visitor's browser posts to. Errors and successes may end in a redirect. */
export function handleClientApi(ctx: SiteContext, call: Call): void {
  const { params, req, res, record } = call;
  const method = METHODS.get(params.method ?? '');
  if (method && !method.verbs.includes(req.method ?? '')) {
    record.outcome = 'http 405';
    const refused = errorReply(14, params, 405);
    refused.headers.allow = method.verbs.join(', ');
    sendReply(res, refused);
    return;
  }
  const targets = [params.success_redirect, params.error_redirect, params.redirect].filter((t) => t);
  if (targets.some((t) => !isRedirectableUrl(t!))) {
    record.outcome = 'http 400';
    sendText(res, 400, 'Invalid redirect URL: it must be an absolute http(s) URL.');
    return;
  }
  const result = run(ctx, call, method);
  record.outcome = result.ok ? 'ok' : `error ${result.code}`;
  const target = result.ok ? params.success_redirect || params.redirect : params.error_redirect || params.redirect;
  if (target) {
    let url = result.ok
      ? fillPlaceholders(target, result.consId !== undefined ? { consId: result.consId } : {})
      : fillPlaceholders(target, { code: result.code, message: ERROR_MESSAGES[result.code] ?? '' });
    if (params.sign_redirects === 'true') {
      const { apiSecretKey, signatureAlgorithm, signatureParam, signatureIncludesParamName } = ctx.config;
      url = signRedirect(
        url,
        { secret: apiSecretKey, algorithm: signatureAlgorithm, param: signatureParam, includeParamName: signatureIncludesParamName },
        Math.floor(ctx.config.now() / 1000),
      );
    }
    sendRedirect(res, url, result.cookies);
    return;
  }
  const format = formatOf(params);
  sendReply(res, result.ok ? reply(200, result.root, result.value(format), format) : errorReply(result.code, params), result.cookies);
}
