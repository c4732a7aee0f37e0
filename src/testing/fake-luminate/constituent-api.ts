import type { Call, SiteContext } from './context';
import { errorReply, formatOf, reply, type Reply, type ReplyValue } from './format';
import type { FakeConstituent } from './types';

/**
 * SRConsAPI `getUser` and `create`, as luminate-api.md describes them ("Finding and creating
 * constituents"). Both are reached through server-api.ts, after its key/IP/login checks.
 */

/** First cons_id the stand-in hands out to records it creates (then the next free number). */
const FIRST_NEW_CONS_ID = 2_000_001;

function fail(call: Call, code: number): Reply {
  call.record.outcome = `error ${code}`;
  return errorReply(code, call.params);
}

function sameEmail(a: string | undefined, b: string): boolean {
  return a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function findByEmail(ctx: SiteContext, email: string): FakeConstituent[] {
  return ctx.state.constituents.filter((c) => sameEmail(c.email, email));
}

/** What getUser shows of a record; empty fields are nil, as on a real site. */
function userRecord(c: FakeConstituent): ReplyValue {
  return {
    cons_id: c.consId,
    member_id: c.memberId ?? null,
    email: { primary_address: c.email ?? null },
    name: { first: c.firstName ?? null, last: c.lastName ?? null },
  };
}

/**
 * `getUser`: one record by `cons_id`, else `member_id`, else `primary_email` (trimmed,
 * case-insensitive). Several matches → 8. [?] Nothing found: the stand-in answers 16, the
 * documented "record not found" code (a real site may say 1 with "does not exist").
 * `fields` is accepted and ignored (every field is returned).
 */
export function getUser(ctx: SiteContext, call: Call): Reply {
  const { params, record } = call;
  const consId = params.cons_id ?? '';
  const memberId = params.member_id ?? '';
  const email = params.primary_email ?? '';
  let matches: FakeConstituent[];
  if (consId !== '') {
    const found = ctx.state.findByConsId(consId);
    matches = found ? [found] : [];
  } else if (memberId !== '') {
    matches = ctx.state.findByMemberId(memberId);
  } else if (email.trim() !== '') {
    matches = findByEmail(ctx, email);
  } else {
    return fail(call, 1);
  }
  if (matches.length > 1) return fail(call, 8);
  const found = matches[0];
  if (!found) return fail(call, 16);
  record.outcome = 'ok';
  return reply(200, 'getConsResponse', userRecord(found), formatOf(params));
}

function nextConsId(ctx: SiteContext): string {
  const taken = new Set(ctx.state.constituents.map((c) => c.consId));
  let id = FIRST_NEW_CONS_ID + ctx.state.constituents.length;
  for (let i = 0; i <= taken.size && taken.has(String(id)); i += 1) id += 1;
  return String(id);
}

/**
 * `create`: adds a record with `primary_email`, `member_id`, `name.first`, `name.last`,
 * `user_name`, and the `source` / `sub_source` of the call, and answers `createConsResponse`
 * with the new cons_id ([code]: the reply integrations read). Duplicates: 13 for the email, 11
 * for the member id, 12 for the user name. No primary_email: 9. With
 * `get_single_sign_on_token=true` the reply also carries a token, as the vendor documents.
 */
export function create(ctx: SiteContext, call: Call): Reply {
  const { params, record } = call;
  const email = (params.primary_email ?? '').trim();
  if (email === '') return fail(call, 9);
  if (findByEmail(ctx, email).length > 0) return fail(call, 13);
  const memberId = params.member_id || undefined;
  if (memberId !== undefined && ctx.state.findByMemberId(memberId).length > 0) return fail(call, 11);
  const userName = params.user_name || undefined;
  if (userName !== undefined && ctx.state.constituents.some((c) => c.userName === userName)) return fail(call, 12);
  const created: FakeConstituent = {
    consId: nextConsId(ctx),
    email,
    ...(memberId !== undefined ? { memberId } : {}),
    ...(params['name.first'] ? { firstName: params['name.first'] } : {}),
    ...(params['name.last'] ? { lastName: params['name.last'] } : {}),
    ...(userName !== undefined ? { userName } : {}),
    ...(params.source ? { source: params.source } : {}),
    ...(params.sub_source ? { subSource: params.sub_source } : {}),
  };
  ctx.state.addConstituent(created);
  const value: Record<string, ReplyValue> = { cons_id: created.consId, message: 'User created.' };
  if (params.get_single_sign_on_token === 'true') {
    const issued = ctx.state.issueToken(created.consId, ctx.config.issueNonces, ctx.config.tokenTtlSeconds);
    value.token = issued.token;
    if (issued.nonce !== undefined) value.nonce = issued.nonce;
  }
  record.outcome = 'ok';
  return reply(200, 'createConsResponse', value, formatOf(params));
}

/** The methods this file adds to SRConsAPI. */
export const CONSTITUENT_METHODS: ReadonlyArray<[string, (ctx: SiteContext, call: Call) => Reply]> = [
  ['getUser', getUser],
  ['create', create],
];
