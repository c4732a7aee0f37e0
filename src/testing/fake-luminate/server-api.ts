import { CONSTITUENT_METHODS } from './constituent-api';
import { LOGIN_METHODS } from './login-api';
import type { Call, SiteContext } from './context';
import { answerWithFaults } from './faults';
import { errorReply, formatOf, reply, type Reply, type ReplyValue } from './format';
import { normalizeIp } from './options';

type ServerMethod = (ctx: SiteContext, call: Call) => Reply;

/** `SRConsAPI?method=getSingleSignOnToken`: a token (and nonce) for one constituent. */
function getSingleSignOnToken(ctx: SiteContext, call: Call): Reply {
  const { params, record } = call;
  const consId = params.cons_id ?? '';
  const memberId = params.member_id ?? '';
  let found;
  if (consId !== '') {
    found = ctx.state.findByConsId(consId); // cons_id given: only cons_id is searched
  } else if (memberId !== '') {
    const matches = ctx.state.findByMemberId(memberId);
    if (matches.length > 1) return fail(call, 8);
    found = matches[0];
  } else {
    return fail(call, 1);
  }
  // [?] real sites answer 1 or 16 for an unknown id; the stand-in picks 16.
  if (!found) return fail(call, 16);
  const { config } = ctx;
  const issued = ctx.state.issueToken(found.consId, config.issueNonces, config.tokenTtlSeconds);
  const value: Record<string, ReplyValue> = { token: issued.token, cons_id: issued.consId };
  if (config.issueNonces) {
    value.nonce = issued.nonce ?? null;
    value.routing_id = issued.routingId;
    value.JSESSIONID = issued.jsessionId;
  }
  record.outcome = 'ok';
  return reply(200, 'getSingleSignOnTokenResponse', value, formatOf(params));
}

const METHODS = new Map<string, ServerMethod>([['getSingleSignOnToken', getSingleSignOnToken], ...CONSTITUENT_METHODS, ...LOGIN_METHODS]);

function fail(call: Call, code: number, status?: number): Reply {
  call.record.outcome = status === 405 ? 'http 405' : `error ${code}`;
  return errorReply(code, call.params, status);
}

function sameText(a: string | undefined, b: string): boolean {
  return a !== undefined && a === b;
}

/**
 * Checks in the order a real site applies them: verb, version, api_key, IP white list, API admin
 * login, method name, then the method's own parameters.
 */
function serverReply(ctx: SiteContext, call: Call): Reply {
  const { params, req } = call;
  const method = METHODS.get(params.method ?? '');
  if (method && req.method !== 'POST') return fail(call, 14, 405);
  if (params.v !== '1.0') return fail(call, 1);
  if (!sameText(params.api_key, ctx.config.apiKey)) return fail(call, 2);
  const { allowedIps } = ctx.config;
  if (allowedIps && !allowedIps.includes(normalizeIp(req.socket.remoteAddress))) return fail(call, 4);
  const login = ctx.config.apiLogin;
  if (!sameText(params.login_name, login.name) || !sameText(params.login_password, login.password)) return fail(call, 3);
  if (!method) return fail(call, 6);
  return method(ctx, call);
}

export async function handleServerApi(ctx: SiteContext, call: Call): Promise<void> {
  await answerWithFaults(ctx, call, () => {
    const r = serverReply(ctx, call);
    if (r.status === 405) r.headers.allow = 'POST';
    return r;
  });
}
