/** The example site over plain HTTP: login hardening, cookie flags, configuration errors, shutdown. */
import { request } from 'undici';
import type { ExampleAppOptions, RunningExampleApp } from '../../example-app/app';
import { ensureDistBuilt } from './build-dist';
import { TestBrowser, loggedInConsId } from '../helpers/browser';

type ExampleModule = typeof import('../../example-app/app');
let example: ExampleModule;
let app: RunningExampleApp | undefined;

beforeAll(async () => {
  ensureDistBuilt();
  example = await import('../../example-app/app');
}, 180_000);
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(env: ExampleAppOptions['env'] = {}) {
  app = await example.startExampleApp({ port: 0, fakePort: 0, env: { SESSION_SECRET: 'test-secret', ...env }, log: { warn: () => undefined } });
  return app;
}

async function send(url: string, init: { method?: 'GET' | 'POST'; cookie?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await request(url, { method: init.method ?? 'GET', headers, body: init.form ? new URLSearchParams(init.form).toString() : undefined });
  const text = await res.body.text();
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return { status: res.statusCode, headers: res.headers, text, setCookie, cookie: setCookie[0]?.split(';')[0] };
}

/** GET /login: the session cookie and the form's CSRF token. */
async function loginForm(a: RunningExampleApp, headers: Record<string, string> = {}) {
  const page = await send(`${a.appUrl}/login`, { headers });
  return { cookie: page.cookie!, setCookie: page.setCookie[0]!, csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]! };
}

test('safeReturnTo keeps site paths and turns everything else into /', () => {
  expect(example.safeReturnTo('/luminate/sso?next=https%3A%2F%2Fx')).toBe('/luminate/sso?next=https%3A%2F%2Fx');
  for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/\tx', '', undefined, ['/a']]) {
    expect(example.safeReturnTo(bad)).toBe('/');
  }
});

test('login needs the form token; success regenerates the session and follows a safe returnTo only', async () => {
  const a = await start();
  const form = await loginForm(a);
  expect(form.setCookie).toMatch(/; HttpOnly/);
  expect(form.setCookie).toMatch(/; SameSite=Lax/);
  expect(form.setCookie).not.toMatch(/; Secure/);

  const forged = await send(`${a.appUrl}/login`, { method: 'POST', cookie: form.cookie, form: { username: 'ada', password: 'donate-ada', _csrf: 'x'.repeat(43) } });
  expect(forged.status).toBe(403);

  const wrong = await send(`${a.appUrl}/login`, { method: 'POST', cookie: form.cookie, form: { username: 'ada', password: 'nope', _csrf: form.csrf } });
  expect(wrong.status).toBe(401);

  const ok = await send(`${a.appUrl}/login`, {
    method: 'POST',
    cookie: form.cookie,
    form: { username: 'ada', password: 'donate-ada', _csrf: form.csrf, returnTo: '//evil.example/' },
  });
  expect(ok.status).toBe(303);
  expect(ok.headers.location).toBe('/');
  expect(ok.cookie).toBeDefined();
  expect(ok.cookie).not.toBe(form.cookie);
  const home = await send(`${a.appUrl}/`, { cookie: ok.cookie });
  expect(home.text).toContain('Welcome back, Ada Lovelace');
  expect(home.headers['content-security-policy']).toContain(`form-action 'self' ${new URL(a.luminateUrl).origin}`);

  // Log out goes through luminateLogin's logout (this site and Luminate): without Fetch Metadata
  // it asks first; its button needs the (new) session's token.
  expect(home.text).toContain('<span>Ada Lovelace · <a href="/luminate/logout">Log out</a></span>');
  const confirm = await send(`${a.appUrl}/luminate/logout`, { cookie: ok.cookie });
  expect(confirm.text).toContain('<header><strong>Example Charity</strong></header>');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1]!;
  expect((await send(`${a.appUrl}/luminate/logout`, { method: 'POST', cookie: ok.cookie })).status).toBe(403);
  const out = await send(`${a.appUrl}/luminate/logout`, { method: 'POST', cookie: ok.cookie, form: { _csrf: csrf } });
  expect(out.status).toBe(303);
  expect(out.headers.location).toMatch(/\/fakeorg\/site\/CRConsAPI\?method=logout&/);
  expect((await send(`${a.appUrl}/`, { cookie: ok.cookie })).text).not.toContain('Welcome back');
}, 30_000);

