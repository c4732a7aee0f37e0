/** luminateLogin(): both modes end logged in on the host and on Luminate; where the visitor lands. */
import { createFakeLuminate } from '../../src/testing';
import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { ADA, donationPage, formToken, postLogin, sessionId, startLoginApp, whoami, type LoginApp } from './helpers';

const fake = useFakeLuminate();
let app: LoginApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});


describe('logging in', () => {
  it('the EstablishSession hop carries its nonce in the Location header only, never in a body', async () => {
    app = await startLoginApp(fake);
    const browser = new TestBrowser();
    const csrf = await formToken(browser, app);
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: csrf, ...ADA, returnTo: '/' });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/\/site\/EstablishSession;jsessionid=[^?]+\?NONCE_TOKEN=[^&]+/);
    const nonce = new URL(res.location!).searchParams.get('NONCE_TOKEN')!;
    expect(nonce.length).toBeGreaterThan(8);
    expect(res.text).not.toContain(nonce);
  });

  it('authenticateUser: membership number and last name log the visitor in on both sites', async () => {
    app = await startLoginApp(fake);
    const browser = new TestBrowser();
    const end = await postLogin(browser, app, { ...ADA, returnTo: '/' });
    expect(end.status).toBe(200);
    expect(end.url).toBe(`${app.url}/`);
    // The hop through Luminate used the reply's nonce, once.
    const hop = browser.visited.find((v) => v.url.includes('/site/EstablishSession'))!;
    expect(hop.url).toMatch(/\/fakeorg\/site\/EstablishSession;jsessionid=[A-Za-z0-9._-]+\?NONCE_TOKEN=/);
    expect(fake.issuedTokens[0]!.nonceUsed).toBe(true);
    expect(await whoami(browser, app)).toBe('1001641');
    expect(loggedInConsId((await donationPage(browser, fake)).text)).toBe('1001641');
    expect(app.logins).toEqual([{ consId: '1001641', mode: 'authenticateUser', destination: '/', establishSession: true }]);
    expect(app.errors).toEqual([]);

    // The credentials went to SRConsAPI in a POST body, from the server; never in a URL.
    const call = fake.requests.find((r) => r.apiMethod === 'authenticateUser')!;
    expect(call).toMatchObject({ method: 'POST', path: '/fakeorg/site/SRConsAPI', query: '' });
    expect(call.body).toMatchObject({ member_id: 'M-1001', last_name: 'Lovelace', login_name: fake.apiLogin.name });
    expect(call.body).not.toHaveProperty('_csrf');
    expect(call.body).not.toHaveProperty('returnTo');
    expect(browser.visited.some((v) => /Lovelace|M-1001/.test(v.url))).toBe(false);
  });

  it('login: a Luminate user name and password log the visitor in on both sites', async () => {
    app = await startLoginApp(fake, { mode: 'login', fields: undefined });
    const browser = new TestBrowser();
    const end = await postLogin(browser, app, { user_name: 'Grace', password: 'demo-password-grace' });
    expect(end.url).toBe(`${app.url}/`);
    expect(await whoami(browser, app)).toBe('0012345');
    expect(loggedInConsId((await donationPage(browser, fake)).text)).toBe('0012345');
    const call = fake.requests.find((r) => r.apiMethod === 'login')!;
    expect(call).toMatchObject({ method: 'POST', query: '' });
    expect(call.body).toMatchObject({ user_name: 'Grace', password: 'demo-password-grace' });
    expect(browser.visited.some((v) => v.url.includes('demo-password'))).toBe(false);
    expect(app.logins[0]).toMatchObject({ consId: '0012345', mode: 'login' });
  });

  it('luminateSso() without a constituent hook hands the logged-in visitor over', async () => {
    const old = await createFakeLuminate({ issueNonces: false });
    try {
      app = await startLoginApp(old);
      const browser = new TestBrowser();
      const end = await postLogin(browser, app, { ...ADA, returnTo: '/' });
      // No nonce: straight to returnTo; Luminate learns of the visitor on the first bridge link.
      expect(browser.visited.some((v) => v.url.includes('EstablishSession'))).toBe(false);
      expect(end.url).toBe(`${app.url}/`);
      expect(loggedInConsId((await donationPage(browser, old)).text)).toBe('');
      const donate = `${old.secureUrl}/site/Donation2?df_id=12`;
      const handed = await browser.navigate(`${app.url}/luminate/sso?next=${encodeURIComponent(donate)}`);
      expect(loggedInConsId(handed.text)).toBe('1001641');
      expect(old.requests.find((r) => r.apiMethod === 'getSingleSignOnToken')!.body.cons_id).toBe('1001641');
    } finally {
      await app?.close();
      app = undefined;
      await old.close();
    }
  });

  it('the session id changes at login and the old session is gone from the store', async () => {
    app = await startLoginApp(fake);
    const browser = new TestBrowser();
    const token = await formToken(browser, app);
    const before = sessionId(browser, app)!;
    expect(before).toBeDefined();
    await postLogin(browser, app, ADA, token);
    const after = sessionId(browser, app)!;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const old = await new Promise((resolve) => app!.sessions.get(before, (_e, s) => resolve(s)));
    expect(old).toBeFalsy();
    const current = await new Promise<Record<string, unknown> | null | undefined>((resolve) => app!.sessions.get(after, (_e, s) => resolve(s as never)));
    expect(current?.luminateLogin).toMatchObject({ consId: '1001641', mode: 'authenticateUser' });
    // The old token died with the old session.
    expect(current).not.toHaveProperty('luminateCsrf');
  });

  it('the session is saved before the redirect is sent', async () => {
    app = await startLoginApp(fake);
    const browser = new TestBrowser();
    const token = await formToken(browser, app);
    app.events.length = 0;
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: token, ...ADA });
    expect(res.status).toBe(303);
    expect(app.events).toContain('session saved');
    expect(app.events.indexOf('session saved')).toBeLessThan(app.events.indexOf('response 303'));
  });
});

