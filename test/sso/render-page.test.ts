/**
 * `renderPage`: the host draws the bridge's own pages (handoff, throttled, refused callback, logout
 * confirmation, refused login form) in its layout. The bridge keeps the escaping, the CSP nonce and
 * the auto-post script; a layout that fails falls back to the built-in page and is reported.
 */
import request from 'supertest';
import { luminateLogin, luminateSso, type BridgePage, type LuminateSsoOptions } from '../../src';
import { TestBrowser, loggedInConsId, parseAutoPostForm } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { bridgeOptionsFor, startHostApp, type HostApp } from '../helpers/host-app';
import { formToken, loginOptionsFor, startLoginApp, type LoginApp } from '../login/helpers';

/** A site layout that records what it was given. */
function layout(seen: BridgePage[]) {
  return (page: BridgePage): string => {
    seen.push(page);
    return `<!doctype html><html><head>${page.head}<title>${page.title} | Example Charity</title>` +
      `<link rel="stylesheet" href="/site.css"></head><body class="kind-${page.kind}"><header>Example Charity</header>` +
      `<main>${page.body}</main></body></html>`;
  };
}

const cspOf = (res: { headers: Record<string, unknown> }) => String(res.headers['content-security-policy']);
const nonceOf = (csp: string) => /script-src 'nonce-([^']+)'/.exec(csp)![1]!;

