import { useFakeLuminate } from '../helpers/fake-luminate';
import { TestClient, cookiePair, header, issueToken, setCookies, ssoForm } from './helpers';

function establishPath(nonce: string, next: string, routing?: string): string {
  const servlet = routing === undefined ? 'EstablishSession' : `EstablishSession;jsessionid=${routing}`;
  return `/site/${servlet}?NONCE_TOKEN=${encodeURIComponent(nonce)}&NEXTURL=${encodeURIComponent(next)}`;
}

/** The #lo-status element of the donation page. */
function statusOf(html: string): { consId: string; text: string } {
  const m = /<p id="lo-status" data-cons-id="([^"]*)">([^<]*)<\/p>/.exec(html);
  if (!m) throw new Error('no #lo-status on the page');
  return { consId: m[1]!, text: m[2]! };
}

describe('stand-in EstablishSession and donation page', () => {
  let clock = 1_700_000_000_000;
  const fake = useFakeLuminate({ now: () => clock });
  let client: TestClient;
  const next = 'https://fake.example/fakeorg/site/Donation2?df_id=1234&mfc_pref=T';

  beforeAll(() => {
    client = new TestClient(fake.secureUrl);
  });
  afterAll(() => client.close());

  it('logs the browser in with a fresh nonce and redirects to NEXTURL (with ;jsessionid)', async () => {
    const t = await issueToken(client, fake, '1001641');
    const r = await client.get(establishPath(t.nonce!, next, t.routing_id));
    expect(r.status).toBe(302);
    expect(header(r, 'location')).toBe(next);
    const cookie = cookiePair(r, 'FAKE_LO_SESSION')!;
    expect(fake.sessions.get(cookie.split('=')[1]!)).toBe('1001641');
    expect(fake.issuedTokens[0]).toMatchObject({ nonceUsed: true, used: false });
    expect(fake.requests.at(-1)).toMatchObject({ path: '/fakeorg/site/EstablishSession;jsessionid=00000000.app1', outcome: 'ok' });

    const page = await client.get('/site/Donation2?df_id=1234', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(header(page, 'content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<title>Donate – Fake Luminate</title>');
    expect(page.text).toContain('<h1>');
    expect(statusOf(page.text)).toEqual({ consId: '1001641', text: 'Logged in as Ada Lovelace (cons_id 1001641)' });
  });

  it('works without ;jsessionid too', async () => {
    const t = await issueToken(client, fake, '0012345');
    const r = await client.get(establishPath(t.nonce!, next));
    expect(cookiePair(r, 'FAKE_LO_SESSION')).toBeDefined();
    expect([...fake.sessions.values()]).toEqual(['0012345']);
  });

  it('sends a used, unknown or expired nonce on to NEXTURL as a guest', async () => {
    const t = await issueToken(client, fake, '1001641');
    const stale = await issueToken(client, fake, '1001641');
    await client.get(establishPath(t.nonce!, next));
    const reused = await client.get(establishPath(t.nonce!, next));
    const unknown = await client.get(establishPath('no-such-nonce', next));
    clock += 15 * 60 * 1000;
    const expired = await client.get(establishPath(stale.nonce!, next));
    for (const r of [reused, unknown, expired]) {
      expect(r.status).toBe(302);
      expect(header(r, 'location')).toBe(next);
      expect(setCookies(r)).toEqual([]);
    }
    expect(fake.sessions.size).toBe(1);
    expect(fake.requests.slice(-3).map((x) => x.outcome)).toEqual(['nonce-rejected', 'nonce-rejected', 'nonce-rejected']);
  });

  it.each([
    ['missing', ''],
    ['relative', '/fakeorg/site/Donation2'],
    ['a javascript: URL', 'javascript:alert(1)'],
  ])('answers 400 when NEXTURL is %s, and keeps the nonce', async (_n, bad) => {
    const t = await issueToken(client, fake, '1001641');
    const r = await client.get(establishPath(t.nonce!, bad));
    expect(r.status).toBe(400);
    expect(fake.issuedTokens[0]!.nonceUsed).toBe(false);
  });

  it('refuses POST with 405', async () => {
    const t = await issueToken(client, fake, '1001641');
    const r = await client.post('/site/EstablishSession', { NONCE_TOKEN: t.nonce!, NEXTURL: next });
    expect(r.status).toBe(405);
    expect(fake.sessions.size).toBe(0);
  });

  it('shows a guest without a cookie, with an unknown cookie, and after logout; escapes df_id', async () => {
    const guestPage = await client.get('/site/Donation2?df_id=%3Cscript%3E1');
    expect(guestPage.text).toContain('<p id="lo-status" data-cons-id="">Not logged in (guest)</p>');
    expect(guestPage.text).toContain('&lt;script&gt;1');
    expect(guestPage.text).not.toContain('<script>');
    const forged = await client.get('/site/Donation2?df_id=1', { headers: { cookie: 'FAKE_LO_SESSION=forged.app1' } });
    expect(statusOf(forged.text).consId).toBe('');

    const t = await issueToken(client, fake, '1002001');
    const sso = await client.post('/site/CRConsAPI', ssoForm(fake, t.token));
    const cookie = cookiePair(sso, 'FAKE_LO_SESSION')!;
    const inPage = await client.get('/site/Donation2;jsessionid=00000000.app1?df_id=1', { headers: { cookie } });
    expect(statusOf(inPage.text)).toEqual({ consId: '1002001', text: 'Logged in as Alan Turing (cons_id 1002001)' });
    await client.post('/site/CRConsAPI', { method: 'logout', v: '1.0', api_key: fake.apiKey }, { headers: { cookie } });
    const after = await client.get('/site/Donation2?df_id=1', { headers: { cookie } });
    expect(statusOf(after.text).consId).toBe('');
  });
});
