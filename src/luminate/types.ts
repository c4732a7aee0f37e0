/**
 * Which constituent to act for: Luminate's internal id (`cons_id`), or the site's external member id
 * (`member_id`). Exactly one, a string of 1–255 characters without surrounding spaces or control characters.
 */
export type ConstituentRef = { consId: string; memberId?: never } | { memberId: string; consId?: never };

/** What `getSingleSignOnToken` returns; optional fields are absent when Luminate does not send them. */
export interface SingleSignOnToken {
  /** The SSO token, opaque printable ASCII; lives 15 minutes [doc]. Secret: never log it. */
  token: string;
  /** The constituent's cons_id, as a string (ids keep leading zeros). */
  consId: string;
  /** Single-use nonce for EstablishSession (newer sites only) [doc]; 32 upper-case hex seen in the field. Secret. */
  nonce?: string;
  /** Load-balancer affinity id, used as `;jsessionid=<routingId>`; e.g. `00000000.app20043b` (seen in the field). */
  routingId?: string;
  /** Luminate's `JSESSIONID` (newer sites) [code]; redacted in logs, not used for the handoff. */
  jsessionId?: string;
}

export type { LuminateClientOptions } from '../config/clients';
export type { ResponseFormat } from '../config/site';

/**
 * Luminate's `source` / `sub_source` common parameters [doc]: who sent the visitor (e.g. a partner
 * portal). Each 1–255 printable characters without surrounding spaces; from a link's query
 * (`fromQuery`), 1–64 letters, digits, spaces or `._~:@+-`. A bad value found per request is dropped.
 */
export interface Attribution {
  source?: string;
  subSource?: string;
}

/**
 * Per-call options. `source` / `subSource`: Luminate's `source` / `sub_source` for this call, instead of
 * the client's: 1–255 characters without control characters (else LUMINATE_INVALID_ARGUMENT).
 */
export interface CallOptions extends Attribution {
  /** Aborts the call: it rejects with LUMINATE_ABORTED. */
  signal?: AbortSignal;
}

/** How the visitor is handed to Luminate: the client API's singleSignOn POST, or an EstablishSession redirect. */
export type HandoffMode = 'singleSignOn' | 'establishSession';
