/** The stand-in's SRConsAPI login and authenticateUser, checked against the documented shapes, with its own oracle. */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { createFakeLuminate, type FakeLuminate, type FakeLuminateOptions } from '../../src/testing';
import { TestBrowser, loggedInConsId } from '../helpers/browser';

const opened: FakeLuminate[] = [];
afterEach(async () => {
  for (const f of opened.splice(0)) await f.close();
});

async function site(options: FakeLuminateOptions = {}) {
  const fake = await createFakeLuminate(options);
  opened.push(fake);
  return fake;
}

async function call(fake: FakeLuminate, params: Record<string, string>) {
  const body = new URLSearchParams({ v: '1.0', api_key: fake.apiKey, login_name: fake.apiLogin.name, login_password: fake.apiLogin.password, response_format: 'json', ...params });
  const res = await request(`${fake.secureUrl}/site/SRConsAPI`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, Record<string, string | null>> };
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('authenticateUser', () => {
  it('answers a signed loginResponse with a nonce that EstablishSession accepts', async () => {
    const fake = await site();
    const { status, json } = await call(fake, { method: 'authenticateUser', member_id: 'm-1001 ', last_name: 'LOVELACE' });
    expect(status).toBe(200);
    const reply = json.loginResponse!;
    expect(reply.cons_id).toBe('1001641');
    expect(reply.timestamp).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(reply.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(reply.signature).toBe(md5(`1001641${reply.timestamp}${fake.apiSecretKey}`));
    expect(reply.nonce).toEqual(expect.any(String));
    const browser = new TestBrowser();
    const next = `${fake.secureUrl}/site/Donation2?df_id=1`;
    const end = await browser.navigate(`${fake.secureUrl}/site/EstablishSession;jsessionid=${reply.routing_id}?NONCE_TOKEN=${encodeURIComponent(reply.nonce!)}&NEXTURL=${encodeURIComponent(next)}`);
    expect(loggedInConsId(end.text)).toBe('1001641');
  });

  it('signs with SHA-1 on a SHA-1 site, and has nil token and nonce when the site issues no nonces', async () => {
    const fake = await site({ signatureAlgorithm: 'sha1', issueNonces: false });
    const reply = (await call(fake, { method: 'authenticateUser', member_id: 'M-0042', last_name: 'Hopper' })).json.loginResponse!;
    expect(reply.signature).toBe(createHash('sha1').update(`0012345${reply.timestamp}${fake.apiSecretKey}`).digest('hex'));
    expect(reply).toMatchObject({ token: null, nonce: null, JSESSIONID: null, routing_id: null });
  });

  it('refuses wrong attributes with 202, a missing one with 9, several matches with 8, and no configured fields with 33', async () => {
    const fake = await site({
      authenticationFields: ['last_name'],
      constituents: [{ consId: '1', lastName: 'Smith' }, { consId: '2', lastName: 'smith' }, { consId: '3', lastName: 'Jones' }],
    });
    expect((await call(fake, { method: 'authenticateUser', last_name: 'Brown' })).json.errorResponse).toEqual({ code: '202', message: 'Invalid login credentials.' });
    expect((await call(fake, { method: 'authenticateUser' })).json.errorResponse!.code).toBe('9');
    expect((await call(fake, { method: 'authenticateUser', last_name: 'Smith' })).json.errorResponse!.code).toBe('8');
    expect((await call(fake, { method: 'authenticateUser', last_name: 'Jones' })).json.loginResponse!.cons_id).toBe('3');
    const none = await site({ authenticationFields: [] });
    const refused = await call(none, { method: 'authenticateUser', member_id: 'M-1001', last_name: 'Lovelace' });
    expect(refused.status).toBe(403);
    expect(refused.json.errorResponse).toEqual({ code: '33', message: 'No fields are configured to support authentication.' });
  });

  it('checks the API administrator first, like every server method', async () => {
    const fake = await site();
    const res = await call(fake, { method: 'authenticateUser', login_password: 'nope', member_id: 'M-1001', last_name: 'Lovelace' });
    expect(res.json.errorResponse!.code).toBe('3');
  });
});

describe('login', () => {
  it('takes a user name (any case) and its exact password', async () => {
    const fake = await site();
    const ok = (await call(fake, { method: 'login', user_name: 'ALAN', password: 'demo-password-alan' })).json.loginResponse!;
    expect(ok.cons_id).toBe('1002001');
    expect(ok.signature).toBe(md5(`1002001${ok.timestamp}${fake.apiSecretKey}`));
    expect((await call(fake, { method: 'login', user_name: 'alan', password: 'DEMO-PASSWORD-ALAN' })).json.errorResponse!.code).toBe('202');
    expect((await call(fake, { method: 'login', user_name: 'nobody', password: 'demo-password-alan' })).json.errorResponse!.code).toBe('202');
    expect((await call(fake, { method: 'login', user_name: 'alan' })).json.errorResponse!.code).toBe('9');
    expect(fake.requests.map((r) => r.outcome)).toEqual(['ok', 'error 202', 'error 202', 'error 9']);
  });
});

describe('options', () => {
  it.each([
    [['zip'], /authenticationFields` must be an array of distinct column names among member_id/],
    ['member_id', /authenticationFields/],
    [['member_id', 'member_id'], /authenticationFields/],
  ])('authenticationFields %j is refused', async (value, message) => {
    await expect(createFakeLuminate({ authenticationFields: value as never })).rejects.toThrow(message);
  });
});