test('log in with a membership number: logged in on both sites; the logout link ends both', async () => {
  const a = await start();
  const browser = new TestBrowser();
  const form = await browser.fetch('GET', `${a.appUrl}/member-login?returnTo=%2F`);
  expect(form.status).toBe(200);
  expect(form.text).toContain('<form method="post" action="/luminate/login">');
  let csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
  const post = (lastName: string) =>
    browser.navigate(`${a.appUrl}/luminate/login`, { method: 'POST', form: [['_csrf', csrf], ['returnTo', '/'], ['member_id', 'M-1001'], ['last_name', lastName]] });

  const wrong = await post('Byron');
  expect(wrong.url).toBe(`${a.appUrl}/member-login?returnTo=%2F&error=credentials`);
  expect(wrong.text).toContain('We could not find a membership with these details.');
  // A token is good for one failed attempt: the form page shown again carries a new one.
  const fresh = /name="_csrf" value="([^"]+)"/.exec(wrong.text)![1]!;
  expect(fresh).not.toBe(csrf);
  csrf = fresh;

  const home = await post('Lovelace');
  expect(home.url).toBe(`${a.appUrl}/`);
  expect(home.text).toContain('Welcome back, member');
  // The header names the member (Luminate's getUser), not a cons_id.
  expect(home.text).toContain('<span>Ada Lovelace · <a href="/luminate/logout">Log out</a></span>');
  expect(home.text).not.toContain('cons_id');
  expect(browser.visited.some((v) => v.url.includes('/site/EstablishSession'))).toBe(true);
  const donate = /<a class="give" href="([^"]+)"/.exec(home.text)![1]!.replace(/&#38;/g, '&');
  expect(loggedInConsId((await browser.navigate(`${a.appUrl}${donate}`)).text)).toBe('1001641');

  // Without Fetch Metadata (this test client) the logout link asks first; its button logs out of both.
  const confirm = await browser.fetch('GET', `${a.appUrl}/luminate/logout`);
  const token = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1]!;
  const out = await browser.navigate(`${a.appUrl}/luminate/logout`, { method: 'POST', form: [['_csrf', token]] });
  expect(out.url).toBe(`${a.appUrl}/`);
  expect(out.text).toContain('<h1>Welcome</h1>');
  expect(loggedInConsId((await browser.fetch('GET', a.destinations.donate)).text)).toBe('');
  // The site's own login keeps working next to it.
  expect((await send(`${a.appUrl}/login`)).text).toContain('Log in with your membership number instead');
}, 30_000);

test('a refused callback gets the site-styled 400 page, and the log says so (not "goes on as a guest")', async () => {
  const warnings: string[] = [];
  app = await example.startExampleApp({ port: 0, fakePort: 0, env: { SESSION_SECRET: 'test-secret' }, log: { warn: (m) => warnings.push(m) } });
  const refused = await send(`${app.appUrl}/luminate/sso/callback?code=7&ts=1&signature=00`);
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('<body class="bridge-page bridge-callback-refused"><header><strong>Example Charity</strong></header>');
  expect(refused.text).toContain('<link rel="stylesheet" href="/style.css">');
  expect(refused.text).toContain(`<a href="${app.destinations.donate}">Continue to the donation page</a>`);
  expect(warnings).toEqual([expect.stringContaining('(SSO_CALLBACK_SIGNATURE_INVALID); refused a sign-in callback: the visitor got the 400 page')]);
  expect(warnings[0]).not.toContain('guest');
}, 30_000);

test('the cookie is Secure over https behind a trusted proxy, and only then', async () => {
  const https = { 'x-forwarded-proto': 'https' };
  const direct = await start();
  expect((await loginForm(direct, https)).setCookie).not.toMatch(/; Secure/);
  await direct.close();
  const proxied = await start({ TRUST_PROXY: '1' });
  expect((await loginForm(proxied, https)).setCookie).toMatch(/; Secure/);
}, 30_000);

test('a real Luminate site needs all five variables and a users file; secrets stay out of the messages', async () => {
  const secrets = { LUMINATE_API_LOGIN_PASSWORD: 'pw-should-not-leak', LUMINATE_API_SECRET_KEY: 'sk-should-not-leak' };
  const partial = example.startExampleApp({ port: 0, env: { LUMINATE_SECURE_URL: 'https://secure2.convio.net/org', ...secrets } });
  await expect(partial).rejects.toThrow('also set LUMINATE_API_KEY, LUMINATE_API_LOGIN_NAME.');
  const full = { LUMINATE_SECURE_URL: 'https://secure2.convio.net/org', LUMINATE_API_KEY: 'k', LUMINATE_API_LOGIN_NAME: 'api', ...secrets };
  const noUsers = example.startExampleApp({ port: 0, env: full, log: { warn: () => undefined } });
  await expect(noUsers).rejects.toThrow(/EXAMPLE_USERS_FILE is required/);
  for (const p of [partial, noUsers]) {
    const message = await p.catch((e: Error) => e.message);
    expect(message).not.toMatch(/should-not-leak/);
  }
});

test('close() releases the site and the stand-in', async () => {
  const a = await start();
  const urls = [a.appUrl, a.fake!.url];
  await send(`${a.appUrl}/`);
  await a.close();
  app = undefined;
  for (const url of urls) await expect(request(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});
