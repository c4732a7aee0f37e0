import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { TestClient, tokenForm, xmlField } from './helpers';

function form(fake: FakeLuminate, method: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...tokenForm(fake, { method }), response_format: 'json', ...extra };
}

describe('stand-in SRConsAPI getUser and create', () => {
  let fake: FakeLuminate;
  let client: TestClient;

  beforeEach(async () => {
    fake = await createFakeLuminate({
      constituents: [
        { consId: '1001641', memberId: 'M-1001', firstName: 'Ada', lastName: 'Lovelace', email: 'Ada@Example.org' },
        { consId: '0012345', memberId: 'M-0042', email: 'grace@example.org' },
        { consId: '3000001', memberId: 'M-0042', email: 'shared@example.org' },
        { consId: '3000002', email: 'shared@example.org' },
      ],
    });
    client = new TestClient(fake.secureUrl);
  });
  afterEach(async () => {
    await client.close();
    await fake.close();
  });

  const getUser = async (extra: Record<string, string>) => client.post('/site/SRConsAPI', form(fake, 'getUser', extra));
  const create = async (extra: Record<string, string>) => client.post('/site/SRConsAPI', form(fake, 'create', extra));

  it('getUser by primary_email is case-insensitive and answers getConsResponse with ids as strings', async () => {
    const r = await getUser({ primary_email: '  ada@EXAMPLE.org ' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({
      getConsResponse: {
        cons_id: '1001641',
        member_id: 'M-1001',
        email: { primary_address: 'Ada@Example.org' },
        name: { first: 'Ada', last: 'Lovelace' },
      },
    });
    expect(fake.requests[0]).toMatchObject({ apiMethod: 'getUser', outcome: 'ok' });
  });

  it('getUser by cons_id (searched alone) and by member_id; XML by default with nil fields', async () => {
    const xml = await client.post('/site/SRConsAPI', tokenForm(fake, { method: 'getUser', cons_id: '0012345', member_id: 'M-1001' }));
    expect(xml.status).toBe(200);
    expect(xml.text).toContain('<getConsResponse ');
    expect(xmlField(xml.text, 'cons_id')).toBe('0012345');
    expect(xml.text).toContain('<first xsi:nil="true"/>');
    const byMember = JSON.parse((await getUser({ member_id: 'M-1001' })).text);
    expect(byMember.getConsResponse.cons_id).toBe('1001641');
  });

  it.each([
    ['several records share the email → 8', { primary_email: 'SHARED@example.org' }, '8'],
    ['several records share the member_id → 8', { member_id: 'M-0042' }, '8'],
    ['no record has the email → 16', { primary_email: 'nobody@example.org' }, '16'],
    ['no record has the cons_id → 16', { cons_id: '999' }, '16'],
    ['no id at all → 1', {}, '1'],
  ] as Array<[string, Record<string, string>, string]>)('getUser: %s', async (_title, extra, code) => {
    const r = await getUser(extra);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).errorResponse.code).toBe(code);
    expect(fake.requests[0]!.outcome).toBe(`error ${code}`);
  });

  it('create adds a record with a new cons_id and the source / sub_source of the call', async () => {
    const r = await create({ primary_email: 'new@example.org', 'name.first': 'New', 'name.last': 'Person', source: 'partner-acme', sub_source: 'spring' });
    expect(r.status).toBe(200);
    const consId = JSON.parse(r.text).createConsResponse.cons_id as string;
    expect(consId).toMatch(/^\d+$/);
    expect(fake.constituents.map((c) => c.consId)).not.toContain(undefined);
    expect(fake.constituents.find((c) => c.consId === consId)).toEqual({
      consId, email: 'new@example.org', firstName: 'New', lastName: 'Person', source: 'partner-acme', subSource: 'spring',
    });
    expect(fake.requests[0]!.body).toMatchObject({ source: 'partner-acme', sub_source: 'spring' });
    const found = JSON.parse((await getUser({ primary_email: 'NEW@example.org' })).text);
    expect(found.getConsResponse.cons_id).toBe(consId);
    // the new record gets a token like any other
    const token = await client.post('/site/SRConsAPI', tokenForm(fake, { cons_id: consId, response_format: 'json' }));
    expect(token.status).toBe(200);
  });

  it('create with get_single_sign_on_token=true also returns a token', async () => {
    const r = JSON.parse((await create({ primary_email: 'tok@example.org', get_single_sign_on_token: 'true' })).text);
    expect(r.createConsResponse.token).toBe(fake.issuedTokens[0]!.token);
  });

  it('create never gives two records the same cons_id', async () => {
    const ids = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push(JSON.parse((await create({ primary_email: `n${i}@example.org` })).text).createConsResponse.cons_id);
    }
    expect(new Set([...ids, ...fake.constituents.map((c) => c.consId)]).size).toBe(fake.constituents.length);
  });

  it.each([
    ['a duplicate email (any case) with 13', { primary_email: 'GRACE@example.org' }, '13'],
    ['a duplicate member_id with 11', { primary_email: 'other@example.org', member_id: 'M-1001' }, '11'],
    ['no primary_email with 9', { 'name.first': 'X' }, '9'],
  ] as Array<[string, Record<string, string>, string]>)('create refuses %s and adds nothing', async (_title, extra, code) => {
    const before = fake.constituents.length;
    const r = await create(extra);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).errorResponse.code).toBe(code);
    expect(fake.constituents).toHaveLength(before);
  });

  it('both need the API administrator login (error 3) and POST (405)', async () => {
    expect(JSON.parse((await getUser({ primary_email: 'grace@example.org', login_password: 'nope' })).text).errorResponse.code).toBe('3');
    const get = await client.get(`/site/SRConsAPI?method=create&v=1.0&api_key=${fake.apiKey}&primary_email=x%40example.org`);
    expect(get.status).toBe(405);
    expect(fake.constituents).toHaveLength(4);
  });
});
