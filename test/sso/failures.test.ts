import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LuminateSsoOptions } from '../../src';
import type { LuminateErrorCode } from '../../src/errors';
import { createFakeLuminate, DEMO_CONSTITUENTS, type FakeFaults } from '../../src/testing';
import { TestBrowser, loggedInConsId, parseAutoPostForm } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';

describe.each(['xml', 'json'] as const)('every upstream failure follows the policy (%s replies)', (responseFormat) => {
  const fake = useFakeLuminate({
    constituents: [...DEMO_CONSTITUENTS, { consId: '2000001', memberId: 'DUP' }, { consId: '2000002', memberId: 'DUP' }],
  });
  let app: HostApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const destination = () => `${fake.secureUrl}/site/Donation2?df_id=77`;

  type Row = [title: string, code: LuminateErrorCode, setup: { sso?: Partial<LuminateSsoOptions>; faults?: FakeFaults; login?: string }];
  const rows: Row[] = [
    ['wrong API key (2)', 'LUMINATE_API_KEY_INVALID', { sso: { luminate: { apiKey: 'not-the-key' } } }],
    ['wrong API admin password (3)', 'LUMINATE_AUTH_FAILED', { sso: { luminate: { apiLogin: { name: 'apiadmin', password: 'wrong' } } } }],
    ['unknown cons_id', 'LUMINATE_CONSTITUENT_NOT_FOUND', { login: '999999' }],
    ['ambiguous member_id (8)', 'LUMINATE_AMBIGUOUS_MEMBER_ID', { sso: { constituent: () => ({ memberId: 'DUP' }) } }],
    ['latency beyond the deadline', 'LUMINATE_TIMEOUT', { faults: { latencyMs: 4000 } }],
    ['HTTP 500', 'LUMINATE_HTTP_ERROR', { faults: { status: 500 } }],
    ['HTTP 503', 'LUMINATE_HTTP_ERROR', { faults: { status: 503 } }],
    ['an HTML maintenance page', 'LUMINATE_UNEXPECTED_RESPONSE', { faults: { maintenancePage: true } }],
    ['a malformed body', 'LUMINATE_MALFORMED_RESPONSE', { faults: { malformedBody: true } }],
    ['a connection reset', 'LUMINATE_CONNECTION_RESET', { faults: { reset: true } }],
    ['a body that never ends', 'LUMINATE_TIMEOUT', { faults: { neverEndingBody: true } }],
    ['an oversized body', 'LUMINATE_RESPONSE_TOO_LARGE', { faults: { oversizedBodyBytes: 1_000_000 } }],
  ];

  it.each(rows)('%s → guest on the destination, onError sees %s', async (_t, code, setup) => {
    app = await startHostApp(fake, { ...setup.sso, luminate: { responseFormat, ...setup.sso?.luminate } });
    Object.assign(fake.faults, setup.faults ?? {});
    const browser = new TestBrowser();
    await browser.navigate(`${app.url}/login`, { method: 'POST', form: [['consId', setup.login ?? '1001641']] });
    const started = Date.now();
    const res = await browser.fetch('GET', `${app.url}/luminate/sso?next=${encodeURIComponent(destination())}`);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(302);
    expect(res.location).toBe(destination());
    expect(app.errors.map((e) => e.code)).toEqual([code]);
    expect(app.handoffs).toEqual([]);
    // timeoutMs is 1500 in the harness: the visitor is answered within it (plus scheduling slack).
    expect(elapsed).toBeLessThan(1500 + 1000);
    const end = await browser.navigate(res.location!);
    expect(loggedInConsId(end.text)).toBe('');
  });

  it.each(rows)("%s → onFailure 'error' passes %s to next(err)", async (_t, code, setup) => {
    app = await startHostApp(fake, { ...setup.sso, onFailure: 'error', luminate: { responseFormat, ...setup.sso?.luminate } });
    Object.assign(fake.faults, setup.faults ?? {});
    const browser = new TestBrowser();
    await browser.navigate(`${app.url}/login`, { method: 'POST', form: [['consId', setup.login ?? '1001641']] });
    const res = await browser.fetch('GET', `${app.url}/luminate/sso`);
    // err.status is what to answer with: 504 for a timeout, 502 for any other trouble upstream.
    expect(res.status).toBe(code === 'LUMINATE_TIMEOUT' ? 504 : 502);
    expect(JSON.parse(res.text)).toEqual({ code });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('other failures', () => {
  const fake = useFakeLuminate();
  let app: HostApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('caller IP not on the white list (4)', async () => {
    const guarded = await createFakeLuminate({ allowedIps: ['192.0.2.10'] });
    try {
      app = await startHostApp(guarded, { constituent: () => ({ consId: '1001641' }) });
      const res = await new TestBrowser().fetch('GET', `${app.url}/luminate/sso`);
      expect(res.status).toBe(302);
      expect(app.errors.map((e) => [e.code, e.luminateCode])).toEqual([['LUMINATE_IP_NOT_ALLOWED', 4]]);
    } finally {
      await app?.close();
      app = undefined;
      await guarded.close();
    }
  });

  it('Luminate down (connection refused) → guest', async () => {
    const down: Server = createServer();
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', () => r()));
    const { port } = down.address() as AddressInfo;
    await new Promise<void>((r) => down.close(() => r()));
    app = await startHostApp(fake, {
      constituent: () => ({ consId: '1001641' }),
      luminate: { secureUrl: `http://127.0.0.1:${port}/fakeorg` },
      destinations: { default: `http://127.0.0.1:${port}/fakeorg/site/Donation2?df_id=1` },
    });
    const res = await new TestBrowser().fetch('GET', `${app.url}/luminate/sso`);
    expect(res.status).toBe(302);
    expect(res.location).toBe(`http://127.0.0.1:${port}/fakeorg/site/Donation2?df_id=1`);
    expect(app.errors.map((e) => e.code)).toEqual(['LUMINATE_CONNECTION_REFUSED']);
  });

  it('a hook that throws → policy, and its message never reaches the visitor', async () => {
    app = await startHostApp(fake, {
      constituent: () => {
        throw new Error('db password is hunter2');
      },
    });
    const res = await new TestBrowser().fetch('GET', `${app.url}/luminate/sso`);
    expect(res.status).toBe(302);
    expect(res.text).not.toContain('hunter2');
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CONSTITUENT_HOOK_FAILED']);
    expect((app.errors[0]!.cause as Error).message).toContain('hunter2');
  });

  it.each([
    ['an empty object', {}],
    ['both ids', { consId: '1', memberId: 'M' }],
    ['a number id', { consId: 1001641 }],
    ['a blank id', { consId: '  ' }],
    ['a string', '1001641'],
  ])('a hook returning %s → SSO_CONSTITUENT_HOOK_FAILED', async (_t, value) => {
    app = await startHostApp(fake, { constituent: () => value as never });
    const res = await new TestBrowser().fetch('GET', `${app.url}/luminate/sso`);
    expect(res.status).toBe(302);
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CONSTITUENT_HOOK_FAILED']);
    expect(fake.requests).toHaveLength(0);
  });

  it('a hook that never settles → answered at the deadline with LUMINATE_TIMEOUT', async () => {
    app = await startHostApp(fake, { constituent: () => new Promise(() => undefined), luminate: { timeoutMs: 300 } });
    const started = Date.now();
    const res = await new TestBrowser().fetch('GET', `${app.url}/luminate/sso`);
    expect(res.status).toBe(302);
    expect(Date.now() - started).toBeLessThan(300 + 1000);
    expect(app.errors.map((e) => e.code)).toEqual(['LUMINATE_TIMEOUT']);
  });

  it('a hook (onError) that throws does not break the answer', async () => {
    app = await startHostApp(fake, {
      constituent: () => ({ consId: '999' }),
      onError: () => {
        throw new Error('metrics down');
      },
    });
    const res = await new TestBrowser().fetch('GET', `${app.url}/luminate/sso`);
    expect(res.status).toBe(302);
  });

  it('Luminate refuses the token at singleSignOn (7) → signed error callback → guest on the destination', async () => {
    app = await startHostApp(fake, { constituent: () => ({ consId: '1001641' }) });
    const browser = new TestBrowser();
    const next = `${fake.secureUrl}/site/Donation2?df_id=88`;
    const page = await browser.fetch('GET', `${app.url}/luminate/sso?next=${encodeURIComponent(next)}`);
    const form = parseAutoPostForm(page.text, app.url)!;
    const tampered = form.fields.map(([k, v]) => [k, k === 'sso_auth_token' ? `${v}x` : v] as [string, string]);
    const end = await browser.navigate(form.action, { method: 'POST', form: tampered });
    expect(new URL(end.url).searchParams.get('df_id')).toBe('88');
    expect(loggedInConsId(end.text)).toBe('');
    expect(browser.visited.some((v) => v.url.startsWith(`${app!.url}/luminate/sso/callback?`))).toBe(true);
    expect(app.errors.map((e) => [e.code, e.luminateCode])).toEqual([['SSO_CALLBACK_ERROR', 7]]);
  });
});
