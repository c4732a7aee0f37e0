import { channel as diagnosticsChannel } from 'node:diagnostics_channel';

/**
 * One error class for everything the bridge and the client raise. Callers switch on the stable
 * string `code`, never on message text or `instanceof` across bundles (use `isLuminateError`).
 */

/** Luminate's numeric `errorResponse` codes [doc] mapped to stable string codes (33: seed 003). */
export const LUMINATE_API_ERROR_CODES = {
  1: 'LUMINATE_REQUEST_FAILED',
  2: 'LUMINATE_API_KEY_INVALID',
  3: 'LUMINATE_AUTH_FAILED',
  4: 'LUMINATE_IP_NOT_ALLOWED',
  5: 'LUMINATE_METHOD_RESTRICTED',
  6: 'LUMINATE_INVALID_METHOD',
  7: 'LUMINATE_SSO_FAILED',
  8: 'LUMINATE_AMBIGUOUS_MEMBER_ID',
  9: 'LUMINATE_MISSING_PARAMETERS',
  14: 'LUMINATE_METHOD_NOT_ALLOWED',
  16: 'LUMINATE_CONSTITUENT_NOT_FOUND',
  33: 'LUMINATE_NO_AUTH_FIELDS', // authenticateUser: no constituent field is marked "Use for Authentication"
} as const;

export type LuminateErrorCode =
  // Luminate answered with an errorResponse
  | (typeof LUMINATE_API_ERROR_CODES)[keyof typeof LUMINATE_API_ERROR_CODES]
  | 'LUMINATE_API_ERROR' // an errorResponse code not listed above
  // the network or the body was not what Luminate sends
  | 'LUMINATE_TIMEOUT'
  | 'LUMINATE_CONNECTION_REFUSED'
  | 'LUMINATE_CONNECTION_RESET'
  | 'LUMINATE_NETWORK_ERROR'
  | 'LUMINATE_HTTP_ERROR' // e.g. 500/503 without an errorResponse body
  | 'LUMINATE_UNEXPECTED_RESPONSE' // e.g. an HTML maintenance page, wrong root element
  | 'LUMINATE_RESPONSE_TOO_LARGE'
  | 'LUMINATE_MALFORMED_RESPONSE' // unparsable XML/JSON, DOCTYPE, missing token
  // Web Services (SOAP) faults
  | 'LUMINATE_WS_LOGIN_FAULT' // Login refused (LoginFault): wrong user name/password or no API permission
  | 'LUMINATE_WS_SESSION_FAULT' // the SessionId was refused again after one fresh Login
  | 'LUMINATE_WS_FAULT' // any other SOAP fault
  // caller mistakes
  | 'LUMINATE_INVALID_ARGUMENT'
  | 'LUMINATE_CLIENT_CLOSED'
  | 'LUMINATE_ABORTED'
  // the bridge itself
  | 'SSO_CONSTITUENT_HOOK_FAILED'
  | 'SSO_PROVISION_FAILED' // the provision hook threw or returned something unusable
  | 'SSO_CALLBACK_SIGNATURE_INVALID'
  | 'SSO_CALLBACK_EXPIRED'
  | 'SSO_CALLBACK_REPLAYED'
  | 'SSO_CALLBACK_ERROR' // a correctly signed error redirect from Luminate (e.g. code 7)
  | 'SSO_STORE_UNAVAILABLE' // the BridgeStore (e.g. RedisStore) could not answer: refused, timed out, odd reply
  | 'SSO_THROTTLED' // too many token requests from one visitor or client IP: 429, see retryAfterSeconds
  | 'SSO_INVALID_HOST' // the callback URL cannot be built from the request; set baseUrl
  | 'SSO_RENDER_PAGE_FAILED' // the renderPage option threw or returned no usable page; the built-in page was sent
  | 'SSO_PREPARE_REFUSED' // prepare (`prepare: true`) refused a request that is not the intent script's same-origin POST: 403
  | 'SSO_NOT_NAVIGATION' // the start or logout route refused a request that is not a top-level navigation (an <img>, fetch, HEAD, prefetch): 403
  // luminateLogin(): log in with Luminate credentials, log out of both sites
  | 'LOGIN_SESSION_REQUIRED' // no express-session (req.session) in front of luminateLogin()
  | 'LOGIN_SESSION_FAILED' // the host session could not be regenerated, saved or destroyed
  | 'LOGIN_CSRF_INVALID' // a login or logout POST without the token of the visitor's session
  | 'LOGIN_BAD_REQUEST' // a field the login form may not send, or a repeated or structured value
  | 'LOGIN_CREDENTIALS_REFUSED' // Luminate refused the credentials (which field is never said)
  | 'LOGIN_THROTTLED' // too many failed logins from one client IP or for one identifier: 429
  | 'LOGIN_SIGNATURE_INVALID' // the loginResponse signature does not verify: not trusted
  | 'LOGIN_SIGNATURE_EXPIRED'; // the loginResponse timestamp is outside the accepted window

