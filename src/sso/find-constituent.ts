import type { Request } from 'express';
import type { CallOptions } from '../luminate/types';
import { CONS_ID, CONTROL_CHARACTER, readRequiredId, type LuminateRecord } from '../luminate/values';
import { debugFor, maskEmail } from '../debug';
import { LuminateError, isLuminateError } from '../errors';
import { untilAborted } from '../util/abort';
import { checkEmail, type CheckedEmail } from './email';
import type { Attribution } from '../luminate/types';
import type { ProvisionDetails } from './options';
import type { StartContext } from './start-context';

const log = debugFor('sso');

/**
 * Where the bridge remembers, in the visitor's host session (`req.session`), the cons_id it
 * found for their email: `req.session.luminateSso = { email: <lowercased>, consId }`.
 */
export const SESSION_KEY = 'luminateSso';

export interface RememberedConstituent {
  /** The normalised (trimmed, lowercased) email the cons_id was found for. */
  email: string;
  consId: string;
}

type FindContext = Pick<StartContext, 'config' | 'client' | 'flight'>;

const GET_USER_ROOT = 'getConsResponse';
/** [code] Integrations read `createConsResponse.cons_id`; the vendor pages do not show the reply. */
const CREATE_ROOT = 'createConsResponse';
/** `create` refusing a duplicate: 11 (duplicate), 12 (user name), 13 (email), 8 (matched several). */
const DUPLICATE_CODES: ReadonlySet<number> = new Set([8, 11, 12, 13]);
const MAX_NAME_LENGTH = 255;
/** `create` parameters the bridge sets itself (or the client does); `fields` may not override them. */
const BRIDGE_FIELDS = new Set(['primary_email', 'name.first', 'name.last', 'member_id', 'cons_id', 'source', 'sub_source']);

function sessionOf(req: Request): Record<string, unknown> | undefined {
  const { session } = req as { session?: unknown };
  return typeof session === 'object' && session !== null ? (session as Record<string, unknown>) : undefined;
}

/** The cons_id remembered for this email in the visitor's session, if any. */
function recall(req: Request, email: CheckedEmail): string | undefined {
  const entry = sessionOf(req)?.[SESSION_KEY] as Partial<RememberedConstituent> | null | undefined;
  return entry?.email === email.key && typeof entry.consId === 'string' && CONS_ID.test(entry.consId) ? entry.consId : undefined;
}

/** Remembers `consId` for `email` in the visitor's session (also the click that used a prepared token). */
export function remember(req: Request, email: CheckedEmail, consId: string): void {
  const session = sessionOf(req);
  if (session !== undefined) session[SESSION_KEY] = { email: email.key, consId } satisfies RememberedConstituent;
}

export function forget(req: Request): void {
  delete sessionOf(req)?.[SESSION_KEY];
}

function consIdOf(record: LuminateRecord, root: string): string {
  const consId = readRequiredId(record, 'cons_id', root);
  if (!CONS_ID.test(consId)) throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', `Luminate sent a cons_id in ${root} that is not in the expected form`);
  return consId;
}

/** SRConsAPI `getUser` by `primary_email`: the cons_id, or undefined when no record has that email. */
async function getUserByEmail(client: FindContext['client'], email: CheckedEmail, call: CallOptions): Promise<string | undefined> {
  try {
    const record = await client.callServerApi('getUser', { primary_email: email.address }, GET_USER_ROOT, call);
    return consIdOf(record, GET_USER_ROOT);
  } catch (e) {
    if (isLuminateError(e) && e.code === 'LUMINATE_CONSTITUENT_NOT_FOUND') return undefined;
    throw e;
  }
}

function provisionFailed(message: string, cause?: unknown): LuminateError {
  return new LuminateError('SSO_PROVISION_FAILED', message, { cause });
}

function checkName(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH || CONTROL_CHARACTER.test(value)) {
    throw provisionFailed(`The provision hook's ${field} must be a string of at most ${MAX_NAME_LENGTH} printable characters.`);
  }
  return value.trim() === '' ? undefined : value.trim();
}

