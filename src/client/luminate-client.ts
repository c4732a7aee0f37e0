import { inspect } from 'node:util';
import type { Agent, Dispatcher } from 'undici';
import { debugFor, redact } from '../debug';
import { LuminateError } from '../errors';
import { checkCallOptions, checkName, checkParams, idParameter } from './call-args';
import { retryIfNeverSent, startDeadline, type Deadline } from './deadline';
import { postForm, type PostResult } from './http';
import { toLuminateError } from './network-errors';
import { parseLuminateResponse, readErrorResponse, type ResponseContext } from './parse-response';
import { dispatcherFor } from './pool';
import { TOKEN_ROOT, toSingleSignOnToken } from './sso-token';
import type { CallOptions, ConstituentRef, LuminateClientOptions, SingleSignOnToken } from './types';
import { resolveClientOptions, type ResolvedClientOptions } from './validate';
import type { LuminateRecord } from './values';

const log = debugFor('client');

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
  readonly #dispatcher: Dispatcher;
  readonly #ownAgent: Agent | undefined;
  readonly #host: string;
  #closing: Promise<void> | undefined;

  constructor(options: LuminateClientOptions) {
    const config = resolveClientOptions(options);
    this.#config = config;
    this.secureUrl = config.secureUrl;
    this.#host = new URL(config.secureUrl).host;
    const { dispatcher, ownAgent } = dispatcherFor(config);
    this.#dispatcher = dispatcher;
    this.#ownAgent = ownAgent;
  }

  /** Asks Luminate for a one-time login (token, and on newer sites nonce and routing id) for one constituent. */
  async getSingleSignOnToken(ref: ConstituentRef, options?: CallOptions): Promise<SingleSignOnToken> {
    const id = idParameter(ref);
    const record = await this.callServerApi('getSingleSignOnToken', { [id.name]: id.value }, TOKEN_ROOT, options);
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
   */
  async callServerApi(
    method: string,
    params: Record<string, string>,
    expectedRoot: string,
    options?: CallOptions,
  ): Promise<LuminateRecord> {
    if (this.#closing !== undefined) {
      throw new LuminateError('LUMINATE_CLIENT_CLOSED', 'this LuminateClient has been closed; create a new one');
    }
    checkName(method, 'method');
    checkName(expectedRoot, 'expectedRoot');
    const call = checkCallOptions(options);
    const form = this.#form(method, checkParams(params), call);
    const deadline = startDeadline(this.#config.timeoutMs, this.#host, call.signal);
    try {
      const reply = await this.#send(method, form, deadline);
      log('%s: HTTP %d in %d ms', method, reply.status, Date.now() - deadline.started);
      return this.#interpret(reply, expectedRoot);
    } catch (err) {
      const error = toLuminateError(err, deadline.state);
      const status = error.upstreamStatus === undefined ? '' : ` HTTP ${error.upstreamStatus}`;
      log('%s failed: %s%s in %d ms', method, error.code, status, Date.now() - deadline.started);
      throw error;
    } finally {
      deadline.clear();
    }
  }

  /**
   * Stops accepting calls and closes the client's own connection pool once calls in flight are
   * done. An injected dispatcher is left open: whoever created it closes it.
   */
  close(): Promise<void> {
    this.#closing ??= this.#ownAgent === undefined ? Promise.resolve() : this.#ownAgent.close();
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

  #form(method: string, params: Array<[string, string]>, call: CallOptions): string {
    const c = this.#config;
    const form = new URLSearchParams({
      method,
      v: '1.0',
      api_key: c.apiKey,
      login_name: c.loginName,
      login_password: c.loginPassword,
      response_format: c.responseFormat,
    });
    if (c.suppressResponseCodes) form.set('suppress_response_codes', 'true');
    const source = call.source ?? c.source;
    const subSource = call.subSource ?? c.subSource;
    if (c.centerId !== undefined) form.set('center_id', c.centerId);
    if (source !== undefined) form.set('source', source);
    if (subSource !== undefined) form.set('sub_source', subSource);
    for (const [key, value] of params) form.set(key, value);
    return form.toString();
  }

  /** One POST, retried once only when the connection was never made (so nothing was sent). */
  #send(method: string, form: string, deadline: Deadline): Promise<PostResult> {
    const c = this.#config;
    const request = {
      dispatcher: this.#dispatcher,
      url: c.endpoint,
      form,
      accept: ACCEPT[c.responseFormat],
      signal: deadline.signal,
      headersTimeoutMs: c.headersTimeoutMs,
      bodyTimeoutMs: c.bodyTimeoutMs,
      maxResponseBytes: c.maxResponseBytes,
    };
    return retryIfNeverSent(() => postForm(request), {
      deadline,
      closing: () => this.#closing !== undefined,
      onRetry: (code) => log('%s: %s before anything was sent; retrying once', method, code),
    });
  }

  #interpret(reply: PostResult, expectedRoot: string): LuminateRecord {
    const format = this.#config.responseFormat;
    const context: ResponseContext = { status: reply.status, redact: [this.#config.loginPassword] };
    if (reply.status >= 200 && reply.status < 300) {
      // With suppress_response_codes an errorResponse arrives as a 200; the parser throws it.
      return parseLuminateResponse(reply.body, format, expectedRoot, context);
    }
    if (reply.status === 405) {
      throw new LuminateError('LUMINATE_HTTP_ERROR', 'Luminate answered HTTP 405: the method must be called with POST', { upstreamStatus: 405 });
    }
    const apiError = readErrorResponse(reply.body, format, context);
    if (apiError !== undefined) throw apiError;
    throw new LuminateError('LUMINATE_HTTP_ERROR', `Luminate answered HTTP ${reply.status} without an API error`, { upstreamStatus: reply.status });
  }
}
