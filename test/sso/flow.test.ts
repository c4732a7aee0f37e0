import { createFakeLuminate } from '../../src/testing';
import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';

async function logIn(browser: TestBrowser, app: HostApp, consId: string, returnTo?: string) {
  const form: Array<[string, string]> = [['consId', consId]];
  if (returnTo) form.push(['returnTo', returnTo]);
  return browser.navigate(`${app.url}/login`, { method: 'POST', form });
}

describe('the whole hop, host app → Luminate donation page, logged in', () => {
  const fake = useFakeLuminate();
  let app: HostApp | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const donate = (df = '42') => `${fake.secureUrl}/site/Donation2?df_id=${df}`;
  const bridgeLink = (a: HostApp, next: string) => `${a.url}/luminate/sso?next=${encodeURIComponent(next)}`;

  it('singleSignOn: the auto-post page logs the visitor in and lands on the chosen form', async () => {
    app = await startHostApp(fake);
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    const end = await browser.navigate(bridgeLink(app, donate('42')));
    expect(end.status).toBe(200);
    expect(new URL(end.url).pathname).toBe('/fakeorg/site/Donation2');
    expect(new URL(end.url).searchParams.get('df_id')).toBe('42');
    expect(loggedInConsId(end.text)).toBe('1001641');
    // The token went to CRConsAPI in a POST body, never in a URL.
    const token = fake.issuedTokens[0]!.token;
    expect(browser.visited.some((v) => v.url.includes(token) || v.url.includes(encodeURIComponent(token)))).toBe(false);
    const sso = fake.requests.find((r) => r.apiMethod === 'singleSignOn')!;
    expect(sso.method).toBe('POST');
    expect(sso.body.sso_auth_token).toBe(token);
    expect(sso.query).toBe('');
    expect(app.handoffs).toEqual([{ consId: '1001641', handoff: 'singleSignOn', destination: donate('42') }]);
    expect(app.errors).toEqual([]);
  });

  it('establishSession: a 302 with the nonce logs the visitor in', async () => {
    app = await startHostApp(fake, { handoff: 'establishSession' });
    const browser = new TestBrowser();
    await logIn(browser, app, '0012345');
    const end = await browser.navigate(bridgeLink(app, donate('7')));
    expect(loggedInConsId(end.text)).toBe('0012345');
    expect(new URL(end.url).searchParams.get('df_id')).toBe('7');
    const hop = browser.visited.find((v) => v.url.includes('/site/EstablishSession'))!;
    expect(hop.url).toMatch(/\/fakeorg\/site\/EstablishSession;jsessionid=[A-Za-z0-9._-]+\?NONCE_TOKEN=/);
    expect(fake.issuedTokens[0]!.nonceUsed).toBe(true);
    expect(fake.requests.some((r) => r.apiMethod === 'singleSignOn')).toBe(false);
    expect(app.handoffs[0]).toMatchObject({ handoff: 'establishSession', consId: '0012345' });
  });

  it('establishSession on an older site without nonces falls back to singleSignOn', async () => {
    const old = await createFakeLuminate({ issueNonces: false });
    try {
      app = await startHostApp(old, { handoff: 'establishSession' });
      const browser = new TestBrowser();
      await logIn(browser, app, '1001641');
      const end = await browser.navigate(`${app.url}/luminate/sso?next=${encodeURIComponent(`${old.secureUrl}/site/Donation2?df_id=3`)}`);
      expect(loggedInConsId(end.text)).toBe('1001641');
      expect(old.requests.some((r) => r.apiMethod === 'singleSignOn')).toBe(true);
      expect(app.handoffs[0]).toMatchObject({ handoff: 'singleSignOn' });
    } finally {
      await app?.close();
      app = undefined;
      await old.close();
    }
  });

  it('a member_id from the hook works as well as a cons_id', async () => {
    app = await startHostApp(fake);
    const browser = new TestBrowser();
    await browser.navigate(`${app.url}/login`, { method: 'POST', form: [['memberId', 'M-2001']] });
    const end = await browser.navigate(bridgeLink(app, donate()));
    expect(loggedInConsId(end.text)).toBe('1002001');
    expect(fake.requests.find((r) => r.apiMethod === 'getSingleSignOnToken')!.body.member_id).toBe('M-2001');
  });

  it('anonymous → login page with a relative returnTo → back through the bridge → logged in', async () => {
    app = await startHostApp(fake);
    const browser = new TestBrowser();
    const first = await browser.fetch('GET', bridgeLink(app, donate('9')));
    expect(first.status).toBe(302);
    const login = new URL(first.location!);
    expect(login.origin).toBe(app.url);
    expect(login.pathname).toBe('/login');
    const returnTo = login.searchParams.get('returnTo')!;
    expect(returnTo).toBe(`/luminate/sso?next=${encodeURIComponent(donate('9'))}`);
    expect(fake.requests).toHaveLength(0); // no token minted for an anonymous visitor
    const end = await logIn(browser, app, '1002001', returnTo);
    expect(loggedInConsId(end.text)).toBe('1002001');
    expect(new URL(end.url).searchParams.get('df_id')).toBe('9');
  });

  it('anonymous without a loginUrl continues to the destination as a guest', async () => {
    app = await startHostApp(fake, { loginUrl: undefined });
    const browser = new TestBrowser();
    const end = await browser.navigate(bridgeLink(app, donate('5')));
    expect(loggedInConsId(end.text)).toBe('');
    expect(new URL(end.url).searchParams.get('df_id')).toBe('5');
  });

  it('without next the default destination is used; each click mints a fresh token', async () => {
    app = await startHostApp(fake);
    const browser = new TestBrowser();
    await logIn(browser, app, '1001641');
    const a = await browser.navigate(`${app.url}/luminate/sso`);
    const b = await browser.navigate(`${app.url}/luminate/sso`);
    expect(new URL(a.url).searchParams.get('df_id')).toBe('1');
    expect(loggedInConsId(b.text)).toBe('1001641');
    expect(fake.issuedTokens).toHaveLength(2);
    expect(fake.issuedTokens[0]!.token).not.toBe(fake.issuedTokens[1]!.token);
  });

  it('works mounted under a prefix, and returnTo keeps the prefix', async () => {
    app = await startHostApp(fake, {}, '/give');
    const browser = new TestBrowser();
    const first = await browser.fetch('GET', `${app.url}/give/luminate/sso`);
    expect(new URL(first.location!).searchParams.get('returnTo')).toBe('/give/luminate/sso');
    await logIn(browser, app, '1001641');
    const end = await browser.navigate(`${app.url}/give/luminate/sso`);
    expect(loggedInConsId(end.text)).toBe('1001641');
  });

  it('an async hook is awaited', async () => {
    app = await startHostApp(fake, {
      constituent: async () => {
        await new Promise((r) => setTimeout(r, 20));
        return { consId: '1002001' };
      },
    });
    const end = await new TestBrowser().navigate(`${app.url}/luminate/sso`);
    expect(loggedInConsId(end.text)).toBe('1002001');
  });
});
