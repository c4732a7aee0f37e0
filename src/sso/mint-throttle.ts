import type { Request } from 'express';
import type { ConstituentRef } from '../luminate/types';
import { debugFor } from '../debug';
import { LuminateError, isLuminateError } from '../errors';
import { throttleClientKey } from '../http/client-key';
import type { ResolvedMintThrottle } from '../config/store';
import { SlidingWindowThrottle, admit, retryAfterSeconds } from '../store/sliding-window';
import type { BridgeStore } from '../store/store';

const log = debugFor('sso');

/** Who the visitor is, for counting: one key per constituent however it was named. */
export type VisitorRef = ConstituentRef | { email: { key: string } };

export function visitorId(ref: VisitorRef): string {
  if ('email' in ref) return `email:${ref.email.key}`;
  return ref.consId !== undefined ? `cons:${ref.consId}` : `member:${ref.memberId}`;
}

/**
 * Resolves when the request may mint a token; rejects with SSO_THROTTLED (429, retryAfterSeconds)
 * when a limit is reached, or SSO_STORE_UNAVAILABLE when the store fails (never a silent pass).
 */
export type MintThrottle = (req: Request, ref: VisitorRef) => Promise<void>;

/**
 * Counts token requests per visitor and per client IP (IPv6 by /64); both limits must allow the
 * request. Counted before the token call (`admit`), and not at all once refused. Undefined when both are off.
 */
export function mintThrottle(store: BridgeStore, rules: ResolvedMintThrottle): MintThrottle | undefined {
  const perVisitor = rules.perVisitor ? new SlidingWindowThrottle(store, 'sso-visitor', rules.perVisitor) : undefined;
  const perIp = rules.perIp ? new SlidingWindowThrottle(store, 'sso-ip', rules.perIp) : undefined;
  if (perVisitor === undefined && perIp === undefined) return undefined;
  return async (req, ref) => {
    let admission;
    try {
      admission = await admit([perVisitor && [perVisitor, visitorId(ref)], perIp && [perIp, throttleClientKey(req)]]);
    } catch (e) {
      throw isLuminateError(e) ? e : new LuminateError('SSO_STORE_UNAVAILABLE', 'The store for the token throttle failed.', { cause: e });
    }
    const { decisions, waitMs } = admission;
    if (waitMs === 0) return;
    const which = decisions[0]?.allowed === false ? 'this visitor' : 'this client IP';
    log('throttled: too many token requests from %s', which);
    throw new LuminateError('SSO_THROTTLED', `Too many single sign-on requests from ${which}; try again later.`, {
      retryAfterSeconds: retryAfterSeconds(waitMs),
    });
  };
}
