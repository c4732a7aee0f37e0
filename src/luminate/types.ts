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

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call: it rejects with LUMINATE_ABORTED. */
  signal?: AbortSignal;
  source?: string;
  subSource?: string;
}

/** Luminate's `source` / `sub_source` common parameters: who sent the visitor (e.g. a partner portal). */
export interface Attribution {
  source?: string;
  subSource?: string;
}

/** How the visitor is handed to Luminate: the client API's singleSignOn POST, or an EstablishSession redirect. */
export type HandoffMode = 'singleSignOn' | 'establishSession';