describe('where the visitor goes after logging in', () => {
  it('a returnTo on Luminate is EstablishSession’s NEXTURL', async () => {
    app = await startLoginApp(fake);
    const browser = new TestBrowser();
    const donate = `${fake.secureUrl}/site/Donation2?df_id=77`;
    const end = await postLogin(browser, app, { ...ADA, returnTo: donate });
    expect(end.url).toBe(donate);
    expect(loggedInConsId(end.text)).toBe('1001641');
  });

  it('a returnTo that is a site path is followed (here: the SSO bridge link that sent the visitor to log in)', async () => {
    app = await startLoginApp(fake);
    const browser = new TestBrowser();
    const donate = `${fake.secureUrl}/site/Donation2?df_id=5`;
    const returnTo = `/luminate/sso?next=${encodeURIComponent(donate)}`;
    const end = await postLogin(browser, app, { ...ADA, returnTo });
    // luminateSso's singleSignOn asks Luminate to sign its redirect: ts and signature follow.
    expect(end.url.startsWith(`${donate}&ts=`)).toBe(true);
    expect(loggedInConsId(end.text)).toBe('1001641');
  });

  it.each([
    ['another site', 'https://evil.example/steal'],
    ['a protocol-relative URL', '//evil.example/steal'],
    ['a backslash trick', '/\\evil.example/steal'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['an encoded host', 'https://%65vil.example/site/'],
  ])('a returnTo to %s is refused: the visitor lands on destinations.default', async (_what, returnTo) => {
    app = await startLoginApp(fake, { destinations: { default: '/welcome' } });
    const browser = new TestBrowser();
    await postLogin(browser, app, { ...ADA, returnTo });
    const landed = browser.visited[browser.visited.length - 1]!;
    expect(landed.url).toBe(`${app.url}/welcome`);
    expect(browser.visited.some((v) => v.url.includes('evil'))).toBe(false);
    expect(await whoami(browser, app)).toBe('1001641');
  });

  it('establishSession: false skips the hop through Luminate', async () => {
    app = await startLoginApp(fake, { establishSession: false });
    const browser = new TestBrowser();
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), ...ADA, returnTo: '/account' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${app.url}/account`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(app.logins[0]).toMatchObject({ destination: '/account', establishSession: false });
  });

  it('a SHA-1 site is verified with signatureAlgorithm sha1', async () => {
    const sha1 = await createFakeLuminate({ signatureAlgorithm: 'sha1' });
    try {
      app = await startLoginApp(sha1);
      const browser = new TestBrowser();
      await postLogin(browser, app, ADA);
      expect(await whoami(browser, app)).toBe('1001641');
    } finally {
      await app?.close();
      app = undefined;
      await sha1.close();
    }
  });
});
