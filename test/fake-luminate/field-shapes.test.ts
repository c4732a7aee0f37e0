import { LuminateWebServices } from '../../src/web-services';
import { createFakeLuminate } from '../../src/testing';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { TestClient, readBody, tokenForm, xmlField } from './helpers';

/**
 * The stand-in's switches for what real sites send (issue 16 §5, "Seen in the field"): field
 * shapes (`{}` empties, "null" texts, JSON numbers, error 4 naming the caller's IP), dropped idle
 * connections, and the Web Services' session fault with HTTP 200 and reason-phrase 404s.
 */
describe('stand-in field shapes', () => {
  const fake = useFakeLuminate();
  let client: TestClient;
  const token = (extra: Record<string, string> = {}) => client.post('/site/SRConsAPI', tokenForm(fake, { cons_id: '1001641', ...extra }));
  const json = { response_format: 'json' };

  beforeAll(() => {
    client = new TestClient(fake.secureUrl);
  });
  afterAll(() => client.close());

  it('emptyFields writes the fields as {} in JSON (text/plain) and <x/> in XML', async () => {
    fake.faults.emptyFields = ['routing_id', 'JSESSIONID'];
    const j = await token(json);
    expect(j.headers['content-type']).toBe('text/plain;charset=UTF-8');
    const body = JSON.parse(j.text).getSingleSignOnTokenResponse;
    expect(body).toMatchObject({ cons_id: '1001641', routing_id: {}, JSESSIONID: {} });
    expect(body.token).toMatch(/\S{20,}/);
    expect(body.nonce).toMatch(/\S{10,}/);
    const x = await token();
    expect(x.text).toContain('<routing_id/>');
    expect(x.text).toContain('<JSESSIONID/>');
    expect(xmlField(x.text, 'cons_id')).toBe('1001641');
  });

  it('emptyFields reaches nested fields of getUser', async () => {
    fake.faults.emptyFields = ['first'];
    const r = await client.post('/site/SRConsAPI', tokenForm(fake, { method: 'getUser', cons_id: '1001641', response_format: 'json' }));
    expect(JSON.parse(r.text).getConsResponse).toMatchObject({ cons_id: '1001641', name: { first: {} } });
  });

  it('nullTextFields writes the fields as the text null', async () => {
    fake.faults.nullTextFields = ['token'];
    expect(JSON.parse((await token(json)).text).getSingleSignOnTokenResponse).toMatchObject({ token: 'null', cons_id: '1001641' });
    expect(xmlField((await token()).text, 'token')).toBe('null');
  });

  it('jsonNumbers writes whole numbers as JSON numbers, ids with leading zeros stay strings', async () => {
    fake.faults.jsonNumbers = true;
    expect(JSON.parse((await token(json)).text).getSingleSignOnTokenResponse.cons_id).toBe(1001641);
    expect(JSON.parse((await token({ ...json, cons_id: '0012345' })).text).getSingleSignOnTokenResponse.cons_id).toBe('0012345');
    const err = await token({ ...json, cons_id: '999999' });
    expect(JSON.parse(err.text)).toEqual({ errorResponse: { code: 16, message: 'The specified record does not exist.' } });
    expect(xmlField((await token()).text, 'cons_id')).toBe('1001641'); // XML has no numbers
  });

  it('times counts the field-shape switches down like the others', async () => {
    fake.faults.nullTextFields = ['token'];
    fake.faults.times = 1;
    expect(xmlField((await token()).text, 'token')).toBe('null');
    expect(xmlField((await token()).text, 'token')).not.toBe('null');
  });

  it('ipInErrorMessage ends error 4 with the IP the site saw', async () => {
    const walled = await createFakeLuminate({ allowedIps: ['198.51.100.23'] });
    const c = new TestClient(walled.secureUrl);
    try {
      const plain = await c.post('/site/SRConsAPI', tokenForm(walled, { cons_id: '1001641' }));
      expect(xmlField(plain.text, 'message')).toBe('Request not allowed from this IP address.');
      walled.faults.ipInErrorMessage = true;
      const x = await c.post('/site/SRConsAPI', tokenForm(walled, { cons_id: '1001641' }));
      expect(x.status).toBe(403);
      expect(xmlField(x.text, 'message')).toBe('Request not allowed from this IP address: 127.0.0.1');
      const j = await c.post('/site/SRConsAPI', tokenForm(walled, { cons_id: '1001641', response_format: 'json' }));
      expect(JSON.parse(j.text)).toEqual({ errorResponse: { code: '4', message: 'Request not allowed from this IP address: 127.0.0.1' } });
    } finally {
      await c.close();
      await walled.close();
    }
  });

  it('resetReusedConnections answers a new connection and resets the next request on it', async () => {
    fake.faults.resetReusedConnections = true;
    const c = new TestClient(fake.secureUrl);
    try {
      expect((await c.post('/site/SRConsAPI', tokenForm(fake, { cons_id: '1001641' }))).status).toBe(200);
      await expect(c.post('/site/SRConsAPI', tokenForm(fake, { cons_id: '1001641' }))).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect((await c.post('/site/SRConsAPI', tokenForm(fake, { cons_id: '1001641' }))).status).toBe(200); // a new connection
      expect(fake.requests.map((r) => r.outcome)).toEqual(['ok', 'fault resetReusedConnections', 'ok']);
      expect(fake.issuedTokens).toHaveLength(2);
      // Pages a browser opens are not affected (browsers retry by themselves).
      expect((await c.get('/site/Donation2?df_id=1')).status).toBe(200);
      expect((await c.get('/site/Donation2?df_id=1')).status).toBe(200);
    } finally {
      await c.close();
    }
  });
});

