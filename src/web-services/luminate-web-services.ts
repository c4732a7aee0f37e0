import { callFailure, retryOnce, startDeadline } from '../luminate/deadline';
import { postTarget, postXml, type PostTarget } from '../luminate/http';
import { dispatcherFor, sendOn, type Dispatchers } from '../luminate/pool';
import { isRecord, OPAQUE_VALUE, readRequiredId, readRequiredString, type LuminateRecord } from '../luminate/values';
import { debugFor, redact } from '../debug';
import { isLuminateError, LuminateError } from '../errors';
import { buildEnvelope, checkBodyXml, checkOperation, escapeXmlText, paramsXml, type SoapParams } from './envelope';
import { resolveWebServicesOptions, type ResolvedWebServicesOptions } from '../config/clients';
import type { Env } from '../config/parse';
import { parseSoapReply } from './reply';
import { SessionKeeper } from './session';
import type { LuminateWebServicesOptions } from '../config/clients';

const log = debugFor('ws');

const ACCEPT = 'text/xml, application/soap+xml;q=0.9, */*;q=0.1';
/** SOAP 1.1 wants a SOAPAction header; `""` ("the request URI says it") is what we send. [?] */
const SOAP_ACTION = '""';
/** Operations safe to send twice (after a stale pooled connection, see retryOnce): Login and reads. */
const REPEATABLE_OPERATION = /^(?:Login$|Query|Get|Describe|List|Retrieve)/;

/** Per-call options. */
export interface WebServicesCallOptions {
  /** An AbortSignal that stops waiting (the call rejects with LUMINATE_ABORTED). */
  signal?: AbortSignal;
}

function callSignal(options: WebServicesCallOptions | undefined): AbortSignal | undefined {
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new LuminateError('LUMINATE_INVALID_ARGUMENT', 'options.signal must be an AbortSignal');
  }
  return signal;
}

/**
 * Client for Luminate Online's SOAP Web Services. `Login` (user name and password of an API
 * Administrator, seed 004) returns a SessionId that rides in the header of every later request
 * and lapses after 30 minutes of inactivity [doc]. This client logs in when first needed, reuses
 * the session while fresh, logs in again when it has been idle longer than `sessionIdleMs` or
 * when Luminate refuses it (then the call is retried once), and never runs two Logins at once.
 * The password and the SessionId never appear in its errors, logs or inspection.
 */
export class LuminateWebServices {
  /** The SOAP endpoint. */
  readonly url: string;
  readonly userName: string;
  readonly #config: ResolvedWebServicesOptions;
  readonly #pool: Dispatchers;
  readonly #host: string;
  readonly #target: PostTarget;
  readonly #sessions: SessionKeeper;
  #closing: Promise<void> | undefined;

  /**
   * `env` (default `process.env`) supplies LUMINATE_WS_URL, LUMINATE_WS_USERNAME and LUMINATE_WS_PASSWORD for options left out.
   * @throws TypeError `LuminateWebServices: options.<name> (or env LUMINATE_WS_…) …`: the first bad or unknown option and the fix.
   */
  constructor(options?: LuminateWebServicesOptions, env: Env = process.env) {
    const config = resolveWebServicesOptions(options, env);
    this.#config = config;
    this.url = config.url;
    this.userName = config.userName;
    this.#host = new URL(config.url).host;
    this.#target = postTarget(config.url);
    this.#pool = dispatcherFor(config);
    this.#sessions = new SessionKeeper(() => this.#login(), config.sessionIdleMs, log);
  }

  /**
   * Logs in now (a fresh session, replacing the current one). Calls do this by themselves when
   * needed; use it to check the credentials. The Login runs under its own `timeoutMs`; `signal`
   * only stops this caller's wait.
   * @throws LuminateError (rejects) LUMINATE_WS_LOGIN_FAULT (credentials or permission refused),
   * LUMINATE_WS_FAULT (a server fault), LUMINATE_HTTP_ERROR (e.g. 404 for a wrong URL, its reason phrase
   * quoted), LUMINATE_UNEXPECTED_RESPONSE, LUMINATE_MALFORMED_RESPONSE (incl. an odd SessionId),
   * LUMINATE_RESPONSE_TOO_LARGE, LUMINATE_TIMEOUT, LUMINATE_ABORTED, LUMINATE_CONNECTION_REFUSED,
   * LUMINATE_CONNECTION_RESET, LUMINATE_NETWORK_ERROR, LUMINATE_CLIENT_CLOSED.
   */
  async login(options?: WebServicesCallOptions): Promise<void> {
    this.#checkOpen();
    await this.#sessions.renew(undefined, callSignal(options));
  }

  /** True while a session is held and not idle longer than `sessionIdleMs`. */
  get hasFreshSession(): boolean {
    return this.#sessions.fresh;
  }

