import { Agent, request } from 'undici';
import type { FakeLuminate } from '../../src/testing';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface SendOptions {
  form?: Record<string, string>;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** A loopback HTTP(S) client with its own connection pool, closed by `close()`. */
export class TestClient {
  readonly agent: Agent;

  constructor(private readonly base: string, ca?: string) {
    this.agent = new Agent(ca ? { connect: { ca } } : {});
  }

  url(path: string): string {
    return /^https?:/.test(path) ? path : `${this.base}${path}`;
  }

  async send(method: string, path: string, opts: SendOptions = {}): Promise<HttpResult> {
    const timeout = opts.timeoutMs ?? 5000;
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await request(this.url(path), {
      method: method as 'GET',
      headers,
      body: opts.form ? new URLSearchParams(opts.form).toString() : null,
      dispatcher: this.agent,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  post(path: string, form: Record<string, string>, opts: Omit<SendOptions, 'form'> = {}): Promise<HttpResult> {
    return this.send('POST', path, { ...opts, form });
  }

  get(path: string, opts: Omit<SendOptions, 'form'> = {}): Promise<HttpResult> {
    return this.send('GET', path, opts);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

export function header(r: HttpResult, name: string): string | undefined {
  const v = r.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function setCookies(r: HttpResult): string[] {
  const v = r.headers['set-cookie'];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** `NAME=value` of the Set-Cookie for `name`, ready for a Cookie header. */
export function cookiePair(r: HttpResult, name: string): string | undefined {
  return setCookies(r).find((c) => c.startsWith(`${name}=`))?.split(';')[0];
}

/** Text of the first `<name>` element (no XML parser needed for these flat replies). */
export function xmlField(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** A getSingleSignOnToken form with valid credentials; override or drop (undefined) fields. */
export function tokenForm(fake: FakeLuminate, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const form: Record<string, string | undefined> = {
    method: 'getSingleSignOnToken',
    v: '1.0',
    api_key: fake.apiKey,
    login_name: fake.apiLogin.name,
    login_password: fake.apiLogin.password,
    ...extra,
  };
  return Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface TokenJson {
  token: string;
  cons_id: string;
  nonce?: string;
  routing_id?: string;
  JSESSIONID?: string;
}

export async function issueToken(client: TestClient, fake: FakeLuminate, consId: string): Promise<TokenJson> {
  const r = await client.post('/site/SRConsAPI', tokenForm(fake, { cons_id: consId, response_format: 'json' }));
  if (r.status !== 200) throw new Error(`token call failed: ${r.status} ${r.text}`);
  return (JSON.parse(r.text) as { getSingleSignOnTokenResponse: TokenJson }).getSingleSignOnTokenResponse;
}

export function ssoForm(fake: FakeLuminate, token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { method: 'singleSignOn', v: '1.0', api_key: fake.apiKey, sso_auth_token: token, ...extra };
}
