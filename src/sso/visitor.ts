/** The visitor the constituent hook names, and the token minted for them (an email is looked up first). */
import type { Request } from 'express';
import { debugFor, maskEmail } from '../debug';
import { LuminateError, isLuminateError } from '../errors';
import type { Attribution, ConstituentRef, SingleSignOnToken } from '../luminate/types';
import { checkEmail, type CheckedEmail } from './email';
import { consIdForEmail, forget } from './find-constituent';
import type { StartContext } from './start-context';

const log = debugFor('sso');

/** Who the hook says the visitor is: an id Luminate takes as is, or an email to look up. */
export type HookRef = ConstituentRef | { email: CheckedEmail };

/** Checks what the constituent hook returned: exactly one non-empty id, or one plausible email. */
export function toConstituentRef(value: unknown): HookRef {
  const v = (typeof value === 'object' && value !== null ? value : {}) as { consId?: unknown; memberId?: unknown; email?: unknown };
  const given = [v.consId, v.memberId, v.email].filter((x) => x !== undefined).length;
  if (v.email !== undefined && given === 1) {
    const email = checkEmail(v.email);
    // The address itself stays out of the message: errors reach logs and onError.
    if (email === undefined) {
      throw new LuminateError(
        'SSO_CONSTITUENT_HOOK_FAILED',
        'The constituent hook returned an email that is not a plausible address (one "@", a dotted domain, at most 254 characters).',
      );
    }
    return { email };
  }
  const id = v.consId !== undefined ? v.consId : v.memberId;
  if (typeof value !== 'object' || given !== 1 || typeof id !== 'string' || id.trim() === '') {
    throw new LuminateError(
      'SSO_CONSTITUENT_HOOK_FAILED',
      `The constituent hook must return { consId: string }, { memberId: string }, { email: string } or null; it returned ${shapeOf(value)}.`,
    );
  }
  return v.consId !== undefined ? { consId: id.trim() } : { memberId: id.trim() };
}

/** What a hook returned, by type only (`{ consId: number }`): no value reaches a log line. */
function shapeOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`;
  if (Array.isArray(value)) return 'an array';
  const keys = Object.keys(value).slice(0, 5);
  const typeOf = (v: unknown): string => (v === null ? 'null' : typeof v === 'string' && v.trim() === '' ? 'blank string' : typeof v);
  return `{ ${keys.map((k) => `${/^[A-Za-z_]\w{0,30}$/.test(k) ? k : '?'}: ${typeOf((value as Record<string, unknown>)[k])}`).join(', ')} }`;
}

export function describeVisitor(ref: HookRef): string {
  if ('email' in ref) return `email ${maskEmail(ref.email.key)}`;
  return ref.consId === undefined ? `member_id ${ref.memberId}` : `cons_id ${ref.consId}`;
}

/**
 * Mints the token, first turning an email into a cons_id. A cons_id remembered in the session
 * that Luminate no longer knows (merged or deleted record) is forgotten and looked up again, once.
 */
export async function mintToken(
  ctx: StartContext,
  req: Request,
  ref: HookRef,
  attribution: Attribution,
  signal: AbortSignal,
  onAbort: () => Error,
): Promise<SingleSignOnToken> {
  const call = { signal, ...attribution };
  if (!('email' in ref)) return ctx.client.getSingleSignOnToken(ref, call);
  const found = await consIdForEmail(ctx, req, ref.email, attribution, signal, onAbort);
  try {
    return await ctx.client.getSingleSignOnToken({ consId: found.consId }, call);
  } catch (e) {
    if (!found.remembered || !isLuminateError(e) || e.code !== 'LUMINATE_CONSTITUENT_NOT_FOUND') throw e;
    log('remembered cons_id %s is not found any more; looking %s up again', found.consId, maskEmail(ref.email.key));
    forget(req);
  }
  const again = await consIdForEmail(ctx, req, ref.email, attribution, signal, onAbort, true);
  return ctx.client.getSingleSignOnToken({ consId: again.consId }, call);
}
