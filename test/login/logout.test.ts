/** Logout ends the host session and Luminate's, through Luminate's signed redirect; GET logout resists CSRF. */
import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { donationPage, fetchWithHeaders, postLogin, sessionId, startLoginApp, whoami, type LoginApp } from './helpers';

const fake = useFakeLuminate();
let app: LoginApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A browser logged in on both sites, and the token of its (new) session. */
async function loggedIn(a: LoginApp) {
  const browser = new TestBrowser();
  await postLogin(browser, a, { member_id: 'M-1001', last_name: 'Lovelace' });
  expect(await whoami(browser, a)).toBe('1001641');
  expect(loggedInConsId((await donationPage(browser, fake)).text)).toBe('1001641');
  const confirm = await browser.fetch('GET', `${a.url}/luminate/logout`);
  const token = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1]!;
  return { browser, token };
}

async function expectLoggedOutOfBoth(browser: TestBrowser, a: LoginApp, sid: string) {
  expect(await whoami(browser, a)).toBeNull();
  expect(await new Promise((resolve) => a.sessions.get(sid, (_e, s) => resolve(s)))).toBeFalsy();
  expect([...fake.sessions.values()]).not.toContain('1001641');
  expect(loggedInConsId((await donationPage(browser, fake)).text)).toBe('');
}

