import { inspect } from 'node:util';
import { debugFor, redact } from '../debug';
import { LuminateError } from '../errors';
import { checkCallOptions, checkName, checkParams, idParameter } from './call-args';
import { callFailure, retryOnce, startDeadline, type Deadline } from './deadline';
import { secretParamValues } from '../util/scrub-secrets';
import { postForm, postTarget, type PostResult, type PostTarget } from './http';
import { parseLuminateResponse, readErrorResponse, type ResponseContext } from './parse-response';
import { reasonPhrase } from './error-response';
import { dispatcherFor, sendOn, type Dispatchers } from './pool';
import { TOKEN_ROOT, toSingleSignOnToken } from './sso-token';
import type { CallOptions, ConstituentRef, LuminateClientOptions, SingleSignOnToken } from './types';
import { resolveClientOptions, type ResolvedClientOptions } from '../config/clients';
import type { LuminateRecord } from './values';

const log = debugFor('client');

/**
 * Methods that may be sent twice after a stale pooled connection (see retryOnce): they read, log in,
 * or mint a fresh one-time token. `create`, `update` and every method not listed never are.
 */
const REPEATABLE_METHODS: ReadonlySet<string> = new Set([
  'getSingleSignOnToken', 'getUser', 'authenticateUser', 'login', 'loginTest', 'listUserFields', 'isUserNameAvailable',
]);

const ACCEPT = {
  xml: 'application/xml, text/xml;q=0.9, */*;q=0.1',
  json: 'application/json, text/plain;q=0.9, */*;q=0.1',
} as const;

/**
 * Client for Luminate's server API (`/site/SRConsAPI`): POSTs form bodies over one pooled
 * keep-alive agent, with a deadline per call, a byte cap on replies, and typed errors.
 * The API password, tokens and nonces never appear in its errors, logs or inspection.
 */
export class LuminateClient {
  /** The site's secure base, without a trailing slash. */
  readonly secureUrl: string;
  readonly #config: ResolvedClientOptions;
  readonly #pool: Dispatchers;
  readonly #target: PostTarget;
  /** For timeout messages: the host of secureUrl. */
  readonly #host: string;
  /** Scrubbed from Luminate's text in every error. */
  readonly #secrets: ReadonlyArray<string | undefined>;
  #closing: Promise<void> | undefined;

  /**
   * `internal.redact`: more secrets of the owner (the API secret key), scrubbed like the API password.
   * @throws TypeError `LuminateClient: options.<name> …` naming the first bad or unknown option and the fix.
   * @internal
   */
  constructor(options: LuminateClientOptions, internal: { redact?: ReadonlyArray<string | undefined> } = {}) {
    const config = resolveClientOptions(options);
    this.#secrets = [config.loginPassword, ...(internal.redact ?? [])];
    this.#config = config;
    this.secureUrl = config.secureUrl;
    this.#target = postTarget(config.endpoint);
    this.#host = new URL(config.secureUrl).host;
    this.#pool = dispatcherFor(config);
  }

  /**
   * Asks Luminate for a one-time login for one constituent: `{ token, consId }`, and on newer sites
   * `nonce`, `routingId`, `jsessionId` (absent, not empty, when not sent). `ref`: `{ consId }` or
   * `{ memberId }`, 1–255 characters. One deadline of `timeoutMs` covers the call and its one retry.
   * @throws LuminateError (rejects) LUMINATE_INVALID_ARGUMENT (bad `ref` or options), LUMINATE_CLIENT_CLOSED;
   * an errorResponse: LUMINATE_API_KEY_INVALID (2), LUMINATE_AUTH_FAILED (3), LUMINATE_IP_NOT_ALLOWED (4),
   * LUMINATE_AMBIGUOUS_MEMBER_ID (8), LUMINATE_CONSTITUENT_NOT_FOUND (16, or 1/14 saying "not found"),
   * LUMINATE_REQUEST_FAILED (1) or another code of LUMINATE_API_ERROR_CODES, else LUMINATE_API_ERROR;
   * LUMINATE_HTTP_ERROR (non-2xx without one, 405), LUMINATE_UNEXPECTED_RESPONSE (HTML page, other root,
   * a token for another cons_id), LUMINATE_MALFORMED_RESPONSE, LUMINATE_RESPONSE_TOO_LARGE; LUMINATE_TIMEOUT,
   * LUMINATE_ABORTED (`options.signal`), LUMINATE_CONNECTION_REFUSED, LUMINATE_CONNECTION_RESET, LUMINATE_NETWORK_ERROR (TLS…).
   */
  async getSingleSignOnToken(ref: ConstituentRef, options?: CallOptions): Promise<SingleSignOnToken> {
    const id = idParameter(ref); // checked: a parameter of our own, as checkParams would pass it
    const record = await this.#call('getSingleSignOnToken', [[id.name, id.value]], TOKEN_ROOT, checkCallOptions(options));
    try {
      const result = toSingleSignOnToken(record, id.name === 'cons_id' ? id.value : undefined);
      log('getSingleSignOnToken: cons_id=%s token=%s nonce=%s routing_id=%s JSESSIONID=%s', result.consId,
        redact(result.token), redact(result.nonce), redact(result.routingId), redact(result.jsessionId));
      return result;
    } catch (err) {
      log('getSingleSignOnToken: reply refused: %s', (err as LuminateError).code);
      throw err;
    }
  }

