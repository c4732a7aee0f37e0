import express from 'express';
import request from 'supertest';
import { luminateSso } from '../../src';
import { errorRedirectPattern, parseAutoPostForm } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { bridgeOptionsFor, startHostApp, type HostApp } from '../helpers/host-app';
import { openRedirectPayloads } from '../helpers/payloads';

const fake = useFakeLuminate();
const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

async function app(over: Parameters<typeof startHostApp>[1] = {}): Promise<HostApp> {
  const a = await startHostApp(fake, { constituent: () => ({ consId: '1001641' }), ...over });
  opened.push(a);
  return a;
}

describe('open redirects: the bridge never leaves the allow list', () => {
  const PREFIX = 'https://secure2.convio.net/myorg/site/';
  const DEFAULT = `${PREFIX}Donation2?df_id=1000`;
  const payloads = openRedirectPayloads();

  it('has a corpus of at least 100 payloads', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(100);
  });

  it('anonymous visitors with a hostile next are sent to the default destination, every time', async () => {
    const a = await app({
      constituent: () => null,
      loginUrl: undefined,
      luminate: { secureUrl: fake.secureUrl },
      destinations: { allow: [PREFIX], default: DEFAULT },
    });
    const agent = request(a.url);
    for (const payload of payloads) {
      const res = await agent.get(`/luminate/sso?next=${encodeURIComponent(payload)}`);
      expect({ payload, status: res.status, location: res.headers.location }).toEqual({ payload, status: 302, location: DEFAULT });
    }
    // and a hostile next given twice, or as an object
    for (const query of ['next=https://evil.example/&next=https://evil.example/', 'next[a]=https://evil.example/']) {
      const res = await agent.get(`/luminate/sso?${query}`);
      expect(res.headers.location).toBe(DEFAULT);
    }
  });

  it('logged-in visitors: the success_redirect and error_redirect only ever carry allowed URLs', async () => {
    const a = await app({ throttle: false }); // 60 handoffs for one visitor: far over the default limit
    const agent = request(a.url);
    const def = `${fake.secureUrl}/site/Donation2?df_id=1`;
    for (const payload of payloads.slice(0, 60)) {
      const res = await agent.get(`/luminate/sso?next=${encodeURIComponent(payload)}`);
      const form = parseAutoPostForm(res.text, a.url)!;
      const fields = Object.fromEntries(form.fields);
      expect({ payload, success: fields.success_redirect }).toEqual({ payload, success: def });
      expect(fields.error_redirect).toMatch(errorRedirectPattern(`${a.url}/luminate/sso/callback?next=${encodeURIComponent(def)}`));
    }
  });

  it('the login redirect carries only a relative returnTo to the bridge itself', async () => {
    const a = await app({ constituent: () => null, loginUrl: '/login' });
    const res = await request(a.url).get('/luminate/sso?next=https%3A%2F%2Fevil.example%2F&x=%0d%0aSet-Cookie:%20a=b');
    expect(res.status).toBe(302);
    const location = new URL(res.headers.location as string, a.url);
    expect(location.origin).toBe(a.url);
    expect(location.pathname).toBe('/login');
    expect(location.searchParams.get('returnTo')!.startsWith('/luminate/sso?')).toBe(true);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('response headers and the handoff page', () => {
  it('the singleSignOn page: no-store, no-referrer, a nonce CSP whose form-action lists every hop, escaped values', async () => {
    const a = await app();
    const res = await request(a.url).get('/luminate/sso');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const csp = res.headers['content-security-policy'] as string;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(res.text).toContain(`<script nonce="${nonce}">`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    const formAction = /form-action ([^;]+)/.exec(csp)![1]!.split(' ');
    expect(formAction.sort()).toEqual([fake.url, a.url].sort());
    expect(res.text).toContain('<button type="submit">Continue</button>');
    const second = await request(a.url).get('/luminate/sso');
    expect(/'nonce-([^']+)'/.exec(second.headers['content-security-policy'] as string)![1]).not.toBe(nonce);
  });

  it('form-action also names a destination on a third origin', async () => {
    const a = await app({
      destinations: { allow: [`${fake.secureUrl}/site/`, 'https://give.example.org/'], default: `${fake.secureUrl}/site/Donation2?df_id=1` },
    });
    const res = await request(a.url).get(`/luminate/sso?next=${encodeURIComponent('https://give.example.org/donate')}`);
    expect(res.headers['content-security-policy']).toMatch(/form-action [^;]*https:\/\/give\.example\.org/);
  });

  it('redirects also carry no-store and no-referrer', async () => {
    const a = await app({ handoff: 'establishSession' });
    const res = await request(a.url).get('/luminate/sso');
    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('behind a TLS proxy (trust proxy) the callback URL uses the public scheme and host', async () => {
    const a = await app();
    const res = await request(a.url).get('/luminate/sso').set('X-Forwarded-Proto', 'https').set('X-Forwarded-Host', 'www.example.org');
    const fields = Object.fromEntries(parseAutoPostForm(res.text, a.url)!.fields);
    expect(fields.error_redirect!.startsWith('https://www.example.org/luminate/sso/callback?')).toBe(true);
  });

  it('a host name with the root dot (www.example.org.) is accepted and kept in the callback URL: the browser comes back to the origin it is on', async () => {
    const a = await app();
    const res = await request(a.url).get('/luminate/sso').set('X-Forwarded-Proto', 'https').set('X-Forwarded-Host', 'www.example.org.');
    const fields = Object.fromEntries(parseAutoPostForm(res.text, a.url)!.fields);
    expect(fields.error_redirect!.startsWith('https://www.example.org./luminate/sso/callback?')).toBe(true);
  });

  it.each(['www.example.org..', '.', 'www..example.org', '.www.example.org'])('Host %s (more than one root dot, empty labels) → SSO_INVALID_HOST', async (host) => {
    const errors: string[] = [];
    const plain = express();
    const bridge = luminateSso(bridgeOptionsFor(fake, { constituent: () => ({ consId: '1001641' }), onError: (e) => errors.push(e.code) }));
    opened.push(bridge);
    plain.use(bridge);
    await request(plain).get('/luminate/sso').set('Host', host);
    expect(errors).toEqual(['SSO_INVALID_HOST']);
    expect(fake.requests).toHaveLength(0);
  });

  it('baseUrl wins over the request', async () => {
    const a = await app({ baseUrl: 'https://donate.example.org' });
    const res = await request(a.url).get('/luminate/sso').set('X-Forwarded-Host', 'evil.example');
    const fields = Object.fromEntries(parseAutoPostForm(res.text, a.url)!.fields);
    expect(fields.error_redirect!.startsWith('https://donate.example.org/luminate/sso/callback?')).toBe(true);
  });

  it('an untrusted X-Forwarded-Host is ignored', async () => {
    const plain = express();
    const bridge = luminateSso(bridgeOptionsFor(fake, { constituent: () => ({ consId: '1001641' }) }));
    opened.push(bridge);
    plain.use(bridge);
    const res = await request(plain).get('/luminate/sso').set('Host', 'site.example').set('X-Forwarded-Host', 'evil.example');
    const fields = Object.fromEntries(parseAutoPostForm(res.text, 'http://site.example')!.fields);
    expect(fields.error_redirect!.startsWith('http://site.example/luminate/sso/callback?')).toBe(true);
  });

  it('a Host header that is not a host name → SSO_INVALID_HOST and the policy, no token minted', async () => {
    const errors: string[] = [];
    const plain = express();
    const bridge = luminateSso(bridgeOptionsFor(fake, { constituent: () => ({ consId: '1001641' }), onError: (e) => errors.push(e.code) }));
    opened.push(bridge);
    plain.use(bridge);
    const res = await request(plain).get('/luminate/sso').set('Host', 'evil.example/"><script>');
    expect(res.status).toBe(302);
    expect(errors).toEqual(['SSO_INVALID_HOST']);
    expect(fake.requests).toHaveLength(0);
  });

  it('app.use(luminateSso) without calling it is caught with a helpful message', async () => {
    const plain = express();
    plain.use(luminateSso as never);
    plain.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send(err.message);
    });
    const res = await request(plain).get('/');
    expect(res.text).toContain('it looks like you wrote `app.use(luminateSso)`');
  });

  it('other paths pass through to the host app untouched', async () => {
    const host = express();
    const bridge = luminateSso(bridgeOptionsFor(fake));
    opened.push(bridge);
    host.use(bridge);
    host.get('/about', (_req, res) => res.send('about'));
    const res = await request(host).get('/about');
    expect(res.text).toBe('about');
    expect(res.headers['content-security-policy']).toBeUndefined();
  });
});