  /**
   * Calls an operation with the session header and returns the content of `<{operation}Response>`
   * (as parsed by the REST client's parser: strings, nulls, records, arrays). `body` is either
   * parameters (`{ QueryString: '…', Page: '1' }`, escaped for you; nested at most 16 levels) or the XML
   * content of the operation element as a well-formed fragment (at most 1,048,576 characters; no DOCTYPE,
   * comments or processing instructions). Logs in first when needed; a session refused once is
   * replaced by one fresh Login and the call sent again.
   * @throws LuminateError (rejects) LUMINATE_INVALID_ARGUMENT (operation name, `Login`, body),
   * LUMINATE_WS_SESSION_FAULT (refused again after the fresh Login), LUMINATE_WS_FAULT, and every code of `login()`.
   */
  async call(operation: string, body: SoapParams | string = {}, options?: WebServicesCallOptions): Promise<LuminateRecord> {
    this.#checkOpen();
    const op = checkOperation(operation);
    if (op === 'Login') throw new LuminateError('LUMINATE_INVALID_ARGUMENT', 'use login() to log in; call() adds the session itself');
    const content = typeof body === 'string' ? checkBodyXml(body) : paramsXml(body);
    const signal = callSignal(options);
    let session = await this.#sessions.current(signal);
    for (let attempt = 1; ; attempt += 1) {
      session.lastUsed = Date.now();
      try {
        return await this.#exchange(op, buildEnvelope(op, content, session.id), [session.id], signal);
      } catch (err) {
        if (!isLuminateError(err) || err.code !== 'LUMINATE_WS_SESSION_FAULT' || attempt >= 2) throw err;
        log('%s: session refused (%s); logging in again and retrying once', op, redact(session.id));
        session = await this.#sessions.renew(session, signal);
      }
    }
  }

  /**
   * A harmless authenticated call that proves the session header works: `GetServerTime`, whose
   * name and reply (`<GetServerTimeResponse><Result>…</Result>`) are [?] — the stand-in speaks
   * it; on a real site use `call()` with an operation your site documents if this one is missing.
   * Resolves with the server time as Luminate wrote it (text).
   * @throws LuminateError (rejects) as `call()`; LUMINATE_MALFORMED_RESPONSE when the reply has no time.
   */
  async getServerTime(options?: WebServicesCallOptions): Promise<string> {
    const record = await this.call('GetServerTime', {}, options);
    const result = record.Result;
    if (isRecord(result)) return readRequiredString(result, 'ServerTime', 'GetServerTimeResponse/Result');
    return readRequiredString(record, 'Result', 'GetServerTimeResponse');
  }

  /**
   * Forgets the session, stops accepting calls (later ones reject with LUMINATE_CLIENT_CLOSED) and closes
   * the own connection pool once calls in flight are done. An injected dispatcher is left open.
   */
  close(): Promise<void> {
    this.#sessions.clear();
    const own = this.#pool.ownAgent;
    this.#closing ??= own === undefined ? Promise.resolve() : own.close();
    return this.#closing;
  }

  // Printing, inspecting and JSON show only the public fields; the password lives in private ones.
  toString(): string {
    return `LuminateWebServices(${this.url}, user ${this.userName})`;
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) {
      throw new LuminateError('LUMINATE_CLIENT_CLOSED', 'this LuminateWebServices has been closed; create a new one');
    }
  }

  /** One Login (called by the SessionKeeper, single-flight); resolves with the SessionId. */
  async #login(): Promise<string> {
    const c = this.#config;
    const content = `<UserName>${escapeXmlText(c.userName, 'userName')}</UserName><Password>${escapeXmlText(c.password, 'password')}</Password>`;
    const record = await this.#exchange('Login', buildEnvelope('Login', content), [], undefined);
    const result = isRecord(record.Result) ? record.Result : record;
    const id = readRequiredId(result, 'SessionId', 'LoginResponse/Result');
    // SessionIds are opaque printable ASCII (the vendor's example: `<hex>:JSESSIONID=…:…:<time>`).
    if (!OPAQUE_VALUE.test(id)) {
      throw new LuminateError('LUMINATE_MALFORMED_RESPONSE', 'Luminate Web Services sent a SessionId that is not in the expected form');
    }
    log('Login: session established for %s (SessionId %s)', c.userName, redact(id));
    return id;
  }

  /** One SOAP request with its own deadline; retried once as retryOnce allows. */
  async #exchange(operation: string, xml: string, secrets: string[], signal: AbortSignal | undefined): Promise<LuminateRecord> {
    const c = this.#config;
    const deadline = startDeadline(c.timeoutMs, this.#host, signal);
    const request = {
      target: this.#target,
      xml,
      soapAction: SOAP_ACTION,
      accept: ACCEPT,
      signal: deadline.signal,
      headersTimeoutMs: c.headersTimeoutMs,
      bodyTimeoutMs: c.bodyTimeoutMs,
      maxResponseBytes: c.maxResponseBytes,
    };
    try {
      const reply = await retryOnce((fresh) => sendOn(this.#pool, fresh, (dispatcher) => postXml({ ...request, dispatcher })), {
        deadline,
        closing: () => this.#closing !== undefined,
        repeatable: REPEATABLE_OPERATION.test(operation),
        onRetry: (code, why) => log('%s: %s %s; retrying once', operation, code, why),
      });
      log('%s: HTTP %d in %d ms', operation, reply.status, Date.now() - deadline.started);
      return parseSoapReply(reply.body, { operation, status: reply.status, statusText: reply.statusText, redact: [c.password, ...secrets] });
    } catch (err) {
      throw callFailure(err, deadline, operation, log);
    } finally {
      deadline.end();
    }
  }
}