  /**
   * Calls any server-API method (getUser, create, authenticateUser…) and returns the content of
   * `expectedRoot` (see parseLuminateResponse). `params` are the method's own parameters; the
   * client adds method, v, api_key, the API login, response_format and the common options.
   * A call that fails because the connection could not be made is retried once; a read, login
   * or token call (REPEATABLE_METHODS) also when its reused pooled connection was dead (reset or
   * closed before any reply byte, seen in the field). `create` and other writes never are.
   * `params`: string values of at most 4096 characters, never a parameter the client sets itself.
   * @throws LuminateError (rejects) as getSingleSignOnToken (without the cons_id check), e.g. LUMINATE_API_ERROR
   * for `create`'s duplicates (11–13); LUMINATE_INVALID_ARGUMENT for a bad name, parameter or option.
   */
  async callServerApi(
    method: string,
    params: Record<string, string>,
    expectedRoot: string,
    options?: CallOptions,
  ): Promise<LuminateRecord> {
    checkName(method, 'method');
    checkName(expectedRoot, 'expectedRoot');
    return this.#call(method, checkParams(params), expectedRoot, checkCallOptions(options));
  }

  async #call(method: string, params: Array<[string, string]>, expectedRoot: string, call: CallOptions): Promise<LuminateRecord> {
    if (this.#closing !== undefined) {
      throw new LuminateError('LUMINATE_CLIENT_CLOSED', 'this LuminateClient has been closed; create a new one');
    }
    const form = this.#form(method, params, call);
    const deadline = startDeadline(this.#config.timeoutMs, this.#host, call.signal);
    try {
      const reply = await this.#send(method, form, deadline);
      log('%s: HTTP %d in %d ms', method, reply.status, Date.now() - deadline.started);
      return this.#interpret(reply, expectedRoot, secretParamValues(params));
    } catch (err) {
      throw callFailure(err, deadline, method, log);
    } finally {
      deadline.end();
    }
  }

  /**
   * Stops accepting calls (later ones reject with LUMINATE_CLIENT_CLOSED) and closes the client's own
   * pool once calls in flight are done. An injected dispatcher is left open: its creator closes it.
   */
  close(): Promise<void> {
    const own = this.#pool.ownAgent;
    this.#closing ??= own === undefined ? Promise.resolve() : own.close();
    return this.#closing;
  }

  toString(): string {
    return `LuminateClient(${this.secureUrl})`;
  }

  toJSON(): { secureUrl: string } {
    return { secureUrl: this.secureUrl };
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** The form body (it holds the API password: never log it); the method's own parameters come last. */
  #form(method: string, params: Array<[string, string]>, call: CallOptions): string {
    const c = this.#config;
    const form = new URLSearchParams({
      method, v: '1.0', api_key: c.apiKey, login_name: c.loginName, login_password: c.loginPassword, response_format: c.responseFormat,
    });
    if (c.suppressResponseCodes) form.append('suppress_response_codes', 'true');
    if (c.centerId !== undefined) form.append('center_id', c.centerId);
    const source = call.source ?? c.source;
    const subSource = call.subSource ?? c.subSource;
    if (source !== undefined) form.append('source', source);
    if (subSource !== undefined) form.append('sub_source', subSource);
    for (const [key, value] of params) form.append(key, value);
    return form.toString();
  }

  #send(method: string, form: string, deadline: Deadline): Promise<PostResult> {
    const c = this.#config;
    const request = {
      target: this.#target,
      form,
      accept: ACCEPT[c.responseFormat],
      signal: deadline.signal,
      headersTimeoutMs: c.headersTimeoutMs,
      bodyTimeoutMs: c.bodyTimeoutMs,
      maxResponseBytes: c.maxResponseBytes,
    };
    return retryOnce((fresh) => sendOn(this.#pool, fresh, (dispatcher) => postForm({ ...request, dispatcher })), {
      deadline,
      closing: () => this.#closing !== undefined,
      repeatable: REPEATABLE_METHODS.has(method),
      onRetry: (code, why) => log('%s: %s %s; retrying once', method, code, why),
    });
  }

  /** `secrets`: the call's own secret parameters (a visitor's password…). */
  #interpret(reply: PostResult, expectedRoot: string, secrets: string[]): LuminateRecord {
    const format = this.#config.responseFormat;
    const context: ResponseContext = { status: reply.status, redact: [...this.#secrets, ...secrets] };
    if (reply.status >= 200 && reply.status < 300) {
      // With suppress_response_codes an errorResponse arrives as a 200; the parser throws it.
      return parseLuminateResponse(reply.body, format, expectedRoot, context);
    }
    if (reply.status === 405) {
      throw new LuminateError('LUMINATE_HTTP_ERROR', 'Luminate answered HTTP 405: the method must be called with POST', { upstreamStatus: 405 });
    }
    const apiError = readErrorResponse(reply.body, format, context);
    if (apiError !== undefined) throw apiError;
    const reason = reasonPhrase(reply.statusText, context.redact);
    throw new LuminateError('LUMINATE_HTTP_ERROR', `Luminate answered HTTP ${reply.status}${reason} without an API error`, { upstreamStatus: reply.status });
  }
}

/** The client a bridge or login router uses: the injected one, or its own (`own`: to close on shutdown). */
export function siteClient(site: Pick<LuminateClientOptions, 'secureUrl' | 'apiKey' | 'apiLogin'> & {
  apiSecretKey: string;
  client: Omit<LuminateClientOptions, 'secureUrl' | 'apiKey' | 'apiLogin'>;
  injectedClient?: LuminateClient;
}): { client: LuminateClient; own: LuminateClient | undefined } {
  if (site.injectedClient !== undefined) return { client: site.injectedClient, own: undefined };
  const own = new LuminateClient(
    { secureUrl: site.secureUrl, apiKey: site.apiKey, apiLogin: site.apiLogin, ...site.client },
    { redact: [site.apiSecretKey] },
  );
  return { client: own, own };
}
