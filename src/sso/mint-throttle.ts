import type { Request, Response } from 'express';
import type { ConstituentRef } from '../luminate/types';
import { debugFor } from '../debug';
import { LuminateError, isLuminateError } from '../errors';
import { throttleClientKey } from '../http/client-key';
import type { ResolvedMintThrottle } from '../config/store';
import { SlidingWindowThrottle, admit, retryAfterSeconds } from '../store/sliding-window';
import type { BridgePages } from '../http/message-page';
import type { BridgeStore } from '../store/store';

const log = debugFor('sso');

export type { MintThrottleOptions, ResolvedMintThrottle } from '../config/store';

/** Who the visitor is, for counting: one key per constituent however it was named. */
export type VisitorRef = ConstituentRef | { email: { key: string } };

export function visitorId(ref: VisitorRef): string {
  if ('email' in ref && ref.email) return `email:${ref.email.key}`;
  const { consId, memberId } = ref as ConstituentRef;
  return consId !== undefined ? `cons:${consId}` : `member:${memberId ?? ''}`;
}

/**
 * Counts token requests per visitor and per client IP (IPv6 by /64); both limits must allow the
 * request. Counted before the token call (`admit`), and not at all once refused.
 */
export class MintThrottle {
  readonly #perVisitor?: SlidingWindowThrottle;
  readonly #perIp?: SlidingWindowThrottle;

  constructor(store: BridgeStore, rules: ResolvedMintThrottle) {
    if (rules.perVisitor) this.#perVisitor = new SlidingWindowThrottle(store, 'sso-visitor', rules.perVisitor);
    if (rules.perIp) this.#perIp = new SlidingWindowThrottle(store, 'sso-ip', rules.perIp);
  }

  get enabled(): boolean {
    return this.#perVisitor !== undefined || this.#perIp !== undefined;
  }

  /**
   * Resolves when the request may mint a token; rejects with SSO_THROTTLED (429, retryAfterSeconds)
   * when a limit is reached, or SSO_STORE_UNAVAILABLE when the store fails (never a silent pass).
   */
  async check(req: Request, ref: VisitorRef): Promise<void> {
    let admission;
    try {
      admission = await admit([this.#perVisitor && [this.#perVisitor, visitorId(ref)], this.#perIp && [this.#perIp, throttleClientKey(req)]]);
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
  }
}

/**
 * The visitor's answer when throttled under onFailure 'continue': 429 with Retry-After, and a
 * page with a plain link to the destination, so the gift can still be made as a guest.
 */
export function sendThrottledPage(pages: BridgePages, req: Request, res: Response, err: LuminateError, destination: string): void {
  res.setHeader('Retry-After', String(err.retryAfterSeconds ?? 60));
  pages.send(req, res, {
    kind: 'throttled', status: 429, title: 'Please wait a moment',
    message: 'We could not sign you in automatically just now: too many attempts.',
    link: { href: destination, label: 'Continue without signing in' },
  });
}
