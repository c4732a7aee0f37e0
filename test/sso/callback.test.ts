import type { LuminateSsoOptions } from '../../src';
import { createFakeLuminate, type FakeLuminate, type FakeLuminateOptions } from '../../src/testing';
import { TestBrowser, parseAutoPostForm } from '../helpers/browser';
import { startHostApp, type HostApp } from '../helpers/host-app';

interface Setup {
  fake: FakeLuminate;
  app: HostApp;
  browser: TestBrowser;
  /** The signed error redirect Luminate sent back for a refused token. */
  callbackUrl: string;
}

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

const NEXT = (fake: FakeLuminate) => `${fake.secureUrl}/site/Donation2?df_id=55`;

async function signedCallback(fakeOptions: FakeLuminateOptions = {}, sso: Partial<LuminateSsoOptions> = {}): Promise<Setup> {
  const fake = await createFakeLuminate(fakeOptions);
  opened.push(fake);
  const app = await startHostApp(fake, { constituent: () => ({ consId: '1001641' }), ...sso });
  opened.push(app);
  const browser = new TestBrowser();
  const page = await browser.fetch('GET', `${app.url}/luminate/sso?next=${encodeURIComponent(NEXT(fake))}`);
  const form = parseAutoPostForm(page.text, app.url)!;
  const refused = await browser.fetch('POST', form.action, form.fields.map(([k, v]) => [k, k === 'sso_auth_token' ? 'bogus-token' : v] as [string, string]));
  expect(refused.status).toBe(302);
  expect(refused.location!.startsWith(`${app.url}/luminate/sso/callback?`)).toBe(true);
  return { fake, app, browser, callbackUrl: refused.location! };
}

describe('the signed callback', () => {
  it('a valid MD5 callback is followed once to its destination; a replay is refused with 400', async () => {
    const { app, browser, callbackUrl, fake } = await signedCallback();
    expect(callbackUrl).toMatch(/&code=7&ts=\d+&signature=[0-9a-f]{32}$/);
    const first = await browser.fetch('GET', callbackUrl);
    expect(first.status).toBe(302);
    expect(first.location).toBe(NEXT(fake));
    const again = await browser.fetch('GET', callbackUrl);
    expect(again.status).toBe(400);
    expect(again.location).toBeUndefined();
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CALLBACK_ERROR', 'SSO_CALLBACK_REPLAYED']);
  });

  it('SHA-1 sites are verified when signatureAlgorithm is sha1', async () => {
    const { browser, callbackUrl, app } = await signedCallback({ signatureAlgorithm: 'sha1' });
    expect(callbackUrl).toMatch(/signature=[0-9a-f]{40}$/);
    expect((await browser.fetch('GET', callbackUrl)).status).toBe(302);
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CALLBACK_ERROR']);
  });

  it('the `sig` parameter name and the "&signature=" hash form are both accepted', async () => {
    const a = await signedCallback({ signatureParam: 'sig' });
    expect(a.callbackUrl).toMatch(/&sig=[0-9a-f]{32}$/);
    expect((await a.browser.fetch('GET', a.callbackUrl)).status).toBe(302);
    const b = await signedCallback({ signatureIncludesParamName: true });
    expect((await b.browser.fetch('GET', b.callbackUrl)).status).toBe(302);
  });

  it('a tampered callback is a 400 that follows nothing it carried', async () => {
    const { browser, callbackUrl, app, fake } = await signedCallback();
    const tampered = callbackUrl.replace(encodeURIComponent(NEXT(fake)), encodeURIComponent(`${fake.secureUrl}/site/Donation2?df_id=66`));
    expect(tampered).not.toBe(callbackUrl);
    const res = await browser.fetch('GET', tampered);
    expect(res.status).toBe(400);
    expect(res.location).toBeUndefined();
    expect(res.text).not.toContain('df_id=66');
    expect(res.text).toContain(`href="${fake.secureUrl}/site/Donation2?df_id=1"`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CALLBACK_SIGNATURE_INVALID']);
  });

  it('a callback signed with the wrong algorithm is refused', async () => {
    const { browser, callbackUrl, app } = await signedCallback({ signatureAlgorithm: 'sha1' }, { luminate: { signatureAlgorithm: 'md5' } });
    expect((await browser.fetch('GET', callbackUrl)).status).toBe(400);
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CALLBACK_SIGNATURE_INVALID']);
  });

  it('a callback signed with another secret is refused', async () => {
    const { browser, callbackUrl, app } = await signedCallback({}, { luminate: { apiSecretKey: 'another-secret' } });
    expect((await browser.fetch('GET', callbackUrl)).status).toBe(400);
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CALLBACK_SIGNATURE_INVALID']);
  });

  it('an expired callback is refused', async () => {
    const tenMinutesAgo = () => Date.now() - 10 * 60 * 1000;
    const { browser, callbackUrl, app } = await signedCallback({ now: tenMinutesAgo });
    expect((await browser.fetch('GET', callbackUrl)).status).toBe(400);
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CALLBACK_EXPIRED']);
  });

  it('an unsigned callback is refused, and under onFailure "error" it reaches next(err) as 400', async () => {
    const { browser, app, fake } = await signedCallback({}, { onFailure: 'error' });
    const res = await browser.fetch('GET', `${app.url}/luminate/sso/callback?next=${encodeURIComponent(NEXT(fake))}&code=7`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ code: 'SSO_CALLBACK_SIGNATURE_INVALID' });
  });

  it('a refused callback under onFailure "error" (forged, replayed) is not cached and leaks no referrer, like every other answer', async () => {
    const { browser, app, fake, callbackUrl } = await signedCallback({}, { onFailure: 'error' });
    const forged = await browser.fetch('GET', `${app.url}/luminate/sso/callback?next=${encodeURIComponent(NEXT(fake))}&code=7&ts=1&signature=${'0'.repeat(32)}`);
    expect(forged.status).toBe(400);
    expect(forged.headers['cache-control']).toBe('no-store');
    expect(forged.headers['referrer-policy']).toBe('no-referrer');
    expect((await browser.fetch('GET', callbackUrl)).headers['cache-control']).toBe('no-store');
    const replayed = await browser.fetch('GET', callbackUrl);
    expect(JSON.parse(replayed.text)).toEqual({ code: 'SSO_CALLBACK_REPLAYED' });
    expect(replayed.headers['cache-control']).toBe('no-store');
    expect(replayed.headers['referrer-policy']).toBe('no-referrer');
  });

  it('a replay store that fails is not treated as a pass', async () => {
    const failing = {
      setIfAbsent: async () => {
        throw new Error('store down');
      },
      increment: async () => ({ count: 1, resetInMs: 1 }),
      count: async () => 0,
      delete: async () => undefined,
    };
    const { browser, callbackUrl, app, fake } = await signedCallback({}, { store: failing });
    const res = await browser.fetch('GET', callbackUrl);
    expect(res.status).toBe(302);
    expect(res.location).toBe(`${fake.secureUrl}/site/Donation2?df_id=1`);
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_STORE_UNAVAILABLE']);
  });
});
