/**
 * Issue 16 §3 and issue 18 §4: every URL the bridge and the login router send a browser to or give
 * it follows one rule (publicPath / publicUrl): it carries the path prefix of `baseUrl`, for a host
 * behind a proxy that strips that prefix. The host app here IS the app behind such a proxy: it sees
 * `/luminate/sso`, while browsers see `https://www.example.org/app/luminate/sso`.
 *
 * The matrix: each URL kind × { baseUrl with a prefix, baseUrl without one, no baseUrl } × both
 * handoff modes (luminateSso) and both login outcomes (luminateLogin). And with `trust proxy` on,
 * an X-Forwarded-Proto other than http/https never becomes a scheme.
 */
import express from 'express';
import { request } from 'undici';
import { luminateLink } from '../../src/sso/attribution';
import { publicPath } from '../../src/http/request-urls';
import type { FakeLuminate } from '../../src/testing';
import { TestBrowser, parseAutoPostForm } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';
import { formToken, startLoginApp, type LoginApp } from '../login/helpers';

/** A logout callback URL without the handoff id the bridge adds to it (`?hid=…`). */
function withoutHid(url: string | null): string | null {
  return url === null ? null : url.replace(/\?hid=[A-Za-z0-9_.-]+$/, '');
}

const fake = useFakeLuminate();
const noNonces = useFakeLuminate({ issueNonces: false });
const opened: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

const ORIGIN = 'https://www.example.org';
/** [label, baseUrl option, the public prefix the browser must see, the public origin (undefined: from the request)] */
const BASES: Array<[string, string | undefined, string]> = [
  ['baseUrl with the path prefix /app', `${ORIGIN}/app`, '/app'],
  ['baseUrl with the prefix and a trailing slash', `${ORIGIN}/app/`, '/app'],
  ['baseUrl without a path', ORIGIN, ''],
  ['no baseUrl', undefined, ''],
];
const HANDOFFS = ['singleSignOn', 'establishSession'] as const;

/** The raw Location header of one GET (nothing followed, nothing resolved). */
async function locationOf(url: string, headers: Record<string, string> = {}): Promise<{ status: number; location: string | undefined; text: string }> {
  const res = await request(url, { headers: { accept: 'text/html', ...headers } });
  const text = await res.body.text();
  const location = res.headers.location;
  return { status: res.statusCode, location: typeof location === 'string' ? location : undefined, text };
}

async function host(over: Parameters<typeof startHostApp>[1], mountPath = '/'): Promise<HostApp> {
  const app = await startHostApp(fake, over, mountPath, (a: express.Express) => {
    a.get('/donate-page', (_req, res) => {
      res.type('text').send((res.locals.luminateLink as (d?: string) => string)(`${fake.secureUrl}/site/Donation2?df_id=7`));
    });
  });
  opened.push(app);
  return app;
}

describe('publicPath: the one rule', () => {
  test.each<[string, string | undefined, string]>([
    ['/account', `${ORIGIN}/app`, '/app/account'],
    ['/', `${ORIGIN}/app`, '/app/'],
    ['/luminate/sso?next=x', `${ORIGIN}/app`, '/app/luminate/sso?next=x'],
    // Already public: applying the rule twice changes nothing.
    ['/app/account', `${ORIGIN}/app`, '/app/account'],
    ['/app', `${ORIGIN}/app`, '/app'],
    ['/app?x=1', `${ORIGIN}/app`, '/app?x=1'],
    ['/application', `${ORIGIN}/app`, '/app/application'],
    ['/account', `${ORIGIN}/a/b`, '/a/b/account'],
    ['/account', ORIGIN, '/account'],
    ['/account', undefined, '/account'],
    // Absolute URLs (Luminate's pages) are never touched.
    ['https://secure2.convio.net/myorg/site/Donation2', `${ORIGIN}/app`, 'https://secure2.convio.net/myorg/site/Donation2'],
  ])('%s under %s → %s', (target, baseUrl, expected) => {
    expect(publicPath(target, baseUrl)).toBe(expected);
    expect(publicPath(publicPath(target, baseUrl), baseUrl)).toBe(expected);
  });

  test('luminateLink itself is unchanged: it takes the public start path it is given', () => {
    expect(luminateLink('/app/luminate/sso', 'https://x.example/')).toBe('/app/luminate/sso?next=https%3A%2F%2Fx.example%2F');
  });
});

