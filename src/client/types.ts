import type { Dispatcher } from 'undici';

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

export type ResponseFormat = 'xml' | 'json';

export interface LuminateClientOptions extends NetworkOptions {
  /** The site's secure base, e.g. `https://secure2.convio.net/myorg`. https required except on loopback. */
  secureUrl: string;
  /** The site's CONVIO_API_KEY. Must not contain `& : \ " ' ? =`. */
  apiKey: string;
  /** An API Administrator account. The password is a secret: it is only ever sent in the POST body. */
  apiLogin: { name: string; password: string };
  /** Response format to ask Luminate for. Default `xml` (the documented default). */
  responseFormat?: ResponseFormat;
  /** Ask Luminate to answer errors with HTTP 200 (`suppress_response_codes=true`). Default false. */
  suppressResponseCodes?: boolean;
  /** Optional common parameters sent on every call. */
  centerId?: string;
  source?: string;
  subSource?: string;
}

/** Network options shared by `LuminateClient` and `LuminateWebServices`. */
export interface NetworkOptions {
  /** TCP+TLS connect timeout. Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Time to wait for response headers once the request is sent. Default 4000 ms. */
  headersTimeoutMs?: number;
  /** Maximum idle time between body chunks. Default 4000 ms. */
  bodyTimeoutMs?: number;
  /** Overall deadline for one call, retry included. Default 5000 ms. */
  timeoutMs?: number;
  /** Largest response body accepted. Default 65536 bytes. */
  maxResponseBytes?: number;
  /** Maximum pooled connections to Luminate. Default 16. */
  connections?: number;
  /** TLS options for the pooled agent (e.g. a custom CA for tests or a TLS-inspecting proxy). */
  tls?: { ca?: string | Buffer | Array<string | Buffer>; rejectUnauthorized?: boolean; servername?: string };
  /** Use this undici dispatcher instead of the client's own pool (e.g. a ProxyAgent or MockAgent). */
  dispatcher?: Dispatcher;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call: it rejects with LUMINATE_ABORTED. */
  signal?: AbortSignal;
  source?: string;
  subSource?: string;
}
