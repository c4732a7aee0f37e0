import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { startHostApp, type HostApp } from '../helpers/host-app';

const byEmail = { constituent: (req: any) => (req.session.user?.email ? { email: req.session.user.email } : null) };
const NEW_EMAIL = 'newt.scamander@example.org';

async function loggedInBrowser(app: HostApp, email: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  await browser.navigate(`${app.url}/login`, { method: 'POST', form: [['email', email]] });
  return browser;
}

const requestsFor = (fake: FakeLuminate, method: string) => fake.requests.filter((r) => r.apiMethod === method);
const withEmail = (fake: FakeLuminate, email: string) => fake.constituents.filter((c) => c.email?.toLowerCase() === email);

describe('provision: just-in-time creation of a missing constituent', () => {
  let fake: FakeLuminate;
  const apps: HostApp[] = [];

  beforeEach(async () => {
    fake = await createFakeLuminate();
  });
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    await fake.close();
  });

  async function host(over: Parameters<typeof startHostApp>[1]): Promise<HostApp> {
    const app = await startHostApp(fake, { ...byEmail, ...over });
    apps.push(app);
    return app;
  }

  it('creates the record (primary_email, name.first, name.last) and continues logged in as it', async () => {
    const seen: unknown[] = [];
    const app = await host({
      provision: async (req: any) => {
        seen.push(req.session.user.email);
        return { firstName: 'Newt', lastName: 'Scamander', fields: { no_welcome: 'true' } };
      },
    });
    const browser = await loggedInBrowser(app, ` ${NEW_EMAIL.toUpperCase()} `);
    const end = await browser.navigate(`${app.url}/luminate/sso`);
    const created = withEmail(fake, NEW_EMAIL);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ email: NEW_EMAIL.toUpperCase(), firstName: 'Newt', lastName: 'Scamander' });
    expect(loggedInConsId(end.text)).toBe(created[0]!.consId);
    expect(requestsFor(fake, 'create')[0]!.body).toMatchObject({ primary_email: NEW_EMAIL.toUpperCase(), 'name.first': 'Newt', 'name.last': 'Scamander', no_welcome: 'true' });
    expect(fake.requests.filter((r) => r.path.endsWith('SRConsAPI')).map((r) => `${r.apiMethod} ${r.outcome}`))
      .toEqual(['getUser error 16', 'create ok', 'getSingleSignOnToken ok']);
    expect(seen).toHaveLength(1);
    expect(app.errors).toEqual([]);
    // the new cons_id is remembered: the next click neither looks up nor creates
    fake.reset();
    expect(loggedInConsId((await browser.navigate(`${app.url}/luminate/sso`)).text)).toBe(created[0]!.consId);
    expect(fake.requests.filter((r) => r.path.endsWith('SRConsAPI')).map((r) => r.apiMethod)).toEqual(['getSingleSignOnToken']);
  });

  it('an existing record is used as is: provision is not called', async () => {
    const provision = jest.fn(() => ({ firstName: 'X' }));
    const app = await host({ provision });
    const end = await (await loggedInBrowser(app, 'grace@example.org')).navigate(`${app.url}/luminate/sso`);
    expect(loggedInConsId(end.text)).toBe('0012345');
    expect(provision).not.toHaveBeenCalled();
    expect(requestsFor(fake, 'create')).toHaveLength(0);
  });

  it('20 concurrent first clicks with one email (20 sessions) create exactly one record', async () => {
    const provision = jest.fn(async () => {
      await new Promise((r) => setTimeout(r, 30));
      return { firstName: 'Newt', lastName: 'Scamander' };
    });
    // One visitor clicking 20 times would be throttled (10 a minute); this test is about creation.
    const app = await host({ provision, throttle: false });
    const browsers = await Promise.all(Array.from({ length: 20 }, () => loggedInBrowser(app, NEW_EMAIL)));
    const ends = await Promise.all(browsers.map((b) => b.navigate(`${app.url}/luminate/sso`)));
    const created = withEmail(fake, NEW_EMAIL);
    expect(created).toHaveLength(1);
    expect(requestsFor(fake, 'create')).toHaveLength(1);
    expect(provision).toHaveBeenCalledTimes(1);
    for (const end of ends) expect(loggedInConsId(end.text)).toBe(created[0]!.consId);
    expect(requestsFor(fake, 'getSingleSignOnToken')).toHaveLength(20);
    expect(app.errors).toEqual([]);
  });

  it('a failed lookup does not stick: the next click after an upstream failure starts a new lookup', async () => {
    const app = await host({ provision: () => ({ firstName: 'Newt' }) });
    const browser = await loggedInBrowser(app, NEW_EMAIL);
    fake.faults = { status: 503, times: 1 };
    const failed = await browser.navigate(`${app.url}/luminate/sso`);
    expect(loggedInConsId(failed.text)).toBe('');
    expect(app.errors.map((e) => e.code)).toEqual(['LUMINATE_HTTP_ERROR']);
    const end = await browser.navigate(`${app.url}/luminate/sso`);
    expect(loggedInConsId(end.text)).toBe(withEmail(fake, NEW_EMAIL)[0]!.consId);
  });

  it('a duplicate on create (another process was first, error 13) → looks up again and never creates twice', async () => {
    // Two bridges (two processes of one site) whose lookups both miss before either creates.
    let arrived = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const provision = async () => {
      arrived += 1;
      if (arrived === 2) release();
      await gate;
      return { firstName: 'Newt', lastName: 'Scamander' };
    };
    const one = await host({ provision });
    const two = await host({ provision });
    const [a, b] = await Promise.all([loggedInBrowser(one, NEW_EMAIL), loggedInBrowser(two, NEW_EMAIL)]);
    const [endA, endB] = await Promise.all([a.navigate(`${one.url}/luminate/sso`), b.navigate(`${two.url}/luminate/sso`)]);
    const created = withEmail(fake, NEW_EMAIL);
    expect(created).toHaveLength(1);
    expect(requestsFor(fake, 'create').map((r) => r.outcome).sort()).toEqual(['error 13', 'ok']);
    expect(requestsFor(fake, 'getUser').map((r) => r.outcome).sort()).toEqual(['error 16', 'error 16', 'ok']);
    expect(loggedInConsId(endA.text)).toBe(created[0]!.consId);
    expect(loggedInConsId(endB.text)).toBe(created[0]!.consId);
    expect([...one.errors, ...two.errors]).toEqual([]);
  });

  it('provision returning null → not found, the failure policy; nothing is created', async () => {
    const app = await host({ provision: () => null });
    const end = await (await loggedInBrowser(app, NEW_EMAIL)).navigate(`${app.url}/luminate/sso`);
    expect(loggedInConsId(end.text)).toBe('');
    expect(app.errors.map((e) => e.code)).toEqual(['LUMINATE_CONSTITUENT_NOT_FOUND']);
    expect(requestsFor(fake, 'create')).toHaveLength(0);
  });

  it.each([
    ['throws', () => { throw new Error('CRM down'); }],
    ['rejects', async () => { throw new Error('CRM down'); }],
    ['returns another email', () => ({ email: 'someone.else@example.org' })],
    ['returns a non-object', () => 'Newt'],
    ['sets a field the bridge sets', () => ({ fields: { primary_email: 'x@example.org' } })],
    ['returns a non-string name', () => ({ firstName: 42 })],
  ])('a provision hook that %s → SSO_PROVISION_FAILED, nothing created', async (_title, provision) => {
    const app = await host({ provision: provision as any });
    const end = await (await loggedInBrowser(app, NEW_EMAIL)).navigate(`${app.url}/luminate/sso`);
    expect(loggedInConsId(end.text)).toBe('');
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_PROVISION_FAILED']);
    expect(requestsFor(fake, 'create')).toHaveLength(0);
  });

  it('the provision hook may return the same email in another case', async () => {
    const app = await host({ provision: () => ({ email: NEW_EMAIL.toUpperCase(), firstName: 'Newt' }) });
    const end = await (await loggedInBrowser(app, NEW_EMAIL)).navigate(`${app.url}/luminate/sso`);
    expect(loggedInConsId(end.text)).toBe(withEmail(fake, NEW_EMAIL)[0]!.consId);
  });
});
