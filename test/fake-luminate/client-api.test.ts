import { createHash } from 'node:crypto';
import { createFakeLuminate, type FakeLuminate, type FakeLuminateOptions } from '../../src/testing';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { TestClient, cookiePair, header, issueToken, setCookies, ssoForm, xmlField } from './helpers';

/** The test's own check of a signed redirect, written apart from the stand-in's signer. */
function expectSigned(location: string, o: { secret: string; algo: 'md5' | 'sha1'; param: string; includeName?: boolean }): void {
  const query = location.slice(location.indexOf('?') + 1).split('#')[0]!;
  const marker = `&${o.param}=`;
  const at = query.lastIndexOf(marker);
  expect(at).toBeGreaterThan(0);
  const prefix = query.slice(0, at);
  const given = query.slice(at + marker.length);
  const expected = createHash(o.algo).update((o.includeName ? prefix + marker : prefix) + o.secret).digest('hex');
  expect(given).toHaveLength(o.algo === 'md5' ? 32 : 40);
  expect(given).toBe(expected);
  expect(prefix).toMatch(/(^|&)ts=\d{10}$/);
}

async function withFake(options: FakeLuminateOptions, fn: (fake: FakeLuminate, c: TestClient) => Promise<void>): Promise<void> {
  const fake = await createFakeLuminate(options);
  const c = new TestClient(fake.secureUrl);
  try {
    await fn(fake, c);
  } finally {
    await c.close();
    await fake.close();
  }
}

