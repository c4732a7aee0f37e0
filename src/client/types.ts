/** Which constituent to act for: Luminate's internal id, or the site's external member id. */
export type ConstituentRef = { consId: string; memberId?: never } | { memberId: string; consId?: never };

/** What `getSingleSignOnToken` returns; optional fields are absent when Luminate does not send them. */
export interface SingleSignOnToken {
  /** The SSO token (valid ~15 minutes). Secret: never log it. */
  token: string;
  consId: string;
  /** Single-use nonce for EstablishSession (newer sites only). Secret. */
  nonce?: string;
  /** Load-balancer affinity id, used as `;jsessionid=<routingId>`. */
  routingId?: string;
  jsessionId?: string;
}

export type { LuminateClientOptions } from '../config/clients';
export type { NetworkOptions } from '../config/network';
export type { ResponseFormat } from '../config/site';

/**
 * What a call does with its signal: reads `aborted` and `reason`, and listens for 'abort'. An
 * AbortSignal is one; so is the bridge's own lighter per-click signal.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call (an AbortSignal). */
  signal?: AbortSignalLike;
  source?: string;
  subSource?: string;
}
