import { luminateLink } from '../../src';
import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { startHostApp, type HostApp } from '../helpers/host-app';

const byEmail = { constituent: (req: any) => (req.session.user?.email ? { email: req.session.user.email } : null) };
const NEW_EMAIL = 'newt.scamander@example.org';
const SR = (fake: FakeLuminate) => fake.requests.filter((r) => r.path.endsWith('/SRConsAPI'));
const attributionOf = (body: Record<string, string>) => [body.source, body.sub_source];

async function loggedInBrowser(app: HostApp, form: [string, string]): Promise<TestBrowser> {
  const browser = new TestBrowser();
  await browser.navigate(`${app.url}/login`, { method: 'POST', form: [form] });
  return browser;
}

describe('attribution: source and sub_source reach Luminate on every call', () => {
  let fake: FakeLuminate;
  let app: HostApp | undefined;

  beforeEach(async () => {
    fake = await createFakeLuminate();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await fake.close();
  });

  it('static: on getUser, create, the token call and the singleSignOn POST; the new record carries them', async () => {
    app = await startHostApp(fake, {
      ...byEmail,
      provision: () => ({ firstName: 'Newt' }),
      attribution: { source: 'partner-acme', subSource: 'spring appeal' },
    });
    const browser = await loggedInBrowser(app, ['email', NEW_EMAIL]);
    const end = await browser.navigate(`${app.url}/luminate/sso`);
    const created = fake.constituents.find((c) => c.email === NEW_EMAIL)!;
    expect(loggedInConsId(end.text)).toBe(created.consId);
    expect(created).toMatchObject({ source: 'partner-acme', subSource: 'spring appeal' });
    const calls = fake.requests.filter((r) => r.apiMethod !== undefined);
    expect(calls.map((r) => r.apiMethod)).toEqual(['getUser', 'create', 'getSingleSignOnToken', 'singleSignOn']);
    for (const r of calls) expect(attributionOf(r.body)).toEqual(['partner-acme', 'spring appeal']);
    expect(calls[3]!.method).toBe('POST');
  });

  it('establishSession: on the token call; the EstablishSession URL carries only NONCE_TOKEN and NEXTURL', async () => {
    app = await startHostApp(fake, { handoff: 'establishSession', attribution: { source: 'partner-acme' } });
    const browser = await loggedInBrowser(app, ['consId', '1001641']);
    const end = await browser.navigate(`${app.url}/luminate/sso`);
    expect(loggedInConsId(end.text)).toBe('1001641');
    expect(attributionOf(SR(fake)[0]!.body)).toEqual(['partner-acme', undefined]);
    const hop = fake.requests.find((r) => r.path.includes('/site/EstablishSession'))!;
    expect([...new URLSearchParams(hop.query).keys()]).toEqual(['NONCE_TOKEN', 'NEXTURL']);
  });

  it('per request: the function sees the request; what it returns is sent', async () => {
    app = await startHostApp(fake, {
      attribution: async (req) => ({ source: `portal-${req.get('x-portal') ?? 'none'}` }),
    });
    const browser = await loggedInBrowser(app, ['consId', '0012345']);
    await browser.navigate(`${app.url}/luminate/sso`);
    const sso = fake.requests.find((r) => r.apiMethod === 'singleSignOn')!;
    expect(attributionOf(SR(fake)[0]!.body)).toEqual(['portal-none', undefined]);
    expect(attributionOf(sso.body)).toEqual(['portal-none', undefined]);
  });

  it.each([
    ['throws', () => { throw new Error('boom'); }],
    ['returns invalid values', () => ({ source: 'x\u0007y', subSource: 'a'.repeat(300) })],
    ['returns a string', () => 'partner'],
  ])('a per-request function that %s: no attribution, the sign-on still goes ahead', async (_title, fn) => {
    app = await startHostApp(fake, { attribution: fn as any });
    const end = await (await loggedInBrowser(app, ['consId', '0012345'])).navigate(`${app.url}/luminate/sso`);
    expect(loggedInConsId(end.text)).toBe('0012345');
    for (const r of fake.requests.filter((q) => q.apiMethod !== undefined)) expect(attributionOf(r.body)).toEqual([undefined, undefined]);
    expect(app.errors).toEqual([]);
  });

  it('without attribution nothing is sent', async () => {
    app = await startHostApp(fake);
    await (await loggedInBrowser(app, ['consId', '0012345'])).navigate(`${app.url}/luminate/sso`);
    for (const r of fake.requests.filter((q) => q.apiMethod !== undefined)) {
      expect(Object.keys(r.body)).not.toContain('source');
      expect(Object.keys(r.body)).not.toContain('sub_source');
    }
  });

  describe('from the link (fromQuery)', () => {
    it('fromQuery: the link overrides the static values field by field; invalid values are ignored', async () => {
      app = await startHostApp(fake, { attribution: { source: 'website', subSource: 'footer', fromQuery: true } });
      const browser = await loggedInBrowser(app, ['consId', '0012345']);
      await browser.navigate(`${app.url}${luminateLink('/luminate/sso', undefined, { source: 'partner-acme' })}`);
      await browser.navigate(`${app.url}/luminate/sso?source=${encodeURIComponent('<script>')}&sub_source=${'x'.repeat(65)}`);
      const tokens = SR(fake);
      expect(attributionOf(tokens[0]!.body)).toEqual(['partner-acme', 'footer']);
      expect(attributionOf(tokens[1]!.body)).toEqual(['website', 'footer']);
    });

    it('without fromQuery the link cannot set attribution', async () => {
      app = await startHostApp(fake, { attribution: { source: 'website' } });
      const browser = await loggedInBrowser(app, ['consId', '0012345']);
      await browser.navigate(`${app.url}/luminate/sso?source=partner-acme&sub_source=x`);
      expect(attributionOf(SR(fake)[0]!.body)).toEqual(['website', undefined]);
    });

    it('res.locals.luminateLink builds the bridge URL for templates, under the mount path', async () => {
      const donate = `${fake.secureUrl}/site/Donation2?df_id=42&set.DonationLevel=1234`;
      app = await startHostApp(fake, { attribution: { fromQuery: true } }, '/give', (host) => {
        // a page under the mount path: its requests pass through the bridge's router first
        host.get('/give/partner', (_req, res) => {
          res.type('html').send(`<a id="donate" href="${res.locals.luminateLink(donate, { source: 'partner-acme', subSource: 'spring 2025' })}">Donate</a>`);
        });
      });
      const browser = await loggedInBrowser(app, ['consId', '1001641']);
      const page = await browser.fetch('GET', `${app.url}/give/partner`);
      const href = /href="([^"]*)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
      expect(href).toBe(`/give/luminate/sso?next=${encodeURIComponent(donate)}&source=partner-acme&sub_source=spring%202025`);
      const end = await browser.navigate(`${app.url}${href}`);
      expect(loggedInConsId(end.text)).toBe('1001641');
      expect(new URL(end.url).searchParams.get('set.DonationLevel')).toBe('1234');
      expect(attributionOf(SR(fake)[0]!.body)).toEqual(['partner-acme', 'spring 2025']);
      expect(attributionOf(fake.requests.find((r) => r.apiMethod === 'singleSignOn')!.body)).toEqual(['partner-acme', 'spring 2025']);
    });

    it('mounted at "/", every page of the host has res.locals.luminateLink', async () => {
      app = await startHostApp(fake, {}, '/', (host) => {
        host.get('/any/page', (_req, res) => { res.type('text').send(res.locals.luminateLink(`${fake.secureUrl}/site/Donation2?df_id=7`)); });
      });
      const page = await new TestBrowser().fetch('GET', `${app.url}/any/page`);
      expect(page.text).toBe(`/luminate/sso?next=${encodeURIComponent(`${fake.secureUrl}/site/Donation2?df_id=7`)}`);
    });
  });
});