describe('stand-in CRConsAPI singleSignOn', () => {
  const fake = useFakeLuminate();
  let client: TestClient;
  beforeAll(() => {
    client = new TestClient(fake.secureUrl);
  });
  afterAll(() => client.close());

  it('logs the browser in and answers the session id (XML) with a session cookie', async () => {
    const t = await issueToken(client, fake, '1001641');
    const r = await client.post('/site/CRConsAPI', ssoForm(fake, t.token));
    expect(r.status).toBe(200);
    const session = cookiePair(r, 'FAKE_LO_SESSION')!.split('=')[1]!;
    expect(setCookies(r)[0]).toBe(`FAKE_LO_SESSION=${session}; Path=/; HttpOnly; SameSite=Lax`);
    expect(r.text).toMatch(new RegExp(`<singleSignOnMethodResponse [^>]*>${session.replace(/\./g, '\\.')}</singleSignOnMethodResponse>$`));
    expect(fake.sessions.get(session)).toBe('1001641');
    expect(fake.issuedTokens[0]!.used).toBe(true);
  });

  it('answers {"singleSignOnMethodResponse":{"content":...}} in JSON', async () => {
    const t = await issueToken(client, fake, '0012345');
    const r = await client.post('/site/CRConsAPI', ssoForm(fake, t.token, { response_format: 'json' }));
    const session = cookiePair(r, 'FAKE_LO_SESSION')!.split('=')[1];
    expect(JSON.parse(r.text)).toEqual({ singleSignOnMethodResponse: { content: session } });
    expect(header(r, 'content-type')).toBe('text/plain;charset=UTF-8');
  });

  it('treats a token as single use (error 7 the second time)', async () => {
    const t = await issueToken(client, fake, '1001641');
    expect((await client.post('/site/CRConsAPI', ssoForm(fake, t.token))).status).toBe(200);
    const again = await client.post('/site/CRConsAPI', ssoForm(fake, t.token, { response_format: 'json' }));
    expect(again.status).toBe(403);
    expect(JSON.parse(again.text)).toEqual({ errorResponse: { code: '7', message: 'Single SignOn failed.' } });
    expect(setCookies(again)).toEqual([]);
    expect(fake.sessions.size).toBe(1);
  });

  it.each([
    ['an unknown token', { sso_auth_token: 'made-up..' }, '7'],
    ['no token', { sso_auth_token: '' }, '7'],
    ['a wrong api_key', { api_key: 'wrong' }, '2'],
    ['a wrong version', { v: '1' }, '1'],
    ['an unknown method', { method: 'singleSignOff' }, '6'],
  ])('refuses %s', async (_n, extra, code) => {
    const t = await issueToken(client, fake, '1001641');
    const r = await client.post('/site/CRConsAPI', { ...ssoForm(fake, t.token), ...extra });
    expect(r.status).toBe(403);
    expect(xmlField(r.text, 'code')).toBe(code);
    expect(fake.sessions.size).toBe(0);
  });

  it('refuses GET with 405 and leaves the token unused', async () => {
    const t = await issueToken(client, fake, '1001641');
    const r = await client.get(`/site/CRConsAPI?${new URLSearchParams(ssoForm(fake, t.token)).toString()}`);
    expect(r.status).toBe(405);
    expect(header(r, 'allow')).toBe('POST');
    expect(fake.issuedTokens[0]!.used).toBe(false);
  });

  it('redirects to success_redirect with the cons_id placeholder filled, unsigned by default', async () => {
    const t = await issueToken(client, fake, '0012345');
    const r = await client.post('/site/CRConsAPI', ssoForm(fake, t.token, {
      success_redirect: 'https://host.example/back?cid=${loginResponse/cons_id}',
      error_redirect: 'https://host.example/err',
    }));
    expect(r.status).toBe(302);
    expect(header(r, 'location')).toBe('https://host.example/back?cid=0012345');
    expect(cookiePair(r, 'FAKE_LO_SESSION')).toBeDefined();
  });

  it('redirects to error_redirect with code and message filled in', async () => {
    const r = await client.post('/site/CRConsAPI', ssoForm(fake, 'bogus', {
      success_redirect: 'https://host.example/ok',
      error_redirect: 'https://host.example/err?code=${errorResponse/code}&msg=${errorResponse/message}&c=${loginResponse/cons_id}',
    }));
    expect(r.status).toBe(302);
    expect(header(r, 'location')).toBe('https://host.example/err?code=7&msg=Single%20SignOn%20failed.&c=');
    expect(fake.requests.at(-1)!.outcome).toBe('error 7');
  });

  it('falls back to `redirect` for both outcomes', async () => {
    const t = await issueToken(client, fake, '1001641');
    const ok = await client.post('/site/CRConsAPI', ssoForm(fake, t.token, { redirect: 'http://h.example/r?x=${loginResponse/cons_id}' }));
    expect(header(ok, 'location')).toBe('http://h.example/r?x=1001641');
    const bad = await client.post('/site/CRConsAPI', ssoForm(fake, t.token, { redirect: 'http://h.example/r?e=${errorResponse/code}' }));
    expect(header(bad, 'location')).toBe('http://h.example/r?e=7');
  });

  it('refuses a redirect that is not an absolute http(s) URL (400) before using the token', async () => {
    const t = await issueToken(client, fake, '1001641');
    for (const target of ['/relative', 'javascript:alert(1)', 'https://h.example/a b']) {
      const r = await client.post('/site/CRConsAPI', ssoForm(fake, t.token, { success_redirect: target }));
      expect(r.status).toBe(400);
    }
    expect(fake.issuedTokens[0]!.used).toBe(false);
  });

  it('signs redirects with MD5 over the query before &signature= (default)', async () => {
    const t = await issueToken(client, fake, '1001641');
    const r = await client.post('/site/CRConsAPI', ssoForm(fake, t.token, {
      success_redirect: 'https://host.example/cb?state=a%2Fb&cid=${loginResponse/cons_id}#frag',
      sign_redirects: 'true',
    }));
    const loc = header(r, 'location')!;
    expect(loc).toMatch(/^https:\/\/host\.example\/cb\?state=a%2Fb&cid=1001641&ts=\d{10}&signature=[0-9a-f]{32}#frag$/);
    expectSigned(loc, { secret: 'fake-api-secret', algo: 'md5', param: 'signature' });
    // A different secret must not verify: the check above is not vacuous.
    expect(() => expectSigned(loc, { secret: 'other', algo: 'md5', param: 'signature' })).toThrow();
  });

  it('signs error redirects too, and starts a query when the URL has none', async () => {
    const r = await client.post('/site/CRConsAPI', ssoForm(fake, 'bogus', { error_redirect: 'https://host.example/err', sign_redirects: 'true' }));
    const loc = header(r, 'location')!;
    expect(loc).toMatch(/^https:\/\/host\.example\/err\?ts=\d{10}&signature=[0-9a-f]{32}$/);
    expectSigned(loc, { secret: fake.apiSecretKey, algo: 'md5', param: 'signature' });
  });

  it('sets a long-lived remember-me cookie when remember_me=true', async () => {
    const t = await issueToken(client, fake, '1001641');
    const r = await client.post('/site/CRConsAPI', ssoForm(fake, t.token, { remember_me: 'true' }));
    const remember = setCookies(r).find((c) => c.startsWith('FAKE_LO_REMEMBER='));
    expect(remember).toMatch(/^FAKE_LO_REMEMBER=[A-Za-z0-9_-]+; Path=\/; Max-Age=31536000; HttpOnly; SameSite=Lax$/);
    const plain = await client.post('/site/CRConsAPI', ssoForm(fake, (await issueToken(client, fake, '1001641')).token));
    expect(setCookies(plain).some((c) => c.startsWith('FAKE_LO_REMEMBER='))).toBe(false);
  });
});

describe('stand-in signing variants', () => {
  const cases: [string, FakeLuminateOptions, { algo: 'md5' | 'sha1'; param: string; includeName?: boolean }][] = [
    ['SHA-1', { signatureAlgorithm: 'sha1' }, { algo: 'sha1', param: 'signature' }],
    ['the old `sig` name', { signatureParam: 'sig' }, { algo: 'md5', param: 'sig' }],
    ['a prefix that includes &signature=', { signatureIncludesParamName: true }, { algo: 'md5', param: 'signature', includeName: true }],
    ['SHA-1, sig and the name in the prefix', { signatureAlgorithm: 'sha1', signatureParam: 'sig', signatureIncludesParamName: true }, { algo: 'sha1', param: 'sig', includeName: true }],
  ];

  it.each(cases)('signs with %s', async (_n, options, expected) => {
    await withFake({ ...options, apiSecretKey: 'variant-secret' }, async (fake, c) => {
      const t = await issueToken(c, fake, '1001641');
      const r = await c.post('/site/CRConsAPI', ssoForm(fake, t.token, { success_redirect: 'https://h.example/cb?x=1', sign_redirects: 'true' }));
      const loc = header(r, 'location')!;
      expect(loc).toContain(`&${expected.param}=`);
      expectSigned(loc, { secret: 'variant-secret', ...expected });
      // Hashing the other prefix form must not match.
      expect(() => expectSigned(loc, { secret: 'variant-secret', ...expected, includeName: !expected.includeName })).toThrow();
    });
  });

  it('uses the `now` clock for ts and expires tokens after tokenTtlSeconds', async () => {
    let clock = 1_700_000_000_000;
    await withFake({ now: () => clock, tokenTtlSeconds: 60 }, async (fake, c) => {
      const early = await issueToken(c, fake, '1001641');
      const late = await issueToken(c, fake, '1001641');
      clock += 59_000;
      const ok = await c.post('/site/CRConsAPI', ssoForm(fake, early.token, { success_redirect: 'https://h.example/', sign_redirects: 'true' }));
      expect(header(ok, 'location')).toMatch(/^https:\/\/h\.example\/\?ts=1700000059&signature=/);
      clock += 1_000;
      const expired = await c.post('/site/CRConsAPI', ssoForm(fake, late.token, { response_format: 'json' }));
      expect(expired.status).toBe(403);
      expect(JSON.parse(expired.text).errorResponse.code).toBe('7');
      expect(fake.issuedTokens[1]!.expiresAt).toBe(1_700_000_060_000);
    });
  });
});

describe('stand-in CRConsAPI logout and loginTest', () => {
  it('loginTest reports the logged-in cons_id with a login signature, logout ends the session', async () => {
    await withFake({}, async (fake, c) => {
      const t = await issueToken(c, fake, '0012345');
      const sso = await c.post('/site/CRConsAPI', ssoForm(fake, t.token));
      const cookie = cookiePair(sso, 'FAKE_LO_SESSION')!;
      const base = { v: '1.0', api_key: fake.apiKey, response_format: 'json' };

      const test = await c.post('/site/CRConsAPI', { ...base, method: 'loginTest' }, { headers: { cookie } });
      expect(test.status).toBe(200);
      const login = JSON.parse(test.text).loginResponse as Record<string, string | null>;
      expect(login.cons_id).toBe('0012345');
      expect(login.token).toBeNull();
      const expected = createHash('md5').update(`0012345${login.timestamp}fake-api-secret`).digest('hex');
      expect(login.signature).toBe(expected);

      const out = await c.post('/site/CRConsAPI', { ...base, method: 'logout' }, { headers: { cookie } });
      expect(JSON.parse(out.text)).toEqual({ loginResponse: { message: 'User logged out successfully.' } });
      expect(setCookies(out)[0]).toMatch(/^FAKE_LO_SESSION=; Path=\/; Max-Age=0/);
      expect(fake.sessions.size).toBe(0);

      const guest = await c.post('/site/CRConsAPI', { ...base, method: 'loginTest' }, { headers: { cookie } });
      expect(guest.status).toBe(403);
      expect(JSON.parse(guest.text).errorResponse.code).toBe('202');
    });
  });

  it('logout follows a signed success_redirect and answers XML by default', async () => {
    await withFake({ signatureAlgorithm: 'sha1' }, async (fake, c) => {
      const base = { v: '1.0', api_key: fake.apiKey, method: 'logout' };
      const xml = await c.post('/site/CRConsAPI', base);
      expect(xmlField(xml.text, 'message')).toBe('User logged out successfully.');
      const r = await c.post('/site/CRConsAPI', { ...base, success_redirect: 'https://h.example/bye', sign_redirects: 'true' });
      expect(r.status).toBe(302);
      expectSigned(header(r, 'location')!, { secret: fake.apiSecretKey, algo: 'sha1', param: 'signature' });
    });
  });

  it('loginTest refuses GET (405)', async () => {
    await withFake({}, async (fake, c) => {
      const r = await c.get(`/site/CRConsAPI?method=loginTest&v=1.0&api_key=${fake.apiKey}`);
      expect(r.status).toBe(405);
    });
  });
});