describe('stand-in Web Services field shapes', () => {
  const fake = useFakeLuminate();
  let client: TestClient;
  beforeAll(() => {
    client = new TestClient(fake.url);
  });
  afterAll(() => client.close());

  const envelope = (body: string) =>
    `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><Session xmlns="urn:soap.convio.com"><SessionId>gone</SessionId></Session></soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;
  const post = () => client.send('POST', new URL(fake.webServicesUrl).pathname, {
    body: envelope('<GetServerTime xmlns="urn:soap.convio.com"/>'), headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
  });

  it('webServicesSessionFaultWith200 answers a dead session with HTTP 200 and an fns:SESSION fault', async () => {
    fake.faults.webServicesSessionFaultWith200 = true;
    const r = await post();
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/<soap:Fault xmlns:fns="[^"]+"><faultcode>fns:SESSION<\/faultcode><faultstring>[^<]+<\/faultstring><\/soap:Fault>/);
    expect(fake.requests[0]!.outcome).toBe('fault fns:SESSION');
  });

  it('the client meets it as a session fault: it logs in again and retries', async () => {
    fake.faults.webServicesSessionFaultWith200 = true;
    const ws = new LuminateWebServices({ url: fake.webServicesUrl, userName: fake.webServicesLogin.userName, password: fake.webServicesLogin.password }, {});
    try {
      await ws.login();
      fake.expireWebServicesSessions();
      await expect(ws.getServerTime()).resolves.toMatch(/^\d{4}-/);
      expect(fake.requests.map((r) => `${r.apiMethod} ${r.outcome}`)).toEqual(['Login ok', 'GetServerTime fault fns:SESSION', 'Login ok', 'GetServerTime ok']);
    } finally {
      await ws.close();
    }
  });

  it('webServicesNotFound answers 404 with the reason phrase and an HTML body', async () => {
    fake.faults.webServicesNotFound = 'Failed to resolve site: wrongorg';
    const res = await client.open('POST', new URL(fake.webServicesUrl).pathname, { body: envelope('<Login/>'), headers: { 'content-type': 'text/xml' } });
    const text = await readBody(res, 2000);
    expect(res.statusCode).toBe(404);
    expect(res.statusMessage).toBe('Failed to resolve site: wrongorg');
    expect(res.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(text).toMatch(/^<html>.*Failed to resolve site: wrongorg/);
    expect(fake.requests[0]!.outcome).toBe('fault webServicesNotFound');
  });
});
