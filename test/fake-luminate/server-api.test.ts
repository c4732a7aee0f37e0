import { createFakeLuminate } from '../../src/testing';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { TestClient, header, issueToken, tokenForm, xmlField } from './helpers';

describe('stand-in SRConsAPI getSingleSignOnToken', () => {
  const fake = useFakeLuminate();
  let client: TestClient;

  beforeAll(() => {
    client = new TestClient(fake.secureUrl);
  });
  afterAll(() => client.close());

  it('answers XML by default with the Luminate namespace, a token, the cons_id and a nonce', async () => {
    const r = await client.post('/site/SRConsAPI', tokenForm(fake, { cons_id: '0012345' }));
    expect(r.status).toBe(200);
    expect(header(r, 'content-type')).toBe('text/xml;charset=UTF-8');
    expect(r.text).toContain('<getSingleSignOnTokenResponse ');
    expect(r.text).toContain('xmlns="http://convio.com/crm/v1.0"');
    expect(r.text).toContain('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"');
    expect(xmlField(r.text, 'token')).toMatch(/^[A-Za-z0-9_-]{86}\.\.$/);
    expect(xmlField(r.text, 'cons_id')).toBe('0012345');
    expect(xmlField(r.text, 'routing_id')).toBe('00000000.app1');
    expect(xmlField(r.text, 'JSESSIONID')).toMatch(/^[0-9A-F]{32}$/);
    const nonce = xmlField(r.text, 'nonce');
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(fake.issuedTokens).toHaveLength(1);
    expect(fake.issuedTokens[0]).toMatchObject({ consId: '0012345', nonce, used: false, nonceUsed: false });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/fakeorg/site/SRConsAPI', apiMethod: 'getSingleSignOnToken', outcome: 'ok' });
  });

  it('answers JSON as text/plain with ids kept as strings', async () => {
    const r = await client.post('/site/SRConsAPI', tokenForm(fake, { cons_id: '0012345', response_format: 'json' }));
    expect(r.status).toBe(200);
    expect(header(r, 'content-type')).toBe('text/plain;charset=UTF-8');
    const body = JSON.parse(r.text) as { getSingleSignOnTokenResponse: Record<string, unknown> };
    expect(Object.keys(body.getSingleSignOnTokenResponse)).toEqual(['token', 'cons_id', 'nonce', 'routing_id', 'JSESSIONID']);
    expect(body.getSingleSignOnTokenResponse.cons_id).toBe('0012345');
  });

  it('finds a constituent by member_id, and searches only cons_id when both are given', async () => {
    const byMember = await issueToken(client, fake, '1001641');
    expect(byMember.cons_id).toBe('1001641');
    const r = await client.post('/site/SRConsAPI', tokenForm(fake, { member_id: 'M-0042', response_format: 'json' }));
    expect(JSON.parse(r.text).getSingleSignOnTokenResponse.cons_id).toBe('0012345');
    const both = await client.post('/site/SRConsAPI', tokenForm(fake, { cons_id: '999', member_id: 'M-0042', response_format: 'json' }));
    expect(both.status).toBe(403);
    expect(JSON.parse(both.text)).toEqual({ errorResponse: { code: '16', message: 'The specified record does not exist.' } });
  });

  const errorCases: [string, Record<string, string | undefined>, string][] = [
    ['a wrong API version', { v: '2.0', cons_id: '1001641' }, '1'],
    ['no API version', { v: undefined, cons_id: '1001641' }, '1'],
    ['a wrong api_key', { api_key: 'nope', cons_id: '1001641' }, '2'],
    ['a missing api_key', { api_key: undefined, cons_id: '1001641' }, '2'],
    ['a wrong admin password', { login_password: 'nope', cons_id: '1001641' }, '3'],
    ['a wrong admin name', { login_name: 'nope', cons_id: '1001641' }, '3'],
    ['no id at all', {}, '1'],
    ['an unknown cons_id', { cons_id: '404' }, '16'],
    ['an unknown member_id', { member_id: 'M-404' }, '16'],
    ['an unknown method', { method: 'getSingleSignOnTokens', cons_id: '1001641' }, '6'],
    ['no method', { method: undefined, cons_id: '1001641' }, '6'],
    ['a wrong api_key and a wrong login (api_key is checked first)', { api_key: 'x', login_password: 'y' }, '2'],
  ];

  it.each(errorCases)('refuses %s with HTTP 403 and the right code (JSON)', async (_name, extra, code) => {
    const r = await client.post('/site/SRConsAPI', tokenForm(fake, { ...extra, response_format: 'json' }));
    expect(r.status).toBe(403);
    const body = JSON.parse(r.text) as { errorResponse: { code: string; message: string } };
    expect(body.errorResponse.code).toBe(code);
    expect(typeof body.errorResponse.message).toBe('string');
    expect(fake.issuedTokens).toHaveLength(0);
    expect(fake.requests[0]!.outcome).toBe(`error ${code}`);
  });

  it('sends errors as XML errorResponse by default', async () => {
    const r = await client.post('/site/SRConsAPI', tokenForm(fake, { login_password: 'wrong', cons_id: '1001641' }));
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<errorResponse [^>]*xmlns="http:\/\/convio.com\/crm\/v1.0"/);
    expect(xmlField(r.text, 'code')).toBe('3');
    expect(xmlField(r.text, 'message')).toBe('Authorization failed.');
  });

  it('answers HTTP 200 with the errorResponse when suppress_response_codes=true', async () => {
    const r = await client.post('/site/SRConsAPI', tokenForm(fake, { api_key: 'bad', suppress_response_codes: 'true' }));
    expect(r.status).toBe(200);
    expect(xmlField(r.text, 'code')).toBe('2');
  });

  it.each(['GET', 'PUT', 'DELETE'])('refuses %s with HTTP 405 and issues nothing', async (verb) => {
    const query = new URLSearchParams(tokenForm(fake, { cons_id: '1001641' })).toString();
    const r = await client.send(verb, `/site/SRConsAPI?${query}`);
    expect(r.status).toBe(405);
    expect(header(r, 'allow')).toBe('POST');
    expect(fake.issuedTokens).toHaveLength(0);
    expect(fake.requests[0]!.outcome).toBe('http 405');
  });

  it('returns error 8 when several constituents share the member_id', async () => {
    const dup = await createFakeLuminate({
      constituents: [{ consId: '1', memberId: 'SAME' }, { consId: '2', memberId: 'SAME' }, { consId: '3', memberId: 'OTHER' }],
    });
    const c = new TestClient(dup.secureUrl);
    try {
      const r = await c.post('/site/SRConsAPI', tokenForm(dup, { member_id: 'SAME', response_format: 'json' }));
      expect(r.status).toBe(403);
      expect(JSON.parse(r.text).errorResponse.code).toBe('8');
      expect(dup.issuedTokens).toHaveLength(0);
      const one = await c.post('/site/SRConsAPI', tokenForm(dup, { member_id: 'OTHER', response_format: 'json' }));
      expect(JSON.parse(one.text).getSingleSignOnTokenResponse.cons_id).toBe('3');
    } finally {
      await c.close();
      await dup.close();
    }
  });

  it('checks the caller IP against allowedIps (error 4) before the admin login', async () => {
    const closed = await createFakeLuminate({ allowedIps: ['10.1.2.3'] });
    const open = await createFakeLuminate({ allowedIps: ['10.1.2.3', '127.0.0.1'] });
    const c1 = new TestClient(closed.secureUrl);
    const c2 = new TestClient(open.secureUrl);
    try {
      const refused = await c1.post('/site/SRConsAPI', tokenForm(closed, { login_password: 'wrong', cons_id: '1001641', response_format: 'json' }));
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.text).errorResponse.code).toBe('4');
      const allowed = await c2.post('/site/SRConsAPI', tokenForm(open, { cons_id: '1001641' }));
      expect(allowed.status).toBe(200);
      expect(open.requests[0]!.remoteAddress).toBe('127.0.0.1');
    } finally {
      await Promise.all([c1.close(), c2.close()]);
      await Promise.all([closed.close(), open.close()]);
    }
  });

  it('gives only token and cons_id when issueNonces is false (old sites)', async () => {
    const old = await createFakeLuminate({ issueNonces: false });
    const c = new TestClient(old.secureUrl);
    try {
      const r = await c.post('/site/SRConsAPI', tokenForm(old, { cons_id: '1001641', response_format: 'json' }));
      expect(Object.keys(JSON.parse(r.text).getSingleSignOnTokenResponse)).toEqual(['token', 'cons_id']);
      const x = await c.post('/site/SRConsAPI', tokenForm(old, { cons_id: '1001641' }));
      expect(x.text).not.toContain('<nonce');
      expect(old.issuedTokens[0]!.nonce).toBeUndefined();
    } finally {
      await c.close();
      await old.close();
    }
  });

  it('escapes XML special characters in values', async () => {
    fake.addConstituent({ consId: 'A&B<1>"' });
    const r = await client.post('/site/SRConsAPI', tokenForm(fake, { cons_id: 'A&B<1>"' }));
    expect(r.status).toBe(200);
    expect(r.text).toContain('<cons_id>A&amp;B&lt;1&gt;&quot;</cons_id>');
  });

  it('merges query-string parameters but records them apart from the body (body wins)', async () => {
    const form = tokenForm(fake, { cons_id: '1001641', api_key: undefined });
    const r = await client.post(`/site/SRConsAPI?api_key=${fake.apiKey}&login_password=wrong`, form);
    expect(r.status).toBe(200);
    const rec = fake.requests[0]!;
    expect(rec.query).toBe(`api_key=${fake.apiKey}&login_password=wrong`);
    expect(rec.body.api_key).toBeUndefined();
    expect(rec.body.login_password).toBe(fake.apiLogin.password);
    expect(rec.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('ignores a body that is not form-encoded', async () => {
    const r = await client.send('POST', '/site/SRConsAPI', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(tokenForm(fake, { cons_id: '1001641' })),
    });
    expect(r.status).toBe(403);
    expect(xmlField(r.text, 'code')).toBe('1'); // no v=1.0 arrived
    expect(fake.requests[0]!.body).toEqual({});
    expect(fake.issuedTokens).toHaveLength(0);
  });

  it('refuses a body over 1 MiB with 413 and records the call', async () => {
    const r = await client.post('/site/SRConsAPI', tokenForm(fake, { cons_id: '1001641', pad: 'x'.repeat(1024 * 1024) }));
    expect(r.status).toBe(413);
    expect(fake.issuedTokens).toHaveLength(0);
    expect(fake.requests[0]!.outcome).toBe('http 413');
  });

  it.each([
    '/fakeorg/site/Nope',
    '/otherorg/site/SRConsAPI',
    '/fakeorg/site/SRConsAPI/extra',
    '/fakeorg/SRConsAPI',
    '/',
  ])('answers 404 for %s', async (path) => {
    const r = await client.post(`${fake.url}${path}`, tokenForm(fake, { cons_id: '1001641' }));
    expect(r.status).toBe(404);
    expect(fake.issuedTokens).toHaveLength(0);
    expect(fake.requests[0]).toMatchObject({ path, outcome: 'http 404' });
  });

  it('serves a custom-domain site at /site/... when orgPath is empty', async () => {
    const bare = await createFakeLuminate({ orgPath: '' });
    const c = new TestClient(bare.secureUrl);
    try {
      expect(bare.secureUrl).toBe(bare.url);
      const r = await c.post('/site/SRConsAPI', tokenForm(bare, { cons_id: '1001641' }));
      expect(r.status).toBe(200);
    } finally {
      await c.close();
      await bare.close();
    }
  });
});