describe.each(BASES)('luminateSso with %s', (_label, baseUrl, prefix) => {
  const base = (app: HostApp) => (baseUrl === undefined ? app.url : ORIGIN);
  const next = () => `${fake.secureUrl}/site/Donation2?df_id=42`;

  test.each(HANDOFFS)('%s: the anonymous redirect to loginUrl and its returnTo carry the prefix', async (handoff) => {
    const app = await host({ handoff, ...(baseUrl ? { baseUrl } : {}) });
    const query = `next=${encodeURIComponent(next())}`;
    const res = await locationOf(`${app.url}/luminate/sso?${query}`);
    expect(res.status).toBe(302);
    expect(res.location).toBe(`${prefix}/login?returnTo=${encodeURIComponent(`${prefix}/luminate/sso?${query}`)}`);
  });

  test.each(HANDOFFS)('%s: res.locals.luminateLink carries the prefix (mounted at / and at /give)', async (handoff) => {
    const app = await host({ handoff, ...(baseUrl ? { baseUrl } : {}) });
    const link = (await locationOf(`${app.url}/donate-page`)).text;
    expect(link).toBe(`${prefix}/luminate/sso?next=${encodeURIComponent(`${fake.secureUrl}/site/Donation2?df_id=7`)}`);
    const mounted = await host({ handoff, ...(baseUrl ? { baseUrl } : {}) }, '/give');
    const anonymous = await locationOf(`${mounted.url}/give/luminate/sso`);
    expect(anonymous.location).toBe(`${prefix}/login?returnTo=${encodeURIComponent(`${prefix}/give/luminate/sso`)}`);
  });

  test('singleSignOn: error_redirect is the public callback URL, with the prefix', async () => {
    const app = await host({ constituent: () => ({ consId: '1001641' }), ...(baseUrl ? { baseUrl } : {}) });
    const page = await locationOf(`${app.url}/luminate/sso?next=${encodeURIComponent(next())}`);
    const form = parseAutoPostForm(page.text, app.url)!;
    const errorRedirect = form.fields.find(([k]) => k === 'error_redirect')![1];
    expect(errorRedirect.startsWith(`${base(app)}${prefix}/luminate/sso/callback?next=${encodeURIComponent(next())}&hid=`)).toBe(true);
    expect(form.fields.find(([k]) => k === 'success_redirect')![1]).toBe(next());
  });

  test('establishSession: the hop goes to Luminate with the destination as NEXTURL (absolute, untouched)', async () => {
    const app = await host({ handoff: 'establishSession', constituent: () => ({ consId: '1001641' }), ...(baseUrl ? { baseUrl } : {}) });
    const res = await locationOf(`${app.url}/luminate/sso?next=${encodeURIComponent(next())}`);
    expect(res.location!.startsWith(`${fake.secureUrl}/site/EstablishSession`)).toBe(true);
    expect(new URL(res.location!).searchParams.get('NEXTURL')).toBe(next());
  });
});

describe.each(BASES)('luminateLogin with %s', (_label, baseUrl, prefix) => {
  async function loginApp(site: FakeLuminate, over: Record<string, unknown> = {}): Promise<LoginApp> {
    const app = await startLoginApp(site, { ...(baseUrl ? { baseUrl } : {}), ...over }, { sso: baseUrl ? { baseUrl } : {} });
    opened.push(app);
    return app;
  }
  const base = (app: LoginApp) => (baseUrl === undefined ? app.url : ORIGIN);
  const ADA = { member_id: 'M-1001', last_name: 'Lovelace' };

  async function post(app: LoginApp, fields: Record<string, string>) {
    const browser = new TestBrowser();
    const csrf = await formToken(browser, app);
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: csrf, ...fields });
    return { status: res.status, location: res.headers.location as string | undefined, text: res.text, browser };
  }

  test('a nonce came back: NEXTURL is the public URL of returnTo', async () => {
    const app = await loginApp(fake);
    const res = await post(app, { ...ADA, returnTo: '/account' });
    expect(res.status).toBe(303);
    expect(res.location!.startsWith(`${fake.secureUrl}/site/EstablishSession`)).toBe(true);
    expect(new URL(res.location!).searchParams.get('NEXTURL')).toBe(`${base(app)}${prefix}/account`);
  });

  test('no nonce: the Location is the public path of returnTo, the same place', async () => {
    const app = await loginApp(noNonces);
    const res = await post(app, { ...ADA, returnTo: '/account' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${prefix}/account`);
  });

  test('establishSession off: the same public path', async () => {
    const app = await loginApp(fake, { establishSession: false });
    expect((await post(app, { ...ADA, returnTo: '/account' })).location).toBe(`${prefix}/account`);
  });

  test('the returnTo the bridge handed out (already public) is not prefixed twice', async () => {
    const app = await loginApp(noNonces);
    const returnTo = `${prefix}/luminate/sso?next=${encodeURIComponent(`${noNonces.secureUrl}/site/Donation2?df_id=1`)}`;
    expect((await post(app, { ...ADA, returnTo })).location).toBe(returnTo);
  });

  test('no returnTo: the default destination ("/") under the prefix', async () => {
    const app = await loginApp(noNonces);
    expect((await post(app, ADA)).location).toBe(`${prefix}/`);
  });

  test('refused credentials: back to the public form URL, keeping the public returnTo', async () => {
    const app = await loginApp(fake);
    const res = await post(app, { member_id: 'M-1001', last_name: 'Wrong', returnTo: '/account' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${prefix}/member-login?returnTo=${encodeURIComponent(`${prefix}/account`)}&error=credentials`);
  });

  test('an expired form: the page links to the public form URL', async () => {
    const app = await loginApp(fake);
    const browser = new TestBrowser();
    await formToken(browser, app);
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: 'stale', ...ADA });
    expect(res.status).toBe(403);
    expect(res.text).toContain(`href="${prefix}/member-login"`);
  });

  test('logout: the confirmation posts to the public path; Luminate comes back to the public callback; the visitor lands on afterLogout under the prefix', async () => {
    const app = await loginApp(fake, { afterLogout: '/goodbye' });
    const { browser } = await post(app, ADA);
    const confirm = await browser.fetch('GET', `${app.url}/luminate/logout`);
    expect(confirm.text).toContain(`action="${prefix}/luminate/logout"`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1]!;
    const out = await browser.fetch('POST', `${app.url}/luminate/logout`, { _csrf: csrf });
    expect(out.status).toBe(303);
    const luminate = new URL(out.headers.location as string);
    expect(withoutHid(luminate.searchParams.get('success_redirect'))).toBe(`${base(app)}${prefix}/luminate/logout/done`);
    expect(luminate.searchParams.get('error_redirect')!.replace(/\?hid=[A-Za-z0-9_.-]+&/, '?')).toBe(`${base(app)}${prefix}/luminate/logout/done?code=\${errorResponse/code}`);
    // Luminate's signed way back (followed by hand: the public URL is not this test server's).
    const back = await browser.fetch('GET', luminate.href);
    const signedBack = new URL(back.headers.location as string);
    const done = await browser.fetch('GET', `${app.url}/luminate/logout/done${signedBack.search}`);
    expect(done.headers.location).toBe(`${prefix}/goodbye`);
    expect(app.errors).toEqual([]);
  });
});

