/** Public types of the stand-in Luminate server (`createFakeLuminate()` in `luminate-sso-bridge/testing`). */

export interface FakeConstituent {
  consId: string;
  memberId?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  /** For the server-API `login` method (`user_name` case-insensitive, `password` exact). */
  userName?: string;
  password?: string;
  /** `source` / `sub_source` of the SRConsAPI `create` call that added the record. */
  source?: string;
  subSource?: string;
}

export type FakeSignatureAlgorithm = 'md5' | 'sha1';

export interface FakeLuminateOptions {
  /** Interface to listen on. Default `127.0.0.1`. Only loopback addresses are accepted. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** Organisation path of the secure base. Default `/fakeorg`; `''` for a custom-domain site. */
  orgPath?: string;
  /** The site's CONVIO_API_KEY. Default `fake-api-key`. */
  apiKey?: string;
  /** The API administrator login accepted by SRConsAPI. Default `{ name: 'apiadmin', password: 'fake-admin-password' }`. */
  apiLogin?: { name: string; password: string };
  /** CONVIO_API_SECRET_KEY used to sign redirects. Default `fake-api-secret`. */
  apiSecretKey?: string;
  /** Hash for signed redirects and login signatures. Default `md5`. */
  signatureAlgorithm?: FakeSignatureAlgorithm;
  /** Name of the signature query parameter Luminate appends. Default `signature` (old docs: `sig`). */
  signatureParam?: 'signature' | 'sig';
  /** When true the hashed prefix includes the literal `&signature=` text. Default false. */
  signatureIncludesParamName?: boolean;
  /** Constituents on the site. Default: three demo constituents (see DEMO_CONSTITUENTS). */
  constituents?: FakeConstituent[];
  /** When set, SRConsAPI refuses callers whose IP is not listed (error 4). */
  allowedIps?: string[];
  /** When false the token reply carries only token and cons_id, as old sites do. Default true. */
  issueNonces?: boolean;
  /**
   * The site's "Use for Authentication" columns, which SRConsAPI `authenticateUser` checks:
   * any of `member_id`, `first_name`, `last_name`, `primary_email`, `user_name`. Default
   * `['member_id', 'last_name']`; `[]` makes authenticateUser answer error 33.
   */
  authenticationFields?: Array<'member_id' | 'first_name' | 'last_name' | 'primary_email' | 'user_name'>;
  /** SSO token lifetime. Default 900 s (15 minutes). */
  tokenTtlSeconds?: number;
  /** Serve HTTPS with this key pair instead of HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Clock in milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * The SOAP Web Services endpoint (`fake.webServicesUrl`): the API administrator it accepts in
   * `Login`, and how long a SessionId may sit idle. Default
   * `{ userName: 'wsadmin', password: 'fake-ws-password', sessionIdleMs: 1_800_000 }` (30 minutes, as documented).
   */
  webServices?: FakeWebServicesOptions;
}

export interface FakeWebServicesOptions {
  userName: string;
  password: string;
  /** Inactivity after which a SessionId is refused. Default 1_800_000 ms (30 minutes). */
  sessionIdleMs?: number;
}

/**
 * Fault switches; they apply to the server API (`/site/SRConsAPI`) unless they say otherwise
 * (`resetReusedConnections`, `webServices…`). Mutate `fake.faults`; `fake.reset()` clears them.
 * The field-shape and connection switches reproduce what real sites do (issue 16, "Seen in the
 * field"), so an integration can be tested against them.
 */