const MARK = Symbol.for('luminate-sso-bridge.error');

/**
 * Every LuminateError is published here when it is created, so a process can observe errors the
 * bridge handles itself (`onFailure: 'continue'`) — e.g. to count them, or, as the test suite does,
 * to check that no error message carries a secret. Free when nobody subscribes.
 */
export const ERROR_CHANNEL_NAME = 'luminate-sso-bridge:error';
const errorChannel = diagnosticsChannel(ERROR_CHANNEL_NAME);

export interface LuminateErrorOptions {
  /** Luminate's numeric errorResponse code, when Luminate sent one. */
  luminateCode?: number;
  /** HTTP status of Luminate's answer, when there was one. */
  upstreamStatus?: number;
  /** HTTP status an error handler should answer with; derived from `code` when left out. */
  status?: number;
  /** For a throttled request: seconds until it may be tried again (the `Retry-After` value). */
  retryAfterSeconds?: number;
  /** What went wrong underneath (an undici or Redis error…), as the standard `Error#cause`. */
  cause?: unknown;
}

/**
 * `status` follows the Express convention (`err.status` is what to answer with): trouble upstream
 * is a 502 or 504, never Luminate's own 403 passed on to the visitor.
 */
function defaultStatus(code: LuminateErrorCode): number {
  switch (code) {
    case 'LUMINATE_TIMEOUT':
      return 504;
    case 'SSO_CALLBACK_SIGNATURE_INVALID':
    case 'SSO_CALLBACK_EXPIRED':
    case 'SSO_CALLBACK_REPLAYED':
    case 'SSO_INVALID_HOST':
      return 400;
    case 'SSO_STORE_UNAVAILABLE':
      return 503;
    case 'SSO_THROTTLED':
    case 'LOGIN_THROTTLED':
      return 429;
    case 'LOGIN_BAD_REQUEST':
      return 400;
    case 'LOGIN_CREDENTIALS_REFUSED':
      return 401;
    case 'LOGIN_CSRF_INVALID':
    case 'SSO_NOT_NAVIGATION':
    case 'SSO_PREPARE_REFUSED':
      return 403;
    case 'LOGIN_SESSION_REQUIRED':
    case 'LOGIN_SESSION_FAILED':
      return 500;
    case 'SSO_CONSTITUENT_HOOK_FAILED':
    case 'SSO_PROVISION_FAILED':
    case 'SSO_RENDER_PAGE_FAILED':
    case 'LUMINATE_INVALID_ARGUMENT':
    case 'LUMINATE_CLIENT_CLOSED':
    case 'LUMINATE_ABORTED':
      return 500;
    default:
      return 502;
  }
}

export class LuminateError extends Error {
  readonly code: LuminateErrorCode;
  readonly luminateCode?: number;
  /** HTTP status of Luminate's answer, when there was one (403 for an errorResponse, 503…). */
  readonly upstreamStatus?: number;
  /** HTTP status for an Express error handler to answer with (502, 504, 400…). */
  readonly status: number;
  /** Set on throttling errors: seconds until a retry may succeed (answer it as `Retry-After`). */
  readonly retryAfterSeconds?: number;

  constructor(code: LuminateErrorCode, message: string, options: LuminateErrorOptions = {}) {
    // Not scrubbed here: whoever interpolates upstream text or a cause scrubs it against its own
    // secrets (see util/scrub-secrets.ts), so the library's fixed text stays as written.
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LuminateError';
    this.code = code;
    if (options.luminateCode !== undefined) this.luminateCode = options.luminateCode;
    if (options.upstreamStatus !== undefined) this.upstreamStatus = options.upstreamStatus;
    this.status = options.status ?? defaultStatus(code);
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    Object.defineProperty(this, MARK, { value: true });
    if (errorChannel.hasSubscribers) errorChannel.publish(this);
  }

  override toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

/** True for errors raised by this library, also across duplicated copies of it in node_modules. */
export function isLuminateError(value: unknown): value is LuminateError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARK] === true;
}

/**
 * The string code for a numeric Luminate errorResponse code; LUMINATE_API_ERROR for one not listed.
 * (The client also reads 1 and 14 saying "not found" as LUMINATE_CONSTITUENT_NOT_FOUND.)
 */
export function codeForLuminateError(luminateCode: number): LuminateErrorCode {
  return (LUMINATE_API_ERROR_CODES as Record<number, LuminateErrorCode>)[luminateCode] ?? 'LUMINATE_API_ERROR';
}