/** The `create` parameters for what the provision hook returned (null: do not create). */
function createParams(details: unknown, email: CheckedEmail): Record<string, string> | null {
  if (details === null || details === undefined) return null;
  if (typeof details !== 'object' || Array.isArray(details)) {
    throw provisionFailed('The provision hook must return { email, firstName, lastName, memberId, fields } or null.');
  }
  const d = details as ProvisionDetails;
  if (d.email !== undefined && checkEmail(d.email)?.key !== email.key) {
    throw provisionFailed("The provision hook's email must be the address the constituent hook returned (or be left out).");
  }
  const params: Record<string, string> = { primary_email: email.address };
  for (const [field, param] of [['firstName', 'name.first'], ['lastName', 'name.last'], ['memberId', 'member_id']] as const) {
    const value = checkName(d[field], field);
    if (value !== undefined) params[param] = value;
  }
  if (d.fields !== undefined) {
    if (typeof d.fields !== 'object' || d.fields === null || Array.isArray(d.fields)) {
      throw provisionFailed("The provision hook's fields must be an object of create parameters and string values.");
    }
    for (const [name, value] of Object.entries(d.fields)) {
      if (BRIDGE_FIELDS.has(name)) throw provisionFailed(`The provision hook's fields must not set "${name}"; the bridge sets it.`);
      if (typeof value !== 'string') throw provisionFailed(`The provision hook's fields.${name} must be a string.`);
      params[name] = value;
    }
  }
  return params;
}

function notFound(cause?: unknown): LuminateError {
  // The message names no email: errors reach logs and onError.
  const message = 'No constituent has the email the constituent hook returned (getUser).';
  return new LuminateError('LUMINATE_CONSTITUENT_NOT_FOUND', message, { cause });
}

/**
 * getUser; when not found and `provision` is set, `create`; when create reports a duplicate
 * (another process or click was first), getUser again. Never creates twice for one call. Runs
 * under its own deadline, not the click's: other clicks may be waiting on it (single-flight).
 */
async function lookUpOrCreate(ctx: FindContext, req: Request, email: CheckedEmail, attribution: Attribution): Promise<string> {
  const { config, client } = ctx;
  const signal = AbortSignal.timeout(config.timeoutMs);
  const call: CallOptions = { signal, ...attribution };
  const masked = maskEmail(email.key);
  const found = await getUserByEmail(client, email, call);
  if (found !== undefined) {
    log('getUser: %s is cons_id %s', masked, found);
    return found;
  }
  if (!config.provision) {
    log('getUser: no constituent for %s (no provision hook)', masked);
    throw notFound();
  }
  let params: Record<string, string> | null;
  try {
    const hook = Promise.resolve().then(() => config.provision!(req));
    const details = await untilAborted(hook, signal, () => provisionFailed(`The provision hook did not answer within ${config.timeoutMs} ms.`));
    params = createParams(details, email);
  } catch (e) {
    throw isLuminateError(e) ? e : provisionFailed('The provision hook threw.', e);
  }
  if (params === null) {
    log('getUser: no constituent for %s; the provision hook declined to create one', masked);
    throw notFound();
  }
  let duplicate: LuminateError;
  try {
    const consId = consIdOf(await client.callServerApi('create', params, CREATE_ROOT, call), CREATE_ROOT);
    log('create: new constituent %s for %s', consId, masked);
    return consId;
  } catch (e) {
    if (!isLuminateError(e) || !DUPLICATE_CODES.has(e.luminateCode ?? 0)) throw e;
    duplicate = e;
    log('create: duplicate (Luminate code %s) for %s; looking up again', duplicate.luminateCode, masked);
  }
  const again = await getUserByEmail(client, email, call);
  if (again === undefined) throw notFound(duplicate);
  log('getUser: %s is cons_id %s', masked, again);
  return again;
}

/**
 * The cons_id for a visitor's email: from their session when remembered there (`fresh` skips
 * that), otherwise looked up, or created, once per email at a time (single-flight), then remembered.
 */
export async function consIdForEmail(
  ctx: FindContext,
  req: Request,
  email: CheckedEmail,
  attribution: Attribution,
  signal: AbortSignal,
  onAbort: () => Error,
  fresh = false,
): Promise<{ consId: string; remembered: boolean }> {
  if (!fresh) {
    const remembered = recall(req, email);
    if (remembered !== undefined) {
      log('constituent hook: %s, remembered as cons_id %s', maskEmail(email.key), remembered);
      return { consId: remembered, remembered: true };
    }
  }
  const shared = ctx.flight.run(email.key, () => lookUpOrCreate(ctx, req, email, attribution));
  const consId = await untilAborted(shared, signal, onAbort);
  remember(req, email, consId);
  return { consId, remembered: false };
}