describe('renderPage: the bridge pages in the host site\'s layout', () => {
  const fake = useFakeLuminate();
  let app: HostApp | LoginApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('the handoff page: the host layout around the bridge form, the bridge\'s own script with the CSP nonce; the visitor lands logged in', async () => {
    const seen: BridgePage[] = [];
    const host = await startHostApp(fake, { constituent: () => ({ consId: '1001641' }), renderPage: layout(seen) });
    app = host;
    const browser = new TestBrowser();
    const res = await browser.fetch('GET', `${host.url}/luminate/sso`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<header>Example Charity</header>');
    expect(res.text).toContain('<title>Signing you in… | Example Charity</title>');
    const csp = String(res.headers['content-security-policy']);
    const nonce = nonceOf(csp);
    // The script is the bridge's, after the form, before </body>; styles from the site's origin are allowed.
    expect(res.text).toMatch(new RegExp(`</form></main><script nonce="${nonce.replace(/[+/]/g, '\\$&')}">document\\.getElementById\\('luminate-sso'\\)\\.submit\\(\\);</script></body></html>$`));
    expect(csp).toContain(`style-src 'nonce-${nonce}' 'self'`);
    expect(csp).toContain(`script-src 'nonce-${nonce}';`);
    expect(csp).toContain("img-src 'self' data:");
    expect(seen.map((p) => [p.kind, p.status, p.nonce])).toEqual([['handoff', 200, nonce]]);
    expect(seen[0]!.form).toMatch(/^<form id="luminate-sso" method="post" action="[^"]+\/site\/CRConsAPI">/);
    expect(seen[0]!.form).not.toContain('<script');
    // The form still works: the browser posts it and lands on the donation page logged in.
    const form = parseAutoPostForm(res.text, host.url)!;
    const landed = await browser.navigate(form.action, { method: 'POST', form: form.fields });
    expect(loggedInConsId(landed.text)).toBe('1001641');
    expect(host.errors).toEqual([]);
  });

  it('without renderPage the handoff page is the built-in page of every other one: heading, message, the form, then the auto-post script', async () => {
    const host = await startHostApp(fake, { constituent: () => ({ consId: '1001641' }) });
    app = host;
    const res = await request(host.url).get('/luminate/sso');
    expect(res.status).toBe(200);
    const nonce = nonceOf(cspOf(res));
    expect(res.text).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(res.text).toContain(`<style nonce="${nonce}">`);
    expect(res.text).toMatch(/<h1>Signing you in…<\/h1>\s*<p>Taking you to the donation page, signed in…<\/p>\s*<form id="luminate-sso" method="post" action="[^"]+\/site\/CRConsAPI">/);
    expect(res.text).toMatch(/<button type="submit">Continue<\/button><\/form>\s*<script nonce="[^"]+">document\.getElementById\('luminate-sso'\)\.submit\(\);<\/script><\/body>\s*<\/html>\s*$/);
    expect(res.text).toContain(`<script nonce="${nonce}">`);
    expect(cspOf(res)).not.toContain("'self'");
  });

  it('the throttled page (429) gets escaped parts: a destination with markup cannot break out', async () => {
    const seen: BridgePage[] = [];
    const host = await startHostApp(fake, {
      constituent: () => ({ consId: '1001641' }),
      destinations: { default: `${fake.secureUrl}/site/Donation2?df_id=1&x="><script>alert(1)</script>` },
      throttle: { perVisitor: { limit: 1, windowMs: 60_000 }, perIp: false },
      renderPage: layout(seen),
    });
    app = host;
    await request(host.url).get('/luminate/sso').expect(200);
    const res = await request(host.url).get('/luminate/sso');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
    const page = seen.find((p) => p.kind === 'throttled')!;
    expect(page.status).toBe(429);
    expect(page.link!.label).toBe('Continue without signing in');
    // Already escaped for the attribute: the layout puts it in as is.
    expect(page.link!.href).toBe(`${fake.secureUrl}/site/Donation2?df_id=1&#38;x=%22%3E%3Cscript%3Ealert(1)%3C/script%3E`);
    expect(res.text).toContain('<body class="kind-throttled">');
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).not.toMatch(/<script/);
  });

  it('the refused callback (400) is a page like the others: the shared layout, a nonce for its style, the same headers', async () => {
    const builtIn = await startHostApp(fake);
    const plain = await request(builtIn.url).get('/luminate/sso/callback?code=7&ts=1&signature=00');
    await builtIn.close();
    expect(plain.status).toBe(400);
    expect(plain.text).toContain('<style nonce=');
    expect(plain.text).toContain('<meta name="viewport"');
    expect(cspOf(plain)).toMatch(/style-src 'nonce-[^']+'/);
    expect(plain.text).toContain(`<a href="${fake.secureUrl}/site/Donation2?df_id=1">Continue to the donation page</a>`);

    const seen: BridgePage[] = [];
    const host = await startHostApp(fake, { renderPage: layout(seen) });
    app = host;
    const res = await request(host.url).get('/luminate/sso/callback?code=7&ts=1&signature=00&next=https%3A%2F%2Fevil.example%2F');
    expect(res.status).toBe(400);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.text).toContain('<body class="kind-callback-refused">');
    expect(res.text).not.toContain('evil.example');
    expect(seen.map((p) => [p.kind, p.status, p.link?.href])).toEqual([['callback-refused', 400, `${fake.secureUrl}/site/Donation2?df_id=1`]]);
    expect(host.errors.map((e) => e.code)).toEqual(['SSO_CALLBACK_SIGNATURE_INVALID']);
  });

  it.each<[string, (page: BridgePage) => unknown, RegExp]>([
    ['throws', () => { throw new Error('template missing'); }, /threw/],
    ['returns a promise', async () => '<html></html>', /not a string/],
    ['leaves the form out', (page) => `<html><body>${page.title}</body></html>`, /left out page\.form/],
  ])('a renderPage that %s: the built-in handoff page is sent and onError hears SSO_RENDER_PAGE_FAILED', async (_what, renderPage, reason) => {
    const host = await startHostApp(fake, { constituent: () => ({ consId: '1001641' }), renderPage: renderPage as LuminateSsoOptions['renderPage'] });
    app = host;
    const browser = new TestBrowser();
    const res = await browser.fetch('GET', `${host.url}/luminate/sso`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Taking you to the donation page, signed in…');
    // The built-in page keeps the strict CSP: no 'self' styles.
    expect(cspOf(res)).not.toContain("'self'");
    const form = parseAutoPostForm(res.text, host.url)!;
    expect(loggedInConsId((await browser.navigate(form.action, { method: 'POST', form: form.fields })).text)).toBe('1001641');
    expect(host.errors.map((e) => e.code)).toEqual(['SSO_RENDER_PAGE_FAILED']);
    expect(host.errors[0]!.message).toMatch(reason);
    expect(host.errors[0]!.message).toContain('"handoff"');
  });

  it('a renderPage that throws on a 400 falls back to the built-in 400, reported', async () => {
    const host = await startHostApp(fake, { renderPage: () => { throw new Error('boom'); } });
    app = host;
    const res = await request(host.url).get('/luminate/sso/callback?code=7&ts=1&signature=00');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<h1>This sign-in link is invalid or has expired</h1>');
    expect(host.errors.map((e) => e.code)).toEqual(['SSO_CALLBACK_SIGNATURE_INVALID', 'SSO_RENDER_PAGE_FAILED']);
    expect(host.errors[1]!.message).not.toContain('boom');
    expect((host.errors[1]!.cause as Error).message).toBe('boom');
  });

  it('luminateLogin: the logout confirmation and the refused login form in the same layout; the confirmation still logs out', async () => {
    const seen: BridgePage[] = [];
    const login = await startLoginApp(fake, { renderPage: layout(seen) });
    app = login;
    const browser = new TestBrowser();
    await formToken(browser, login);
    const expired = await browser.fetch('POST', `${login.url}/luminate/login`, [['_csrf', 'wrong'], ['member_id', 'M-1001'], ['last_name', 'Lovelace']]);
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('<body class="kind-login-expired">');
    const confirm = await browser.fetch('GET', `${login.url}/luminate/logout`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('<body class="kind-logout-confirm">');
    expect(confirm.text).not.toContain('<script');
    expect(cspOf(confirm)).toContain("style-src 'nonce-");
    const page = seen.find((p) => p.kind === 'logout-confirm')!;
    expect(page.form).toMatch(/^<form method="post" action="\/luminate\/logout"><input type="hidden" name="_csrf" value="[^"]+"><button type="submit">Log out<\/button><\/form>$/);
    expect(confirm.text).toContain(page.form);
    const token = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1]!;
    const out = await browser.fetch('POST', `${login.url}/luminate/logout`, [['_csrf', token]]);
    expect(out.status).toBe(303);
    expect(out.location).toContain('method=logout');
    expect(seen.map((p) => p.kind)).toEqual(['login-expired', 'logout-confirm']);
  });

  it.each([
    ['luminateSso', () => luminateSso({ ...bridgeOptionsFor(fake), renderPage: '<html>' as never })],
    ['luminateLogin', () => luminateLogin({ ...loginOptionsFor(fake), renderPage: {} as never })],
  ])('%s refuses a renderPage that is not a function at start-up', (name, build) => {
    expect(build).toThrow(new TypeError(`${name}(): renderPage must be a function: (page) => string, the whole HTML document with page.body (or its parts) in your layout.`));
  });
});
