import type { Call, SiteContext } from './context';
import { formatOf, reply, type Reply, type ReplyValue } from './format';
import { AUTHENTICATION_COLUMNS } from './options';
import { loginSignature } from './sign';
import type { FakeConstituent } from './types';

/**
 * SRConsAPI `login` and `authenticateUser` (luminate-api.md "Other methods"; seed 003). Reached
 * through server-api.ts after its key / IP / API administrator checks. Both answer a signed
 * `loginResponse`: signature = hex(HASH(cons_id + timestamp + API secret key)) [code].
 */

/**
 * [code] Integrations treat errorResponse codes 200, 201, 202 and 204 from `login` as "wrong user
 * name or password"; the stand-in answers 202 for any refused credentials, for both methods
 * ([?] what authenticateUser answers on a real site is not documented), never saying which
 * field was wrong.
 */
export const CREDENTIALS_REFUSED_CODE = 202;
/** Seed 003: "No fields are configured to support authentication." (the code, 33, per the issue). */
export const NO_AUTH_FIELDS_CODE = 33;

const MESSAGES: Record<number, string> = {
  8: 'The request matched more than one constituent record.',
  9: 'Required parameters are missing.',
  [CREDENTIALS_REFUSED_CODE]: 'Invalid login credentials.',
  [NO_AUTH_FIELDS_CODE]: 'No fields are configured to support authentication.',
};

function refuse(call: Call, code: number): Reply {
  call.record.outcome = `error ${code}`;
  const status = call.params.suppress_response_codes === 'true' ? 200 : 403;
  return reply(status, 'errorResponse', { code: String(code), message: MESSAGES[code] ?? 'Unable to process request.' }, formatOf(call.params));
}

function same(a: string | undefined, b: string): boolean {
  return a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * The signed reply. As for getSingleSignOnToken, the server API logs the constituent in and hands
 * back a token and a nonce for EstablishSession (with `issueNonces: false`, as older sites and the
 * seed's example, they are nil).
 */
function loginReply(ctx: SiteContext, call: Call, c: FakeConstituent): Reply {
  const { config, state } = ctx;
  const timestamp = String(Math.floor(config.now() / 1000));
  const value: Record<string, ReplyValue> = {
    cons_id: c.consId,
    timestamp,
    signature: loginSignature(config.signatureAlgorithm, c.consId, timestamp, config.apiSecretKey),
    token: null,
    nonce: null,
    JSESSIONID: null,
    routing_id: null,
  };
  if (config.issueNonces) {
    const issued = state.issueToken(c.consId, true, config.tokenTtlSeconds);
    value.token = issued.token;
    value.nonce = issued.nonce ?? null;
    value.JSESSIONID = issued.jsessionId;
    value.routing_id = issued.routingId;
  }
  call.record.outcome = 'ok';
  return reply(200, 'loginResponse', value, formatOf(call.params));
}

/** `login`: a Luminate user name (case-insensitive) and its password (exact). */
export function login(ctx: SiteContext, call: Call): Reply {
  const userName = call.params.user_name ?? '';
  const password = call.params.password ?? '';
  if (userName.trim() === '' || password === '') return refuse(call, 9);
  const found = ctx.state.constituents.find((c) => same(c.userName, userName) && c.password === password);
  return found ? loginReply(ctx, call, found) : refuse(call, CREDENTIALS_REFUSED_CODE);
}

/**
 * `authenticateUser`: every field of `authenticationFields` must be sent (else 9 [?]) and match
 * one record (trimmed, case-insensitive). None configured → 33; several records → 8.
 */
export function authenticateUser(ctx: SiteContext, call: Call): Reply {
  const fields = ctx.config.authenticationFields;
  if (fields.length === 0) return refuse(call, NO_AUTH_FIELDS_CODE);
  const given = fields.map((f) => [AUTHENTICATION_COLUMNS[f], call.params[f] ?? ''] as const);
  if (given.some(([, v]) => v.trim() === '')) return refuse(call, 9);
  const matches = ctx.state.constituents.filter((c) => given.every(([key, v]) => same(c[key], v)));
  if (matches.length > 1) return refuse(call, 8);
  return matches[0] ? loginReply(ctx, call, matches[0]) : refuse(call, CREDENTIALS_REFUSED_CODE);
}

/** The methods this file adds to SRConsAPI. */
export const LOGIN_METHODS: ReadonlyArray<[string, (ctx: SiteContext, call: Call) => Reply]> = [
  ['login', login],
  ['authenticateUser', authenticateUser],
];
