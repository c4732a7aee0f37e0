/**
 * Issue 18 §1: Luminate itself redirects anywhere (EstablishSession follows NEXTURL, the API
 * servlets follow success_redirect / error_redirect / redirect), so a destination under an allowed
 * Luminate prefix can still be an open redirect. One policy (src/http/destinations.ts) refuses such
 * destinations for the bridge's `next`, luminateLogin's `returnTo` and a signed callback's `next`,
 * like any other bad destination: the visitor goes to the default destination instead.
 *
 * Quick-start set-up throughout: no `destinations.allow`, so the default allow list is in force.
 */
import { request } from 'undici';
import { resolveReturnTo } from '../../src/login/return-to';
import { compileDestinations, defaultAllowList } from '../../src/http/destinations';
import { signRedirect } from '../../src/testing/fake-luminate/sign';
import { TestBrowser, parseAutoPostForm } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';
import { openRedirectPayloads } from '../helpers/payloads';
import { formToken, startLoginApp, type LoginApp } from '../login/helpers';

const fake = useFakeLuminate();
const opened: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

/** The example: EstablishSession under the allowed /site/, sending the browser to another site. */
const viaEstablishSession = () => `${fake.secureUrl}/site/EstablishSession?NONCE_TOKEN=x&NEXTURL=https://evil.example/`;
const DEFAULT = () => `${fake.secureUrl}/site/Donation2?df_id=1`;

/** Payloads of the corpus re-aimed at the stand-in's secure base, so the origin and prefix are the allowed ones. */
function corpusFor(secureUrl: string): string[] {
  return openRedirectPayloads().map((p) => p.split('https://secure2.convio.net/myorg').join(secureUrl));
}

async function rawGet(url: string): Promise<{ status: number; location?: string; text: string }> {
  const res = await request(url, { headers: { accept: 'text/html' } });
  const text = await res.body.text();
  const location = res.headers.location;
  return { status: res.statusCode, text, ...(typeof location === 'string' ? { location } : {}) };
}

async function host(over: Parameters<typeof startHostApp>[1] = {}): Promise<HostApp> {
  const app = await startHostApp(fake, over);
  opened.push(app);
  return app;
}

describe('GET /luminate/sso?next= through a Luminate redirector', () => {
  test('an anonymous visitor (no loginUrl) goes to the default destination, not through EstablishSession', async () => {
    const app = await host({ loginUrl: undefined });
    const res = await rawGet(`${app.url}/luminate/sso?next=${encodeURIComponent(viaEstablishSession())}`);
    expect(res.status).toBe(302);
    expect(res.location).toBe(DEFAULT());
  });

  test('a logged-in visitor in establishSession mode: NEXTURL is the default destination', async () => {
    const app = await host({ handoff: 'establishSession', constituent: () => ({ consId: '1001641' }) });
    const res = await rawGet(`${app.url}/luminate/sso?next=${encodeURIComponent(viaEstablishSession())}`);
    expect(res.status).toBe(302);
    expect(new URL(res.location!).pathname).toMatch(/\/site\/EstablishSession/);
    expect(new URL(res.location!).searchParams.get('NEXTURL')).toBe(DEFAULT());
  });

  test('a logged-in visitor in singleSignOn mode: success_redirect is the default destination', async () => {
    const app = await host({ constituent: () => ({ consId: '1001641' }) });
    const page = await rawGet(`${app.url}/luminate/sso?next=${encodeURIComponent(viaEstablishSession())}`);
    const form = parseAutoPostForm(page.text, app.url)!;
    expect(form.fields.find(([k]) => k === 'success_redirect')![1]).toBe(DEFAULT());
    expect(form.fields.find(([k]) => k === 'error_redirect')![1]).toContain(`next=${encodeURIComponent(DEFAULT())}&`);
  });

  test('the whole corpus, aimed at the stand-in, through the real bridge: always the default destination', async () => {
    const app = await host({ loginUrl: undefined });
    const seen: Array<{ payload: string; location?: string }> = [];
    for (const payload of corpusFor(fake.secureUrl)) {
      const res = await rawGet(`${app.url}/luminate/sso?next=${encodeURIComponent(payload)}`);
      if (res.location !== DEFAULT()) seen.push({ payload, ...(res.location !== undefined ? { location: res.location } : {}) });
    }
    expect(seen).toEqual([]);
  });

  test('pages the default allow list names still work, with their own parameters', async () => {
    const app = await host({ loginUrl: undefined });
    for (const next of [
      `${fake.secureUrl}/site/Donation2?df_id=1234&set.DonationLevel=5`,
      `${fake.secureUrl}/site/TR?fr_id=1010&pg=entry`,
      `${fake.secureUrl}/site/TR/Events/General?pg=entry&fr_id=1010`,
      `${fake.secureUrl}/site/SPageServer?pagename=donate`,
      `${fake.secureUrl}/site/Ecommerce?store_id=1`,
    ]) {
      expect((await rawGet(`${app.url}/luminate/sso?next=${encodeURIComponent(next)}`)).location).toBe(next);
    }
  });

  test('other /site/ pages need a wider, configured allow list; redirectors stay refused even then', async () => {
    const narrow = await host({ loginUrl: undefined });
    const userCenter = `${fake.secureUrl}/site/UserCenter`;
    expect((await rawGet(`${narrow.url}/luminate/sso?next=${encodeURIComponent(userCenter)}`)).location).toBe(DEFAULT());
    const wide = await host({ loginUrl: undefined, destinations: { allow: [`${fake.secureUrl}/site/`], default: DEFAULT() } });
    expect((await rawGet(`${wide.url}/luminate/sso?next=${encodeURIComponent(userCenter)}`)).location).toBe(userCenter);
    expect((await rawGet(`${wide.url}/luminate/sso?next=${encodeURIComponent(viaEstablishSession())}`)).location).toBe(DEFAULT());
  });
});

