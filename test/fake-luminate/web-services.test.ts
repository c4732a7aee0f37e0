import { createFakeLuminate, type FakeLuminateOptions } from '../../src/testing';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { TestClient, xmlField } from './helpers';

const ENVELOPE_START = '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">';

function soap(operation: string, content: string, sessionId?: string): string {
  const header = sessionId === undefined ? '' : `<soap:Header><Session xmlns="urn:soap.convio.com"><SessionId>${sessionId}</SessionId></Session></soap:Header>`;
  return `${ENVELOPE_START}${header}<soap:Body><${operation} xmlns="urn:soap.convio.com">${content}</${operation}></soap:Body></soap:Envelope>`;
}

let clock = 1_700_000_000_000;
const fake = useFakeLuminate({ now: () => clock });
let client: TestClient;
let path: string;

function post(body: string): ReturnType<TestClient['send']> {
  return client.send('POST', path, { body, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' } });
}

async function login(): Promise<string> {
  const r = await post(soap('Login', `<UserName>${fake.webServicesLogin.userName}</UserName><Password>${fake.webServicesLogin.password}</Password>`));
  expect(r.status).toBe(200);
  return xmlField(r.text, 'SessionId')!;
}

beforeAll(() => {
  client = new TestClient(fake.url);
  path = new URL(fake.webServicesUrl).pathname;
});
afterAll(() => client.close());

describe('stand-in Web Services (SOAP)', () => {
  it('lives at <url>/1.0<orgPath> with documented default credentials', () => {
    expect(fake.webServicesUrl).toBe(`${fake.url}/1.0/fakeorg`);
    expect(fake.webServicesLogin).toEqual({ userName: 'wsadmin', password: 'fake-ws-password' });
  });

  it('answers Login like the vendor\'s example, with a SessionId of the same form', async () => {
    const r = await post(soap('Login', '<UserName>wsadmin</UserName><Password>fake-ws-password</Password>'));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/xml;charset=UTF-8');
    expect(r.text).toMatch(/<soap:Body><LoginResponse xmlns="urn:soap.convio.com"><Result><SessionId>[^<]+<\/SessionId><\/Result><\/LoginResponse><\/soap:Body>/);
    const id = xmlField(r.text, 'SessionId')!;
    expect(id).toMatch(/^[0-9a-f]{40}:JSESSIONID=[A-Za-z0-9_-]+:10000100:\d{4}-\d\d-\d\dT/);
    expect(fake.webServicesSessions.get(id)).toBe(clock);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/1.0/fakeorg', apiMethod: 'Login', outcome: 'ok' });
  });

  it('answers wrong credentials with a LoginFault (HTTP 500)', async () => {
    const r = await post(soap('Login', '<UserName>wsadmin</UserName><Password>nope</Password>'));
    expect(r.status).toBe(500);
    expect(r.text).toContain('<soap:Fault><faultcode>soap:Client</faultcode>');
    expect(r.text).toContain('<detail><LoginFault xmlns="urn:fault.soap.convio.com"><ExceptionCode>LOGIN_FAILED</ExceptionCode>');
    expect(fake.requests.at(-1)!.outcome).toBe('fault LoginFault');
    expect(fake.webServicesSessions.size).toBe(0);
  });

  it('answers GetServerTime only with a live SessionId in the header', async () => {
    const id = await login();
    const ok = await post(soap('GetServerTime', '', id));
    expect(ok.status).toBe(200);
    expect(xmlField(ok.text, 'Result')).toBe(new Date(clock).toISOString());
    for (const header of [undefined, 'made-up-session']) {
      const refused = await post(soap('GetServerTime', '', header));
      expect(refused.status).toBe(500);
      expect(refused.text).toContain('<SessionFault xmlns="urn:fault.soap.convio.com"><ExceptionCode>INVALID_SESSION_ID</ExceptionCode>');
    }
    expect(fake.requests.map((r) => `${r.apiMethod} ${r.outcome}`)).toEqual([
      'Login ok', 'GetServerTime ok', 'GetServerTime fault SessionFault', 'GetServerTime fault SessionFault',
    ]);
  });

  it('expires a session after sessionIdleMs of inactivity, each use restarting the clock', async () => {
    const id = await login();
    clock += 29 * 60 * 1000;
    expect((await post(soap('GetServerTime', '', id))).status).toBe(200);
    clock += 29 * 60 * 1000;
    expect((await post(soap('GetServerTime', '', id))).status).toBe(200);
    clock += 30 * 60 * 1000;
    expect((await post(soap('GetServerTime', '', id))).status).toBe(500);
    expect(fake.webServicesSessions.has(id)).toBe(false);
  });

  it('expireWebServicesSessions() and reset() end every session', async () => {
    const id = await login();
    fake.expireWebServicesSessions();
    expect((await post(soap('GetServerTime', '', id))).status).toBe(500);
    await login();
    fake.reset();
    expect(fake.webServicesSessions.size).toBe(0);
  });

  it.each<[string, string]>([
    ['not XML', 'hello'],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY a "b">]>${soap('Login', '<UserName>&a;</UserName>')}`],
    ['no envelope', '<Login><UserName>a</UserName></Login>'],
    ['two operations', `${ENVELOPE_START}<soap:Body><Login/><Logout/></soap:Body></soap:Envelope>`],
  ])('answers %s with a soap:Client fault', async (_n, body) => {
    const r = await post(body);
    expect(r.status).toBe(500);
    expect(r.text).toContain('<faultcode>soap:Client</faultcode>');
    expect(fake.requests.at(-1)!.outcome).toBe('fault Client');
  });

  it('answers an operation it does not know with a soap:Client fault', async () => {
    const id = await login();
    const r = await post(soap('Query', '<QueryString>x</QueryString>', id));
    expect(r.status).toBe(500);
    expect(r.text).toContain('does not implement Query');
  });

  it('refuses other verbs with 405', async () => {
    const r = await client.get(path);
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('POST');
  });

  it('takes other credentials and idle time from options', async () => {
    let t = 0;
    const custom = await createFakeLuminate({ orgPath: '', now: () => t, webServices: { userName: 'ops', password: 'ops-pass', sessionIdleMs: 1000 } });
    const c = new TestClient(custom.url);
    try {
      expect(custom.webServicesUrl).toBe(`${custom.url}/1.0`);
      const r = await c.send('POST', '/1.0', { body: soap('Login', '<UserName>ops</UserName><Password>ops-pass</Password>'), headers: { 'content-type': 'text/xml' } });
      const id = xmlField(r.text, 'SessionId')!;
      t += 1000;
      const late = await c.send('POST', '/1.0', { body: soap('GetServerTime', '', id), headers: { 'content-type': 'text/xml' } });
      expect(late.status).toBe(500);
    } finally {
      await c.close();
      await custom.close();
    }
  });

  it.each<[string, FakeLuminateOptions, RegExp]>([
    ['an unknown key', { webServices: { userName: 'a', password: 'b', idle: 1 } as unknown as FakeLuminateOptions['webServices'] }, /`webServices\.idle` is unknown/],
    ['no password', { webServices: { userName: 'a' } as unknown as FakeLuminateOptions['webServices'] }, /`webServices\.password` must be a non-empty string/],
    ['a zero idle time', { webServices: { userName: 'a', password: 'b', sessionIdleMs: 0 } }, /`webServices\.sessionIdleMs`/],
  ])('refuses %s in options.webServices', async (_n, options, message) => {
    await expect(createFakeLuminate(options)).rejects.toThrow(message);
  });
});