describe('logging out', () => {
  it('POST with the token: the host session is destroyed, Luminate logs out and signs its way back, the visitor lands on afterLogout', async () => {
    app = await startLoginApp(fake, { afterLogout: '/goodbye' });
    const { browser, token } = await loggedIn(app);
    const sid = sessionId(browser, app)!;
    const end = await browser.navigate(`${app.url}/luminate/logout`, { method: 'POST', form: [['_csrf', token]] });
    expect(end.url).toBe(`${app.url}/goodbye`);
    const luminate = fake.requests.find((r) => r.apiMethod === 'logout')!;
    expect(luminate.method).toBe('GET');
    const query = new URLSearchParams(luminate.query);
    expect(query.get('sign_redirects')).toBe('true');
    // The way back carries a handoff id this bridge can recognise (see newHandoffId).
    expect(query.get('success_redirect')).toMatch(/\/luminate\/logout\/done\?hid=[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{16}$/);
    expect(query.get('success_redirect')!.startsWith(`${app.url}/luminate/logout/done?`)).toBe(true);
    // The way back was signed by Luminate and verified.
    expect(browser.visited.find((v) => v.url.startsWith(`${app!.url}/luminate/logout/done?`))!.url).toMatch(/ts=\d+&signature=[0-9a-f]{32}$/);
    expect(app.errors).toEqual([]);
    await expectLoggedOutOfBoth(browser, app, sid);
  });

  it('a POST without the token is refused with a confirmation page; nothing ends', async () => {
    app = await startLoginApp(fake);
    const { browser } = await loggedIn(app);
    const res = await browser.fetch('POST', `${app.url}/luminate/logout`, {});
    expect(res.status).toBe(403);
    expect(res.location).toBeUndefined();
    expect(res.text).toMatch(/<form method="post" action="\/luminate\/logout">/);
    expect(app.errors.map((e) => e.code)).toEqual(['LOGIN_CSRF_INVALID']);
    expect(await whoami(browser, app)).toBe('1001641');
    expect(fake.requests.some((r) => r.apiMethod === 'logout')).toBe(false);
  });

  it('GET from a page of this site (Sec-Fetch-Site: same-origin) logs out at once', async () => {
    app = await startLoginApp(fake);
    const { browser } = await loggedIn(app);
    const sid = sessionId(browser, app)!;
    const res = await fetchWithHeaders(browser, 'GET', `${app.url}/luminate/logout`, { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' });
    expect(res.status).toBe(302);
    expect(res.location!.startsWith(`${fake.secureUrl}/site/CRConsAPI?method=logout&`)).toBe(true);
    const end = await browser.navigate(res.location!);
    expect(end.url).toBe(`${app.url}/`);
    await expectLoggedOutOfBoth(browser, app, sid);
  });

  it.each([
    ['another site (a link or an <img>)', { 'sec-fetch-site': 'cross-site' }],
    ['a sibling subdomain', { 'sec-fetch-site': 'same-site' }],
    ['a typed URL or another app', { 'sec-fetch-site': 'none' }],
    ['a browser without Fetch Metadata', {}],
  ])('GET from %s only shows a confirmation; its button logs out', async (_from, headers) => {
    app = await startLoginApp(fake);
    const { browser } = await loggedIn(app);
    const sid = sessionId(browser, app)!;
    const page = await fetchWithHeaders(browser, 'GET', `${app.url}/luminate/logout`, headers);
    expect(page.status).toBe(200);
    expect(await whoami(browser, app)).toBe('1001641');
    expect(fake.requests.some((r) => r.apiMethod === 'logout')).toBe(false);
    // The page may post to this site, and be redirected on to Luminate.
    expect(page.headers['content-security-policy']).toContain(`form-action 'self' ${new URL(fake.secureUrl).origin}`);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    await browser.navigate(`${app.url}/luminate/logout`, { method: 'POST', form: [['_csrf', token]] });
    await expectLoggedOutOfBoth(browser, app, sid);
  });

  it.each([
    ['a same-origin <img>', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }],
    ['a same-origin fetch()', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'same-origin', 'sec-fetch-dest': 'empty' }],
    ['a same-origin prefetch', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'sec-purpose': 'prefetch' }],
  ])('GET from %s logs nobody out: 403, nothing ends', async (_from, headers) => {
    app = await startLoginApp(fake);
    const { browser } = await loggedIn(app);
    const res = await fetchWithHeaders(browser, 'GET', `${app.url}/luminate/logout`, headers);
    expect(res.status).toBe(403);
    expect(res.location).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toContain('_csrf');
    expect(await whoami(browser, app)).toBe('1001641');
    expect(fake.requests.some((r) => r.apiMethod === 'logout')).toBe(false);
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_NOT_NAVIGATION']);
  });

  it('anonymous requests create no session: 200 GETs and POSTs store nothing', async () => {
    app = await startLoginApp(fake);
    const count = () => new Promise<number>((resolve) => app!.sessions.length((_e, n) => resolve(n ?? 0)));
    for (let i = 0; i < 100; i += 1) {
      const browser = new TestBrowser();
      const get = await browser.fetch('GET', `${app.url}/luminate/logout`);
      expect(get.status).toBe(302);
      expect(get.location!.startsWith(`${fake.secureUrl}/site/CRConsAPI?method=logout&`)).toBe(true);
      expect(get.headers['set-cookie']).toBeUndefined();
      const post = await browser.fetch('POST', `${app.url}/luminate/logout`, {});
      expect(post.status).toBe(303);
      expect(post.headers['set-cookie']).toBeUndefined();
    }
    expect(await count()).toBe(0);
    expect(app.events.filter((e) => e === 'session saved')).toEqual([]);
  });

  it('a forged or stale callback still lands on afterLogout, and is reported', async () => {
    app = await startLoginApp(fake, { afterLogout: 'https://www.example.org/' });
    const browser = new TestBrowser();
    const forged = await browser.fetch('GET', `${app.url}/luminate/logout/done?ts=${Math.floor(Date.now() / 1000)}&signature=${'0'.repeat(32)}`);
    expect(forged.status).toBe(302);
    expect(forged.location).toBe('https://www.example.org/');
    const unsigned = await browser.fetch('GET', `${app.url}/luminate/logout/done?next=https://evil.example/`);
    expect(unsigned.location).toBe('https://www.example.org/');
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CALLBACK_SIGNATURE_INVALID', 'SSO_CALLBACK_SIGNATURE_INVALID']);
  });

  it('logging out without being logged in still sends the browser through Luminate (at once: nothing here to end)', async () => {
    app = await startLoginApp(fake);
    const browser = new TestBrowser();
    const end = await browser.navigate(`${app.url}/luminate/logout`);
    expect(end.url).toBe(`${app.url}/`);
    expect(fake.requests.some((r) => r.apiMethod === 'logout')).toBe(true);
    expect(app.errors).toEqual([]);
  });
});
