import { isLuminateError, LuminateError } from '../errors';

const TIMEOUTS: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connecting to Luminate timed out (connectTimeoutMs)',
  UND_ERR_HEADERS_TIMEOUT: 'Luminate did not send response headers in time (headersTimeoutMs)',
  UND_ERR_BODY_TIMEOUT: 'Luminate stopped sending the response body (bodyTimeoutMs)',
};
const RESETS = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

/** Errors raised before any byte of the request left this machine: a retry cannot mint a second token. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN']);

/** The error code of an undici/Node error, looking into AggregateError (happy eyeballs) and cause. */
export function errorCodeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, errors, cause } = err as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  if (Array.isArray(errors) && errors.length > 0) return errorCodeOf(errors[0]);
  return cause === undefined || cause === err ? undefined : errorCodeOf(cause);
}

export function isSafeToRetry(err: unknown): boolean {
  return NEVER_SENT.has(errorCodeOf(err) ?? '');
}

/**
 * Resets and closes of a reused pooled connection before any reply byte (noted by the ReplyReader).
 * Seen in the field: the load balancer drops idle keep-alive connections without telling the client,
 * so the first request after a quiet spell is written into a dead socket and most likely never
 * reached Luminate.
 */
const STALE_CONNECTION_FAILURES = new WeakSet<object>();

export function noteStaleConnectionFailure(err: unknown): void {
  if (typeof err === 'object' && err !== null && RESETS.has(errorCodeOf(err) ?? '')) STALE_CONNECTION_FAILURES.add(err);
}

export function failedOnStaleConnection(err: unknown): boolean {
  return typeof err === 'object' && err !== null && STALE_CONNECTION_FAILURES.has(err);
}

export interface AbortState {
  caller?: AbortSignal;
  /** The per-call deadline (aborted when the time is up, or when the caller aborted: `caller` is checked first). */
  deadline: AbortSignal;
  timeoutMs: number;
  host: string;
}

/**
 * Maps whatever a call threw to a LuminateError, keeping the original as `cause`. Undici errors
 * carry no request body, and the request options are never attached, so no cause holds a secret.
 */
export function toLuminateError(err: unknown, state: AbortState): LuminateError {
  if (isLuminateError(err)) return err;
  if (state.caller?.aborted) {
    return new LuminateError('LUMINATE_ABORTED', 'the call to Luminate was aborted by the caller', { cause: err });
  }
  if (state.deadline.aborted) {
    return new LuminateError('LUMINATE_TIMEOUT', `Luminate did not answer within timeoutMs (${state.timeoutMs} ms)`, { cause: err });
  }
  // Only a code of the usual shape goes into the message: a foreign error's `code` may be any text.
  const anyCode = errorCodeOf(err);
  const code = anyCode !== undefined && ERROR_CODE.test(anyCode) ? anyCode : undefined;
  if (code !== undefined && Object.hasOwn(TIMEOUTS, code)) {
    return new LuminateError('LUMINATE_TIMEOUT', `${TIMEOUTS[code]} [${state.host}]`, { cause: err });
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new LuminateError('LUMINATE_RESPONSE_TOO_LARGE', `the reply from ${state.host} exceeded the dispatcher's size limit`, { cause: err });
  }
  if (code === 'ECONNREFUSED') {
    return new LuminateError('LUMINATE_CONNECTION_REFUSED', `${state.host} refused the connection`, { cause: err });
  }
  if (code !== undefined && RESETS.has(code)) {
    return new LuminateError('LUMINATE_CONNECTION_RESET', `the connection to ${state.host} was closed before the reply was complete`, { cause: err });
  }
  if (code !== undefined && TLS_CODE.test(code)) {
    return new LuminateError('LUMINATE_NETWORK_ERROR', `TLS with ${state.host} failed (${code}); check the certificate or options.tls`, { cause: err });
  }
  const detail = code === undefined ? '' : ` (${code})`;
  return new LuminateError('LUMINATE_NETWORK_ERROR', `calling ${state.host} failed${detail}`, { cause: err });
}