export interface FakeFaults {
  /** Delay before answering, in ms (e.g. past the client's `timeoutMs`: LUMINATE_TIMEOUT). */
  latencyMs?: number;
  /** Answer with this HTTP status and a short plain body (e.g. 500, 503). */
  status?: number;
  /** Answer 200 with an HTML "down for maintenance" page. */
  maintenancePage?: boolean;
  /** Answer 200 with truncated, unparsable XML (or JSON when JSON was asked for). */
  malformedBody?: boolean;
  /** Destroy the socket before answering (connection reset). */
  reset?: boolean;
  /** Send headers and a first chunk, then never finish the body. */
  neverEndingBody?: boolean;
  /** Answer with a body of this many bytes (well-formed start, padded). */
  oversizedBodyBytes?: number;
  /** Send the headers and the first half of the normal reply, then reset the connection. */
  resetMidBody?: boolean;
  /**
   * Answer with exactly this instead (hostile-body tests): `status` (default 200), `headers`, and
   * `body` as UTF-8 text or raw bytes. A Content-Length is sent unless `chunked` is true.
   */
  rawReply?: FakeRawReply;
  /**
   * Field shape seen on real sites: these fields of the server-API reply are sent as empty
   * values the way an empty XML element turned into JSON looks, `"routing_id":{}` in JSON and
   * `<routing_id/>` in XML, wherever they appear (token, getUser, create, login replies).
   * E.g. `['nonce', 'routing_id', 'JSESSIONID']`.
   */
  emptyFields?: string[];
  /**
   * Field shape seen on real sites: these fields of the server-API reply are sent as the text
   * `null` (`"token":"null"`, `<token>null</token>`), as some sites send a missing token.
   */
  nullTextFields?: string[];
  /**
   * Field shape seen on real sites: in JSON replies every whole number (ids, error codes) is a
   * JSON number, `"cons_id":1001641`, `"code":"2"` → `"code":2`, instead of a string.
   */
  jsonNumbers?: boolean;
  /**
   * Field shape seen on real sites: error 4 (caller's IP not on the API white list, with
   * `allowedIps`) ends its message with the IP Luminate saw:
   * `Request not allowed from this IP address: 127.0.0.1`.
   */
  ipInErrorMessage?: boolean;
  /** Apply the faults above only to the next N server-API requests, then clear them. */
  times?: number;
  /**
   * Connection fault seen in the field, for the server API and Web Services: a request arriving
   * on a keep-alive connection that has already carried one is reset before any reply byte, as
   * when a load balancer has dropped an idle connection without telling the client. New
   * connections are answered as usual (browsers' pages too: browsers retry by themselves). Not
   * counted by `times`.
   */
  resetReusedConnections?: boolean;
  /**
   * Web Services: an unknown or expired SessionId is answered the way real sites have, with
   * HTTP 200 and `<soap:Fault><faultcode>fns:SESSION</faultcode>…` (no detail), instead of the
   * stand-in's HTTP 500 `SessionFault`. Not counted by `times`.
   */
  webServicesSessionFaultWith200?: boolean;
  /**
   * Web Services: every request is answered `404` with this HTTP reason phrase and an HTML body,
   * as a wrong Web Services URL is, e.g. `'Failed to resolve site: wrongorg'` or
   * `'expecting: /{public API version}/…'`. Not counted by `times`.
   */
  webServicesNotFound?: string;
}

/** The `rawReply` fault: a reply the stand-in sends byte for byte. */
export interface FakeRawReply {
  status?: number;
  headers?: Record<string, string>;
  body: string | Uint8Array;
  chunked?: boolean;
}

export interface FakeRequestRecord {
  /** HTTP method. */
  method: string;
  /** Path without the query string, e.g. `/fakeorg/site/SRConsAPI`. */
  path: string;
  /** Raw query string without `?` ('' when none). */
  query: string;
  /** Parsed form body (application/x-www-form-urlencoded), {} when none. */
  body: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  remoteAddress: string;
  /** Luminate method name (`method` parameter), or the SOAP operation (`Login`…), when there was one. */
  apiMethod?: string;
  at: number;
  /**
   * How the stand-in answered, set once it has: `ok`; `error <code>` (a Luminate errorResponse
   * code, also when it went out as an error redirect); `nonce-rejected` (EstablishSession sent the
   * visitor on as a guest); `fault <name>` (a fault switch answered); `http <status>` (refused
   * before Luminate logic: 400, 404, 405, 413). Web Services: `ok`, or `fault <LoginFault|SessionFault|Client>`.
   */
  outcome?: string;
}

export interface FakeIssuedToken {
  token: string;
  consId: string;
  nonce?: string;
  routingId: string;
  expiresAt: number;
  /** Set once the token has been used by singleSignOn. */
  used: boolean;
  /** Set once the nonce has been consumed by EstablishSession. */
  nonceUsed: boolean;
}

export interface FakeLuminate {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Secure base to give the bridge, e.g. `http://127.0.0.1:41234/fakeorg`. */
  readonly secureUrl: string;
  readonly port: number;
  readonly apiKey: string;
  readonly apiLogin: { name: string; password: string };
  readonly apiSecretKey: string;
  readonly signatureAlgorithm: FakeSignatureAlgorithm;
  /** Mutable fault switches. */
  faults: FakeFaults;
  /** Every request received, oldest first. */
  readonly requests: FakeRequestRecord[];
  /** Every token issued, oldest first. */
  readonly issuedTokens: FakeIssuedToken[];
  /** Browser sessions: session cookie value → cons_id (only constituents logged in). */
  readonly sessions: Map<string, string>;
  readonly constituents: FakeConstituent[];
  /**
   * SOAP endpoint of the stand-in's Web Services, `<url>/1.0<orgPath>` (shaped like the real
   * `https://webservices.<cluster>.convio.net/1.0/<org>` [?]). It answers `Login` and `GetServerTime`.
   */
  readonly webServicesUrl: string;
  /** The Web Services login `Login` accepts. */
  readonly webServicesLogin: { userName: string; password: string };
  /** Live Web Services sessions: SessionId → when it was last used (ms, by the stand-in's clock). */
  readonly webServicesSessions: ReadonlyMap<string, number>;
  /** Ends every Web Services session now: the next call with one of them gets a session fault. */
  expireWebServicesSessions(): void;
  /** Adds a record. @throws TypeError "createFakeLuminate: option `constituents` …" for a bad entry or a cons_id already held. */
  addConstituent(c: FakeConstituent): void;
  /** Clear faults, recorded requests, tokens and sessions, Web Services ones too (constituents are kept). */
  reset(): void;
  /** Stops listening and cuts open connections and pending delays; rejects only if the server fails to close. */
  close(): Promise<void>;
}