describe('X-Forwarded-Proto under trust proxy: only http or https becomes a scheme (issue 18 §4)', () => {
  const HOSTILE = ['javascript:alert(document.domain)//', 'https://evil.example/#', 'data:text/html,x', 'ftp', 'https:', ' javascript'];

  test.each(HOSTILE)('%j: error_redirect keeps the scheme of the connection', async (proto) => {
    const app = await host({ constituent: () => ({ consId: '1001641' }) });
    const page = await locationOf(`${app.url}/luminate/sso`, { 'x-forwarded-proto': proto });
    const form = parseAutoPostForm(page.text, app.url)!;
    expect(form.fields.find(([k]) => k === 'error_redirect')![1].startsWith(`${app.url}/luminate/sso/callback?`)).toBe(true);
  });

  test('https and HTTPS from a trusted proxy are honoured; the scheme is always http or https', async () => {
    const app = await host({ constituent: () => ({ consId: '1001641' }) });
    for (const [proto, scheme] of [['https', 'https'], ['HTTPS', 'https'], ['http', 'http'], ['https, http', 'https']] as const) {
      const page = await locationOf(`${app.url}/luminate/sso`, { 'x-forwarded-proto': proto });
      const errorRedirect = parseAutoPostForm(page.text, app.url)!.fields.find(([k]) => k === 'error_redirect')![1];
      expect(errorRedirect.startsWith(`${scheme}://${new URL(app.url).host}/luminate/sso/callback?`)).toBe(true);
    }
  });

  test.each(HOSTILE.slice(0, 2))('%j: the logout success_redirect and the login NEXTURL keep the scheme of the connection', async (proto) => {
    const app = await startLoginApp(fake);
    opened.push(app);
    const browser = new TestBrowser();
    const csrf = await formToken(browser, app);
    // The login POST, with the hostile header (cookies of the browser's session).
    const cookie = [...browser.cookies(new URL(app.url).host)].map(([k, v]) => `${k}=${v}`).join('; ');
    const login = await request(`${app.url}/luminate/login`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': proto },
      body: new URLSearchParams({ _csrf: csrf, member_id: 'M-1001', last_name: 'Lovelace', returnTo: '/account' }).toString(),
    });
    await login.body.text();
    const nextUrl = new URL(login.headers.location as string).searchParams.get('NEXTURL');
    expect(nextUrl).toBe(`${app.url}/account`);
    const sessionCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ') || cookie;
    const logout = await request(`${app.url}/luminate/logout`, {
      headers: { cookie: sessionCookie, 'sec-fetch-site': 'same-origin', 'x-forwarded-proto': proto },
    });
    await logout.body.text();
    expect(logout.statusCode).toBe(302);
    expect(withoutHid(new URL(logout.headers.location as string).searchParams.get('success_redirect'))).toBe(`${app.url}/luminate/logout/done`);
  });
});
