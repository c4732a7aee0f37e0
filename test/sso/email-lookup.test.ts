import { captureDebugLines } from '../helpers/debug-lines';
import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';
import { SESSION_KEY } from '../../src';

const CONSTITUENTS = [
  { consId: '1001641', memberId: 'M-1001', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org' },
  { consId: '0012345', email: 'Grace.Hopper@Example.org' },
  { consId: '3000001', email: 'shared@example.org' },
  { consId: '3000002', email: 'shared@example.org' },
];

/** The hook a site that stores emails would write: the logged-in user's email, or null. */
const byEmail = { constituent: (req: any) => (req.session.user?.email ? { email: req.session.user.email } : null) };

async function logInWithEmail(browser: TestBrowser, app: HostApp, email: string) {
  return browser.navigate(`${app.url}/login`, { method: 'POST', form: [['email', email]] });
}

const count = (fake: FakeLuminate, method: string) => fake.requests.filter((r) => r.apiMethod === method).length;

describe('constituent hook returning { email }', () => {
  let fake: FakeLuminate;
  let app: HostApp | undefined;

  beforeEach(async () => {
    fake = await createFakeLuminate({ constituents: CONSTITUENTS });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await fake.close();
  });

  const click = (browser: TestBrowser, a: HostApp) => browser.navigate(`${a.url}/luminate/sso?next=${encodeURIComponent(`${fake.secureUrl}/site/Donation2?df_id=42`)}`);

  it('looks the email up once per session (getUser by primary_email), then uses the remembered cons_id', async () => {
    app = await startHostApp(fake, byEmail);
    const browser = new TestBrowser();
    await logInWithEmail(browser, app, '  grace.hopper@EXAMPLE.org ');
    const first = await click(browser, app);
    const second = await click(browser, app);
    expect(loggedInConsId(first.text)).toBe('0012345');
    expect(loggedInConsId(second.text)).toBe('0012345');
    expect(count(fake, 'getUser')).toBe(1);
    expect(count(fake, 'getSingleSignOnToken')).toBe(2);
    const getUser = fake.requests.find((r) => r.apiMethod === 'getUser')!;
    expect(getUser.method).toBe('POST');
    expect(getUser.query).toBe(''); // the email travels only in the POST body
    expect(getUser.body.primary_email).toBe('grace.hopper@EXAMPLE.org'); // trimmed, case kept
    for (const r of fake.requests.filter((q) => q.apiMethod === 'getSingleSignOnToken')) expect(r.body.cons_id).toBe('0012345');
    expect(app.handoffs.map((h) => h.consId)).toEqual(['0012345', '0012345']);
    expect(app.errors).toEqual([]);
  });

  it('another session looks the email up again (nothing is shared between visitors)', async () => {
    app = await startHostApp(fake, byEmail);
    for (const email of ['ada@example.org', 'ADA@example.org']) {
      const browser = new TestBrowser();
      await logInWithEmail(browser, app, email);
      expect(loggedInConsId((await click(browser, app)).text)).toBe('1001641');
    }
    expect(count(fake, 'getUser')).toBe(2);
  });

  it('a remembered cons_id Luminate no longer knows is forgotten and looked up again, once', async () => {
    app = await startHostApp(fake, byEmail);
    const browser = new TestBrowser();
    await logInWithEmail(browser, app, 'ada@example.org');
    expect(loggedInConsId((await click(browser, app)).text)).toBe('1001641');
    // The record is renumbered (say, merged into another) between two clicks.
    fake.constituents.find((c) => c.consId === '1001641')!.consId = '1009999';
    fake.reset();
    const second = await click(browser, app);
    expect(loggedInConsId(second.text)).toBe('1009999');
    expect(fake.requests.filter((r) => r.apiMethod !== undefined && r.path.endsWith('SRConsAPI')).map((r) => `${r.apiMethod} ${r.body.cons_id ?? ''} ${r.outcome}`)).toEqual([
      'getSingleSignOnToken 1001641 error 16',
      'getUser  ok',
      'getSingleSignOnToken 1009999 ok',
    ]);
    expect(app.errors).toEqual([]);
    // and the new cons_id is what the session remembers now
    fake.reset();
    expect(loggedInConsId((await click(browser, app)).text)).toBe('1009999');
    expect(count(fake, 'getUser')).toBe(0);
  });

  it('a remembered cons_id whose record is gone: one new lookup, then the failure policy (no loop)', async () => {
    app = await startHostApp(fake, byEmail);
    const browser = new TestBrowser();
    await logInWithEmail(browser, app, 'ada@example.org');
    await click(browser, app);
    fake.constituents.splice(fake.constituents.findIndex((c) => c.consId === '1001641'), 1);
    fake.reset();
    const end = await click(browser, app);
    expect(loggedInConsId(end.text)).toBe('');
    expect(new URL(end.url).searchParams.get('df_id')).toBe('42');
    expect(count(fake, 'getSingleSignOnToken')).toBe(1);
    expect(count(fake, 'getUser')).toBe(1);
    expect(app.errors.map((e) => e.code)).toEqual(['LUMINATE_CONSTITUENT_NOT_FOUND']);
  });

  it('an email Luminate does not know → the failure policy: a guest on the destination, onError sees the code', async () => {
    app = await startHostApp(fake, byEmail);
    const browser = new TestBrowser();
    await logInWithEmail(browser, app, 'nobody@example.org');
    const end = await click(browser, app);
    expect(loggedInConsId(end.text)).toBe('');
    expect(new URL(end.url).searchParams.get('df_id')).toBe('42');
    expect(app.errors.map((e) => e.code)).toEqual(['LUMINATE_CONSTITUENT_NOT_FOUND']);
    expect(app.errors[0]!.message).not.toContain('nobody');
    expect(count(fake, 'getSingleSignOnToken')).toBe(0);
    expect(count(fake, 'create')).toBe(0);
  });

  it("under onFailure 'error' the not-found error goes to the host's error handler", async () => {
    app = await startHostApp(fake, { ...byEmail, onFailure: 'error' });
    const browser = new TestBrowser();
    await logInWithEmail(browser, app, 'nobody@example.org');
    const r = await browser.fetch('GET', `${app.url}/luminate/sso`);
    expect(r.status).toBe(502);
    expect(JSON.parse(r.text)).toEqual({ code: 'LUMINATE_CONSTITUENT_NOT_FOUND' });
  });

  it('several records with the email (error 8) → the failure policy, nobody is guessed', async () => {
    app = await startHostApp(fake, byEmail);
    const browser = new TestBrowser();
    await logInWithEmail(browser, app, 'shared@example.org');
    const end = await click(browser, app);
    expect(loggedInConsId(end.text)).toBe('');
    expect(app.errors.map((e) => [e.code, e.luminateCode])).toEqual([['LUMINATE_AMBIGUOUS_MEMBER_ID', 8]]);
    expect(count(fake, 'getSingleSignOnToken')).toBe(0);
  });

  it.each([
    ['not an email', 'ada.example.org'],
    ['two @', 'ada@@example.org'],
    ['a space inside', 'ada lovelace@example.org'],
    ['no dotted domain', 'ada@localhost'],
    ['too long', `${'a'.repeat(250)}@example.org`],
    ['a control character', 'ada\u0000@example.org'],
  ])('an email that is %s → SSO_CONSTITUENT_HOOK_FAILED, nothing sent to Luminate', async (_title, email) => {
    app = await startHostApp(fake, { constituent: () => ({ email }) });
    const end = await new TestBrowser().navigate(`${app.url}/luminate/sso`);
    expect(loggedInConsId(end.text)).toBe('');
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CONSTITUENT_HOOK_FAILED']);
    expect(app.errors[0]!.message).not.toContain(email);
    expect(fake.requests.filter((r) => r.path.endsWith('SRConsAPI'))).toHaveLength(0);
  });

  it('{ email } together with an id, or a non-string email, is a hook error', async () => {
    const results: unknown[] = [{ email: 'ada@example.org', consId: '1001641' }, { email: 42 }];
    let i = 0;
    app = await startHostApp(fake, { constituent: () => results[i++] as any });
    await new TestBrowser().navigate(`${app.url}/luminate/sso`);
    await new TestBrowser().navigate(`${app.url}/luminate/sso`);
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_CONSTITUENT_HOOK_FAILED', 'SSO_CONSTITUENT_HOOK_FAILED']);
  });

  it(`remembers under req.session.${SESSION_KEY} as { email: <lowercased>, consId }, and only for that email`, async () => {
    const seen: unknown[] = [];
    let email = 'Ada@Example.org';
    app = await startHostApp(fake, {
      constituent: (req: any) => {
        seen.push(req.session[SESSION_KEY]);
        return { email };
      },
    });
    const browser = new TestBrowser();
    await logInWithEmail(browser, app, 'x@example.org'); // a host session exists
    await click(browser, app);
    await click(browser, app);
    email = 'grace.hopper@example.org'; // the host's user changed email: the old cons_id is not reused
    expect(loggedInConsId((await click(browser, app)).text)).toBe('0012345');
    expect(seen).toEqual([undefined, { email: 'ada@example.org', consId: '1001641' }, { email: 'ada@example.org', consId: '1001641' }]);
    expect(count(fake, 'getUser')).toBe(2);
  });

  it('the lookup shares the click deadline: a slow getUser ends in LUMINATE_TIMEOUT, the visitor goes on as a guest', async () => {
    app = await startHostApp(fake, { ...byEmail, luminate: { timeoutMs: 300 } });
    const browser = new TestBrowser();
    await logInWithEmail(browser, app, 'ada@example.org');
    fake.faults = { latencyMs: 1000 };
    const started = Date.now();
    const end = await click(browser, app);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(loggedInConsId(end.text)).toBe('');
    expect(app.errors.map((e) => e.code)).toEqual(['LUMINATE_TIMEOUT']);
  });
});

describe('emails in debug output are masked', () => {
  const lines = captureDebugLines();
  const fake = useFakeLuminate({ constituents: CONSTITUENTS });

  it('across a lookup, a remembered click, a not-found and a provisioning, no log line or error holds a full email', async () => {
    const emails = ['ada@example.org', 'nobody@example.org', 'newt.scamander@example.org'];
    const app = await startHostApp(fake, { ...byEmail, provision: (req: any) => (req.session.user.email.startsWith('newt') ? { firstName: 'Newt' } : null) });
    try {
      for (const email of emails) {
        const browser = new TestBrowser();
        await logInWithEmail(browser, app, email);
        await browser.navigate(`${app.url}/luminate/sso`);
        await browser.navigate(`${app.url}/luminate/sso`);
      }
      expect(fake.constituents.some((c) => c.email === 'newt.scamander@example.org')).toBe(true);
      const text = lines.join('\n');
      expect(lines.length).toBeGreaterThan(10);
      expect(text).toContain('a***@example.org');
      expect(text).toContain('n***@example.org');
      const errorTexts = app.errors.map((e) => `${String(e)} ${JSON.stringify(e)} ${e.stack} ${String((e as Error).cause)}`);
      expect(errorTexts.length).toBeGreaterThan(0);
      for (const email of emails) {
        for (const haystack of [...lines, ...errorTexts]) expect(haystack.toLowerCase()).not.toContain(email);
      }
    } finally {
      await app.close();
    }
  });
});