describe('luminateLink(basePath, destination, opts)', () => {
  it('encodes the destination and the attribution', () => {
    expect(luminateLink('/luminate/sso', 'https://secure2.convio.net/org/site/Donation2?df_id=1&a=b'))
      .toBe('/luminate/sso?next=https%3A%2F%2Fsecure2.convio.net%2Forg%2Fsite%2FDonation2%3Fdf_id%3D1%26a%3Db');
    expect(luminateLink('/sso', 'https://x.example/', { source: 'a+b c', subSource: 's' })).toBe('/sso?next=https%3A%2F%2Fx.example%2F&source=a%2Bb%20c&sub_source=s');
    expect(luminateLink('/sso')).toBe('/sso');
    expect(luminateLink('/sso?x=1', undefined, { source: 'p' })).toBe('/sso?x=1&source=p');
  });

  it.each([
    ['an empty base path', () => luminateLink('', 'https://x.example/')],
    ['a non-string destination', () => luminateLink('/sso', 42 as unknown as string)],
    ['a source with markup', () => luminateLink('/sso', undefined, { source: '<b>' })],
    ['a sub_source too long', () => luminateLink('/sso', undefined, { subSource: 'x'.repeat(65) })],
  ])('throws a TypeError for %s', (_title, build) => {
    expect(build).toThrow(TypeError);
  });
});