describe("luminateLogin's returnTo: the same policy", () => {
  async function loginApp(): Promise<LoginApp> {
    const app = await startLoginApp(fake);
    opened.push(app);
    return app;
  }

  async function loginWith(app: LoginApp, returnTo: string): Promise<string | null> {
    const browser = new TestBrowser();
    const csrf = await formToken(browser, app);
    const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: csrf, member_id: 'M-1001', last_name: 'Lovelace', returnTo });
    expect(res.status).toBe(303);
    return new URL(res.headers.location as string).searchParams.get('NEXTURL');
  }

  test.each([
    ['the EstablishSession example', () => viaEstablishSession()],
    ['a logout through CRConsAPI', () => `${fake.secureUrl}/site/CRConsAPI?method=logout&api_key=x&v=1.0&success_redirect=https://evil.example/`],
    ['NEXTURL on a donation form, encoded', () => `${fake.secureUrl}/site/Donation2?df_id=1&N%45XTURL=https%3A%2F%2Fevil.example%2F`],
    ['a servlet path parameter into another org', () => `${fake.secureUrl}/site/..;/..;/otherorg/site/Donation2`],
    ['a path parameter on a site path', () => '/account;jsessionid=x'],
    ['an encoded path parameter on a site path', () => '/account/..%3b/admin'],
  ])('%s → the default ("/")', async (_label, returnTo) => {
    const app = await loginApp();
    expect(await loginWith(app, returnTo())).toBe(`${app.url}/`);
  });

  test('an allowed Luminate page is still followed', async () => {
    const app = await loginApp();
    expect(await loginWith(app, `${fake.secureUrl}/site/Donation2?df_id=9`)).toBe(`${fake.secureUrl}/site/Donation2?df_id=9`);
  });

  test('the whole corpus: every absolute payload is refused for returnTo, with the default allow list', () => {
    const compiled = compileDestinations({ allow: defaultAllowList(fake.secureUrl), default: DEFAULT() });
    const accepted = corpusFor(fake.secureUrl)
      .filter((p) => !p.startsWith('/'))
      .filter((p) => resolveReturnTo(p, compiled, '/').url !== '/');
    expect(accepted).toEqual([]);
  });
});

describe("a signed callback's next: the same policy", () => {
  /** A callback as Luminate would sign it (the bridge never signs; the site secret is the stand-in's). */
  function signedCallback(app: HostApp, next: string, hid: string): string {
    const url = `${app.url}/luminate/sso/callback?next=${encodeURIComponent(next)}&hid=${hid}&code=7`;
    return signRedirect(url, { secret: fake.apiSecretKey, algorithm: fake.signatureAlgorithm, param: 'signature', includeParamName: false }, Math.floor(Date.now() / 1000));
  }

  test('the EstablishSession example in a validly signed callback → the default destination', async () => {
    const app = await host();
    const res = await rawGet(signedCallback(app, viaEstablishSession(), 'h1'));
    expect(res.status).toBe(302);
    expect(res.location).toBe(DEFAULT());
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CALLBACK_ERROR']);
  });

  test('the whole corpus in validly signed callbacks → always the default destination', async () => {
    const app = await host();
    const seen: Array<{ payload: string; location?: string }> = [];
    let i = 0;
    for (const payload of corpusFor(fake.secureUrl)) {
      i += 1;
      const res = await rawGet(signedCallback(app, payload, `c${i}`));
      if (res.location !== DEFAULT()) seen.push({ payload, ...(res.location !== undefined ? { location: res.location } : {}) });
    }
    expect(seen).toEqual([]);
  });
});
