import { XMLValidator } from 'fast-xml-parser';
import { createFakeLuminate } from '../../src/testing';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { TestClient, firstChunk, header, issueToken, readBody, ssoForm, tokenForm, xmlField } from './helpers';

describe('stand-in fault switches (server API only)', () => {
  const fake = useFakeLuminate();
  let client: TestClient;
  const call = (extra: Record<string, string> = {}, timeoutMs?: number) =>
    client.post('/site/SRConsAPI', tokenForm(fake, { cons_id: '1001641', ...extra }), timeoutMs ? { timeoutMs } : {});

  beforeAll(() => {
    client = new TestClient(fake.secureUrl);
  });
  afterAll(() => client.close());

  it('latencyMs delays the answer, which is otherwise normal', async () => {
    fake.faults.latencyMs = 400;
    const started = Date.now();
    const r = await call();
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(r.status).toBe(200);
    expect(xmlField(r.text, 'cons_id')).toBe('1001641');
  });

  it('latencyMs trips a client headers timeout', async () => {
    fake.faults.latencyMs = 2000;
    await expect(call({}, 150)).rejects.toMatchObject({ code: 'TEST_HEADERS_TIMEOUT' });
  });

  it.each([500, 503])('status answers HTTP %i with a short text body', async (status) => {
    fake.faults.status = status;
    const r = await call();
    expect(r.status).toBe(status);
    expect(header(r, 'content-type')).toBe('text/plain; charset=utf-8');
    expect(r.text).toMatch(new RegExp(`^${status} `));
    expect(fake.issuedTokens).toHaveLength(0);
    expect(fake.requests[0]!.outcome).toBe('fault status');
  });

  it('maintenancePage answers 200 with an HTML page', async () => {
    fake.faults.maintenancePage = true;
    const r = await call();
    expect(r.status).toBe(200);
    expect(header(r, 'content-type')).toBe('text/html; charset=utf-8');
    expect(r.text).toMatch(/^<!DOCTYPE html>.*maintenance/is);
  });

  it('malformedBody answers truncated XML, or truncated JSON when JSON was asked for', async () => {
    fake.faults.malformedBody = true;
    const x = await call();
    expect(x.status).toBe(200);
    expect(x.text).toMatch(/^<\?xml/);
    expect(XMLValidator.validate(x.text)).not.toBe(true);
    const j = await call({ response_format: 'json' });
    expect(header(j, 'content-type')).toBe('text/plain;charset=UTF-8');
    expect(j.text).toMatch(/^\{"getSingleSignOnTokenResponse"/);
    expect(() => JSON.parse(j.text)).toThrow(SyntaxError);
  });

  it('reset destroys the connection before any answer', async () => {
    fake.faults.reset = true;
    const err = await call().then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    );
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(err?.code);
    expect(fake.requests[0]!.outcome).toBe('fault reset');
  });

  it('neverEndingBody sends headers and a first chunk, then stalls', async () => {
    fake.faults.neverEndingBody = true;
    const res = await client.open('POST', '/site/SRConsAPI', { form: tokenForm(fake, { cons_id: '1001641' }), timeoutMs: 2000 });
    expect(res.statusCode).toBe(200);
    expect(await firstChunk(res, 2000)).toMatch(/^<\?xml/);
    res.resume();
    await expect(readBody(res, 300)).rejects.toMatchObject({ code: 'TEST_BODY_TIMEOUT' });
    expect(res.complete).toBe(false);
  });

  it.each(['xml', 'json'])('oversizedBodyBytes streams a well-formed %s body of exactly that size', async (format) => {
    const size = 3 * 1024 * 1024 + 7;
    fake.faults.oversizedBodyBytes = size;
    const r = await call({ response_format: format }, 10_000);
    expect(r.status).toBe(200);
    expect(header(r, 'content-length')).toBeUndefined();
    expect(Buffer.byteLength(r.text)).toBe(size);
    if (format === 'json') {
      expect(JSON.parse(r.text).getSingleSignOnTokenResponse.cons_id).toBe('1001641');
    } else {
      expect(XMLValidator.validate(r.text)).toBe(true);
      expect(xmlField(r.text, 'cons_id')).toBe('1001641');
    }
  });

  it('resetMidBody sends the headers and half the reply, then resets the connection', async () => {
    fake.faults.resetMidBody = true;
    const res = await client.open('POST', '/site/SRConsAPI', { form: tokenForm(fake, { cons_id: '1001641' }) });
    expect(res.statusCode).toBe(200);
    const declared = Number(res.headers['content-length']);
    const received: Buffer[] = [];
    res.on('data', (c: Buffer) => received.push(c));
    const err = await readBody(res, 2000).then(() => undefined, (e: unknown) => e as { code?: string });
    expect(err?.code).toBe('ECONNRESET');
    expect(res.complete).toBe(false);
    const got = Buffer.concat(received);
    expect(got.length).toBeLessThan(declared);
    expect(got.toString('utf8')).toMatch(/^<\?xml/);
    expect(fake.requests[0]!.outcome).toBe('fault resetMidBody');
  });

  it('rawReply answers exactly the bytes, status and headers given', async () => {
    const bytes = Uint8Array.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x00, 0x3c, 0x2f, 0x61, 0x3e]);
    fake.faults.rawReply = { status: 502, headers: { 'content-type': 'application/octet-stream', 'x-fixture': 'raw' }, body: bytes };
    const res = await client.open('POST', '/site/SRConsAPI', { form: tokenForm(fake, { cons_id: '1001641' }) });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    expect(res.statusCode).toBe(502);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['x-fixture']).toBe('raw');
    expect(res.headers['content-length']).toBe(String(bytes.length));
    expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
    expect(fake.issuedTokens).toHaveLength(0);
    expect(fake.requests[0]!.outcome).toBe('fault rawReply');

    fake.faults.rawReply = { headers: { 'content-type': 'text/xml' }, body: '<x>é</x>', chunked: true };
    const chunked = await call();
    expect(chunked.status).toBe(200);
    expect(header(chunked, 'content-length')).toBeUndefined();
    expect(header(chunked, 'transfer-encoding')).toBe('chunked');
    expect(chunked.text).toBe('<x>é</x>');
  });

  it('times applies the faults to the next N server calls, then clears them all', async () => {
    fake.faults = { status: 503, latencyMs: 10, times: 2 };
    expect((await call()).status).toBe(503);
    expect(fake.faults).toEqual({ status: 503, latencyMs: 10, times: 1 });
    expect((await call()).status).toBe(503);
    expect(fake.faults).toEqual({});
    expect((await call()).status).toBe(200);
  });

  it('leaves the client API and pages alone', async () => {
    const t = await issueToken(client, fake, '1001641');
    fake.faults.status = 500;
    const sso = await client.post('/site/CRConsAPI', ssoForm(fake, t.token));
    expect(sso.status).toBe(200);
    expect((await client.get('/site/Donation2?df_id=1')).status).toBe(200);
    expect((await call()).status).toBe(500);
  });

  it('reset() clears faults in place, requests, tokens and sessions but keeps constituents', async () => {
    fake.addConstituent({ consId: '77' });
    await issueToken(client, fake, '77');
    const faults = fake.faults;
    faults.status = 500;
    fake.reset();
    expect(faults).toEqual({});
    expect(fake.requests).toHaveLength(0);
    expect(fake.issuedTokens).toHaveLength(0);
    expect(fake.sessions.size).toBe(0);
    expect(fake.constituents.map((c) => c.consId)).toContain('77');
  });
});

describe('close() with faults in flight', () => {
  it('ends a never-ending body and a pending latency answer, and resolves', async () => {
    const fake = await createFakeLuminate();
    const client = new TestClient(fake.secureUrl);
    try {
      fake.faults = { neverEndingBody: true, times: 1 };
      const stalled = await client.open('POST', '/site/SRConsAPI', { form: tokenForm(fake, { cons_id: '1001641' }) });
      await firstChunk(stalled, 2000);
      stalled.resume();
      const stalledEnd = readBody(stalled, 10_000).then(() => 'ended', () => 'cut');
      fake.faults = { latencyMs: 60_000 };
      const slow = client
        .post('/site/SRConsAPI', tokenForm(fake, { cons_id: '1001641' }), { timeoutMs: 10_000 })
        .then(() => 'answered', () => 'cut');
      const arrived = Date.now() + 2000;
      for (let i = 0; i < 100 && fake.requests.length < 2 && Date.now() < arrived; i += 1) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(fake.requests).toHaveLength(2);
      const started = Date.now();
      await fake.close();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await stalledEnd).toBe('cut');
      expect(await slow).toBe('cut');
    } finally {
      await client.close();
      await fake.close();
    }
  });
});
