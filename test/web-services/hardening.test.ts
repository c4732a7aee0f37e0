import { LuminateWebServices } from '../../src/web-services';
import type { LuminateWebServicesOptions } from '../../src/web-services';
import { rejection, send, startServer, type Handler, type TestServer } from '../client/helpers';
import { fault, loginReply, SESSION_ID, soapEnvelope } from './helpers';

const PASSWORD = 'ws-Secret-Pw-42';
let server: TestServer;
let handler: Handler;

beforeAll(async () => {
  server = await startServer((req, res, recorded) => handler(req, res, recorded));
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

function ws(overrides: LuminateWebServicesOptions = {}): LuminateWebServices {
  return new LuminateWebServices({ url: `${server.origin}/1.0/testorg`, userName: 'wsadmin', password: PASSWORD, timeoutMs: 2000, ...overrides }, {});
}

/** Answers Login with a session, and anything else with `answer`. */
function afterLogin(answer: Handler): Handler {
  return (req, res, recorded) => (recorded.body.includes('<Login ') ? send(res, 200, loginReply()) : answer(req, res, recorded));
}

const timeReply = soapEnvelope('<GetServerTimeResponse xmlns="urn:soap.convio.com"><Result>2024-05-01T10:00:00.000Z</Result></GetServerTimeResponse>');

describe('the request', () => {
  it('is a SOAP 1.1 envelope: Login in urn:soap.convio.com, then the SessionId in the header', async () => {
    handler = afterLogin((_q, res) => send(res, 200, soapEnvelope('<QueryResponse xmlns="urn:soap.convio.com"><Result><Record><ConsId>00123</ConsId></Record></Result></QueryResponse>')));
    const client = ws();
    const result = await client.call('Query', { QueryString: "select ConsId from Constituent where Name = 'A&B <x>'", Page: '1', Filter: { Field: ['a', 'b'] } });
    await client.close();
    expect(result).toEqual({ Result: { Record: { ConsId: '00123' } } }); // ids stay strings
    const [login, query] = server.requests;
    expect(login!.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(login!.body).toContain('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">');
    expect(login!.body).toContain(`<soap:Body><Login xmlns="urn:soap.convio.com"><UserName>wsadmin</UserName><Password>${PASSWORD}</Password></Login></soap:Body>`);
    expect(login!.body).not.toContain('<soap:Header>');
    expect(query!.body).toContain(`<soap:Header><Session xmlns="urn:soap.convio.com"><SessionId>${SESSION_ID}</SessionId></Session></soap:Header>`);
    expect(query!.body).toContain('<QueryString>select ConsId from Constituent where Name = &apos;A&amp;B &lt;x&gt;&apos;</QueryString><Page>1</Page><Filter><Field>a</Field><Field>b</Field></Filter>');
    expect(query!.body).not.toContain(PASSWORD);
  });

  it('passes a caller\'s well-formed XML fragment through as the operation content', async () => {
    handler = afterLogin((_q, res) => send(res, 200, timeReply.replace(/GetServerTime/g, 'Retrieve')));
    const client = ws();
    await client.call('Retrieve', '<RecordType>Constituent</RecordType><Ids><Id>1</Id></Ids>');
    await client.close();
    expect(server.requests[1]!.body).toContain('<Retrieve xmlns="urn:soap.convio.com"><RecordType>Constituent</RecordType><Ids><Id>1</Id></Ids></Retrieve>');
  });

  it.each<[string, (client: LuminateWebServices) => Promise<unknown>]>([
    ['a DOCTYPE in the body XML', (c) => c.call('Query', '<!DOCTYPE x [<!ENTITY a "b">]><Q>&a;</Q>')],
    ['a processing instruction', (c) => c.call('Query', '<?xml-stylesheet x?><Q/>')],
    ['an unclosed element', (c) => c.call('Query', '<Q>')],
    ['a fragment that closes the operation', (c) => c.call('Query', '</Query><Evil/><Query>')],
    ['an element name with a prefix', (c) => c.call('Query', { 'soap:Header': 'x' })],
    ['an element name with a space', (c) => c.call('Query', { 'A B': 'x' })],
    ['a number value', (c) => c.call('Query', { Page: 1 as unknown as string })],
    ['a control character', (c) => c.call('Query', { Q: 'a\u0001b' })],
    ['an operation name with markup', (c) => c.call('Query><x', {})],
    ['Login through call()', (c) => c.call('Login', {})],
  ])('refuses %s with LUMINATE_INVALID_ARGUMENT, sending nothing', async (_n, attempt) => {
    handler = (_q, res) => send(res, 200, loginReply());
    const client = ws();
    const err = await rejection(attempt(client));
    await client.close();
    expect(err.code).toBe('LUMINATE_INVALID_ARGUMENT');
    expect(server.requests).toHaveLength(0);
  });
});

describe('call options', () => {
  it('refuses a signal that only looks like one, as LuminateClient does: LUMINATE_INVALID_ARGUMENT, nothing sent', async () => {
    handler = afterLogin((_req, res) => send(res, 200, timeReply));
    const client = ws();
    try {
      const fakeSignal = { aborted: false, addEventListener() {}, removeEventListener() {} } as unknown as AbortSignal;
      expect((await rejection(client.call('GetServerTime', {}, { signal: fakeSignal }))).code).toBe('LUMINATE_INVALID_ARGUMENT');
      expect((await rejection(client.login({ signal: fakeSignal }))).code).toBe('LUMINATE_INVALID_ARGUMENT');
      expect(server.requests).toHaveLength(0);
    } finally {
      await client.close();
    }
  });
});

describe('hostile and broken replies', () => {
  const billionLaughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' +
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><LoginResponse><Result><SessionId>&lol2;</SessionId></Result></LoginResponse></soap:Body></soap:Envelope>`;
  const cases: Array<[string, Handler, string, RegExp?, LuminateWebServicesOptions?]> = [
    ['a DOCTYPE (entity expansion)', (_q, res) => send(res, 200, billionLaughs), 'LUMINATE_MALFORMED_RESPONSE', /DOCTYPE or ENTITY declaration; refused/, undefined],
    ['a DOCTYPE in a 500 fault', (_q, res) => send(res, 500, billionLaughs), 'LUMINATE_MALFORMED_RESPONSE', /DOCTYPE/, undefined],
    ['an external entity', (_q, res) => send(res, 200, `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${loginReply()}`), 'LUMINATE_MALFORMED_RESPONSE', /DOCTYPE/, undefined],
    ['truncated XML', (_q, res) => send(res, 200, loginReply().slice(0, 120)), 'LUMINATE_MALFORMED_RESPONSE', /not well-formed/, undefined],
    ['an HTML maintenance page', (_q, res) => send(res, 200, '<!DOCTYPE html><html><body>Down</body></html>', 'text/html'), 'LUMINATE_UNEXPECTED_RESPONSE', /SOAP envelope/, undefined],
    ['a 503 text page', (_q, res) => send(res, 503, 'Service Unavailable', 'text/plain'), 'LUMINATE_HTTP_ERROR', /HTTP 503/, undefined],
    ['a 404 HTML page', (_q, res) => send(res, 404, '<html><body>Not found</body></html>', 'text/html'), 'LUMINATE_HTTP_ERROR', /HTTP 404/, undefined],
    ['an empty 200', (_q, res) => send(res, 200, ''), 'LUMINATE_MALFORMED_RESPONSE', /empty body/, undefined],
    ['XML that is no envelope', (_q, res) => send(res, 200, '<errorResponse><code>1</code></errorResponse>'), 'LUMINATE_UNEXPECTED_RESPONSE', /not a SOAP envelope/, undefined],
    ['another element in the Body', (_q, res) => send(res, 200, soapEnvelope('<LogoutResponse/>')), 'LUMINATE_UNEXPECTED_RESPONSE', /"LogoutResponse" where "LoginResponse"/, undefined],
    ['a reply without SessionId', (_q, res) => send(res, 200, soapEnvelope('<LoginResponse><Result/></LoginResponse>')), 'LUMINATE_MALFORMED_RESPONSE', /no "SessionId"/, undefined],
    ['a SessionId that is the text null (seen in the field for missing values)', (_q, res) => send(res, 200, loginReply('null')), 'LUMINATE_MALFORMED_RESPONSE', /no "SessionId"/, undefined],
    ['two SessionIds', (_q, res) => send(res, 200, soapEnvelope('<LoginResponse><Result><SessionId>a1</SessionId><SessionId>b2</SessionId></Result></LoginResponse>')), 'LUMINATE_MALFORMED_RESPONSE', /more than once/, undefined],
    ['a SessionId with a space', (_q, res) => send(res, 200, loginReply('abc def')), 'LUMINATE_MALFORMED_RESPONSE', /not in the expected form/, undefined],
    ['a server fault during Login', (_q, res) => send(res, 500, fault('UnexpectedErrorFault', 'Internal error', 'soap:Server')), 'LUMINATE_WS_FAULT', /UnexpectedErrorFault: Internal error \[soap:Server, X\]/, undefined],
    ['a SOAP 1.2 fault', (_q, res) => send(res, 500, soapEnvelope('<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code><soap:Reason><soap:Text>Bad login</soap:Text></soap:Reason></soap:Fault>')), 'LUMINATE_WS_LOGIN_FAULT', /SOAP fault: Bad login \[soap:Sender\]/, undefined],
    ['an oversized reply', (_q, res) => send(res, 200, loginReply().replace('<Result>', `<Result>${' '.repeat(5000)}`)), 'LUMINATE_RESPONSE_TOO_LARGE', undefined, { maxResponseBytes: 1000 }],
    ['no answer', () => undefined, 'LUMINATE_TIMEOUT', undefined, { timeoutMs: 300 }],
    ['a reset', (req) => req.socket.destroy(), 'LUMINATE_CONNECTION_RESET', undefined, undefined],
  ];

  it.each(cases)('refuses %s', async (_n, answer, code, message, overrides) => {
    handler = answer;
    const client = ws(overrides);
    const err = await rejection(client.login());
    await client.close();
    expect(err.code).toBe(code);
    if (message) expect(err.message).toMatch(message);
    expect(client.hasFreshSession).toBe(false);
  });

  it('drops prototype-polluting element names', async () => {
    handler = afterLogin((_q, res) => send(res, 200, soapEnvelope('<QResponse><__proto__><polluted>yes</polluted></__proto__><constructor>x</constructor><A>1</A></QResponse>')));
    const client = ws();
    const result = await client.call('Q');
    await client.close();
    expect(Object.keys(result)).toEqual(['A']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads a session fault in another shape (detail name or faultstring) and retries once', async () => {
    let calls = 0;
    handler = afterLogin((_q, res) => {
      calls += 1;
      if (calls === 1) send(res, 500, soapEnvelope('<soap:Fault><faultcode>soap:Client</faultcode><faultstring>INVALID_SESSION_ID: not logged in</faultstring></soap:Fault>'));
      else send(res, 200, timeReply);
    });
    const client = ws();
    expect(await client.getServerTime()).toBe('2024-05-01T10:00:00.000Z');
    await client.close();
    expect(server.requests.map((r) => (r.body.includes('<Login ') ? 'Login' : 'call'))).toEqual(['Login', 'call', 'Login', 'call']);
  });

  it('never retries another fault', async () => {
    handler = afterLogin((_q, res) => send(res, 500, fault('ValidationFault', 'Bad query')));
    const client = ws();
    const err = await rejection(client.call('Query', { QueryString: 'x' }));
    await client.close();
    expect(err.code).toBe('LUMINATE_WS_FAULT');
    expect(server.requests).toHaveLength(2);
  });

  it('lets a caller stop waiting for a shared Login without failing the others', async () => {
    let release: (() => void) | undefined;
    handler = (_q, res, recorded) => {
      if (recorded.body.includes('<Login ')) release = () => send(res, 200, loginReply());
      else send(res, 200, timeReply);
    };
    const client = ws();
    const controller = new AbortController();
    const impatient = client.getServerTime({ signal: controller.signal });
    const patient = client.getServerTime();
    for (let i = 0; i < 100 && release === undefined; i += 1) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    expect((await rejection(impatient)).code).toBe('LUMINATE_ABORTED');
    release!();
    expect(await patient).toBe('2024-05-01T10:00:00.000Z');
    await client.close();
    expect(server.requests.filter((r) => r.body.includes('<Login ')).length).toBe(1);
  });
});
