import { Agent } from 'undici';
import {
  API_KEY, clientFor, NONCE, PASSWORD, rejection, send, startServer, TOKEN, waitFor, xmlError, xmlToken,
  type Handler, type TestServer,
} from './helpers';

let server: TestServer;
let handler: Handler;

beforeAll(async () => {
  server = await startServer((req, res, recorded) => handler(req, res, recorded));
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const fullXml = xmlToken(`<token>${TOKEN}</token><cons_id>1001641</cons_id><nonce>${NONCE}</nonce>` +
  '<routing_id>00000000.appb</routing_id><JSESSIONID>ABCDEF0123</JSESSIONID>');

describe('LuminateClient.getSingleSignOnToken: the request', () => {
  it('POSTs a form body to <secureUrl>/site/SRConsAPI with no query string and no cookie', async () => {
    handler = (_req, res) => send(res, 200, fullXml);
    const client = clientFor(`${server.secureUrl}/`, { source: 'web', subSource: 'donate', centerId: '1010' });
    try {
      await client.getSingleSignOnToken({ consId: '1001641' }, { subSource: 'header-button' });
    } finally {
      await client.close();
    }
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/testorg/site/SRConsAPI');
    expect(request?.headers.cookie).toBeUndefined();
    expect(request?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.headers.accept).toMatch(/xml/);
    expect(request?.headers['user-agent']).toMatch(/^luminate-sso-bridge\//);
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      method: 'getSingleSignOnToken', v: '1.0', api_key: API_KEY, login_name: 'apiadmin', login_password: PASSWORD,
      response_format: 'xml', center_id: '1010', source: 'web', sub_source: 'header-button', cons_id: '1001641',
    });
  });

  it('writes the form byte for byte as URLSearchParams would, whatever the values hold', async () => {
    handler = (_req, res) => send(res, 200, fullXml);
    const awkward = ['p w+d&x=1%2', 'é ü 日本 😀', "!'()*~-._", '\ud800 lone', 'a\r\nb', ' '];
    for (const [i, odd] of awkward.entries()) {
      server.requests.length = 0;
      const name = `admin ${odd.replace(/[\r\n]/g, '')}`; // control characters are refused in these two
      const source = `src ${odd.replace(/[\r\n]/g, '')}`.trimEnd(); // a source has no surrounding spaces (isSourceValue)
      const client = clientFor(server.secureUrl, {
        apiKey: `key${i}`, apiLogin: { name, password: `pw${odd}` }, centerId: '10 10', suppressResponseCodes: i % 2 === 0,
      });
      try {
        await client.callServerApi('getUser', { primary_email: `a+${i}@example.org`, 'field.x_1': odd }, 'getConsResponse', { source }).catch(() => undefined);
      } finally {
        await client.close();
      }
      const expected = new URLSearchParams({
        method: 'getUser', v: '1.0', api_key: `key${i}`, login_name: name, login_password: `pw${odd}`, response_format: 'xml',
        ...(i % 2 === 0 ? { suppress_response_codes: 'true' } : {}), center_id: '10 10', source,
        primary_email: `a+${i}@example.org`, 'field.x_1': odd,
      }).toString();
      expect(server.requests[0]?.body).toBe(expected);
    }
  });

  it('sends member_id, response_format=json and suppress_response_codes=true when configured', async () => {
    handler = (_req, res) => send(res, 200, JSON.stringify({ getSingleSignOnTokenResponse: { token: TOKEN, cons_id: '7' } }), 'text/plain');
    const client = clientFor(server.secureUrl, { responseFormat: 'json', suppressResponseCodes: true });
    try {
      await client.getSingleSignOnToken({ memberId: 'M-00042' });
    } finally {
      await client.close();
    }
    const form = server.requests[0]?.form;
    expect(form?.get('member_id')).toBe('M-00042');
    expect(form?.has('cons_id')).toBe(false);
    expect(form?.get('response_format')).toBe('json');
    expect(form?.get('suppress_response_codes')).toBe('true');
    expect(server.requests[0]?.headers.accept).toMatch(/json/);
  });

  it('reuses one keep-alive connection across calls and releases it on close()', async () => {
    handler = (_req, res) => send(res, 200, fullXml);
    const before = server.connectionCount();
    const client = clientFor(server.secureUrl);
    await client.getSingleSignOnToken({ consId: '1001641' });
    // undici frees the socket a tick after the body ends; a call made at once may open a second one.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.getSingleSignOnToken({ consId: '1001641' });
    expect(server.connectionCount() - before).toBe(1);
    expect(server.openSockets.size).toBe(1);
    await client.close();
    expect(await waitFor(() => server.openSockets.size === 0)).toBe(true);
    expect((await rejection(client.getSingleSignOnToken({ consId: '1' }))).code).toBe('LUMINATE_CLIENT_CLOSED');
    await client.close(); // idempotent
  });

  it('leaves an injected dispatcher open on close()', async () => {
    handler = (_req, res) => send(res, 200, fullXml);
    const dispatcher = new Agent();
    const client = clientFor(server.secureUrl, { dispatcher });
    await client.getSingleSignOnToken({ consId: '1001641' });
    await client.close();
    expect(dispatcher.closed).toBe(false);
    const again = clientFor(server.secureUrl, { dispatcher });
    await expect(again.getSingleSignOnToken({ consId: '1001641' })).resolves.toMatchObject({ consId: '1001641' });
    await dispatcher.close();
  });
});

describe('LuminateClient.getSingleSignOnToken: the reply', () => {
  const call = async (body: string, status = 200, type?: string, ref: { consId: string } | { memberId: string } = { consId: '1001641' }) => {
    handler = (_req, res) => send(res, status, body, type);
    const client = clientFor(server.secureUrl);
    try {
      return await client.getSingleSignOnToken(ref);
    } finally {
      await client.close();
    }
  };

  it('returns every field a newer site sends', async () => {
    await expect(call(fullXml)).resolves.toEqual({
      token: TOKEN, consId: '1001641', nonce: NONCE, routingId: '00000000.appb', jsessionId: 'ABCDEF0123',
    });
  });

  it('leaves optional fields out (no undefined or null keys) when absent, nil or empty', async () => {
    const result = await call(xmlToken(`<token>${TOKEN}</token><cons_id>1001641</cons_id><nonce xsi:nil="true"/><routing_id></routing_id>`));
    expect(Object.keys(result).sort()).toEqual(['consId', 'token']);
  });

  it('keeps leading zeros and accepts 00123 for 123', async () => {
    await expect(call(xmlToken(`<token>t</token><cons_id>00123</cons_id>`), 200, undefined, { consId: '123' }))
      .resolves.toEqual({ token: 't', consId: '00123' });
  });

  it.each([
    ['no token', xmlToken('<cons_id>1001641</cons_id>'), 'LUMINATE_MALFORMED_RESPONSE'],
    ['a nil token', xmlToken('<token xsi:nil="true"/><cons_id>1001641</cons_id>'), 'LUMINATE_MALFORMED_RESPONSE'],
    ['no cons_id', xmlToken(`<token>${TOKEN}</token>`), 'LUMINATE_MALFORMED_RESPONSE'],
    ['two tokens', xmlToken(`<token>${TOKEN}</token><token>other</token><cons_id>1001641</cons_id>`), 'LUMINATE_MALFORMED_RESPONSE'],
    ['a nested token', xmlToken(`<token><a>x</a></token><cons_id>1001641</cons_id>`), 'LUMINATE_MALFORMED_RESPONSE'],
    ['a routing id unfit for a URL', xmlToken(`<token>t</token><cons_id>1001641</cons_id><routing_id>a/b?c</routing_id>`), 'LUMINATE_MALFORMED_RESPONSE'],
    ['another constituent', xmlToken(`<token>${TOKEN}</token><cons_id>999</cons_id>`), 'LUMINATE_UNEXPECTED_RESPONSE'],
    ['an HTML page', '<!DOCTYPE html><html><body>Maintenance</body></html>', 'LUMINATE_UNEXPECTED_RESPONSE'],
    ['truncated XML', fullXml.slice(0, 120), 'LUMINATE_MALFORMED_RESPONSE'],
  ])('refuses a 200 with %s', async (_name, body, code) => {
    expect((await rejection(call(body))).code).toBe(code);
  });

  it('refuses a body that is not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from(xmlToken('<token>')), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('</token><cons_id>1</cons_id>')]);
    handler = (_req, res) => send(res, 200, bytes);
    const client = clientFor(server.secureUrl);
    expect((await rejection(client.getSingleSignOnToken({ consId: '1' }))).code).toBe('LUMINATE_MALFORMED_RESPONSE');
    await client.close();
  });

  it('maps an errorResponse in a 200 (suppress_response_codes) and in a 403', async () => {
    const in200 = await rejection(call(xmlError('2', 'Incorrect API key.')));
    expect(in200).toMatchObject({ code: 'LUMINATE_API_KEY_INVALID', luminateCode: 2, upstreamStatus: 200 });
    const in403 = await rejection(call(JSON.stringify({ errorResponse: { code: '14', message: 'The specified record does not exist.' } }), 403, 'text/plain'));
    expect(in403).toMatchObject({ code: 'LUMINATE_CONSTITUENT_NOT_FOUND', luminateCode: 14, upstreamStatus: 403 });
  });

  it.each([
    [405, 'Method Not Allowed', 'LUMINATE_HTTP_ERROR', undefined],
    [403, 'Forbidden', 'LUMINATE_HTTP_ERROR', undefined],
    [500, '<html><body>Internal Server Error</body></html>', 'LUMINATE_HTTP_ERROR', undefined],
    [503, 'Service Unavailable', 'LUMINATE_HTTP_ERROR', undefined],
    [503, xmlError('1', 'Unable to process request.'), 'LUMINATE_REQUEST_FAILED', 1],
    [302, '', 'LUMINATE_HTTP_ERROR', undefined],
  ])('maps HTTP %d with body %j', async (status, body, code, luminateCode) => {
    const err = await rejection(call(body, status));
    expect(err.code).toBe(code);
    expect(err.upstreamStatus).toBe(status);
    expect(err.status).toBe(502);
    expect(err.luminateCode).toBe(luminateCode);
  });

  it('does not follow redirects', async () => {
    handler = (_req, res) => {
      res.writeHead(302, { location: `${server.origin}/elsewhere` });
      res.end();
    };
    const client = clientFor(server.secureUrl);
    expect((await rejection(client.getSingleSignOnToken({ consId: '1' }))).upstreamStatus).toBe(302);
    await client.close();
    expect(server.requests.map((r) => r.url)).toEqual(['/testorg/site/SRConsAPI']);
  });
});

describe('LuminateClient: argument checks', () => {
  const client = clientFor('http://127.0.0.1:9/org');
  afterAll(() => client.close());

  it.each([
    ['both ids', { consId: '1', memberId: '2' }],
    ['neither id', {}],
    ['an empty id', { consId: '' }],
    ['an id with spaces around it', { memberId: ' 42 ' }],
    ['a non-string id', { consId: 42 }],
    ['an id longer than 255', { consId: '1'.repeat(256) }],
    ['an id with a control character', { memberId: 'a\nb' }],
    ['no ref at all', undefined],
  ])('refuses %s without calling Luminate', async (_name, ref) => {
    const err = await rejection(client.getSingleSignOnToken(ref as never));
    expect(err.code).toBe('LUMINATE_INVALID_ARGUMENT');
  });

  it('refuses reserved or odd parameters, method names and call options in callServerApi', async () => {
    const codes = await Promise.all([
      rejection(client.callServerApi('getUser', { login_password: 'x' }, 'getConsResponse')),
      rejection(client.callServerApi('getUser', { 'a b': 'x' }, 'getConsResponse')),
      rejection(client.callServerApi('get User', {}, 'getConsResponse')),
      rejection(client.callServerApi('getUser', {}, '')),
      rejection(client.callServerApi('getUser', { cons_id: 1 as unknown as string }, 'getConsResponse')),
      rejection(client.callServerApi('getUser', {}, 'getConsResponse', { signal: 'no' as unknown as AbortSignal })),
      rejection(client.callServerApi('getUser', {}, 'getConsResponse', { source: '' })),
      // the same rule as the options' source (isSourceValue): no surrounding spaces, printable only
      rejection(client.callServerApi('getUser', {}, 'getConsResponse', { source: ' spaced ' })),
      rejection(client.callServerApi('getUser', {}, 'getConsResponse', { subSource: 'a\u200bb' })),
    ]);
    expect(codes.map((e) => e.code)).toEqual(Array(9).fill('LUMINATE_INVALID_ARGUMENT'));
  });

  it('takes only a real AbortSignal as options.signal (AbortSignal.any joins it with the deadline)', async () => {
    const lookAlike = { aborted: false, reason: undefined, addEventListener: () => undefined, removeEventListener: () => undefined };
    const err = await rejection(client.getSingleSignOnToken({ consId: '1001641' }, { signal: lookAlike as unknown as AbortSignal }));
    expect(err.code).toBe('LUMINATE_INVALID_ARGUMENT');
    expect(err.message).toBe('options.signal must be an AbortSignal');
  });
});

describe('LuminateClient.callServerApi', () => {
  it('returns the root record of any method', async () => {
    handler = (_req, res) => send(res, 200, '{"getConsResponse":{"cons_id":"1001172","name":{"first":"Ann","last":null}}}', 'text/plain');
    const client = clientFor(server.secureUrl, { responseFormat: 'json' });
    try {
      const record = await client.callServerApi('getUser', { primary_email: 'ann@example.org', fields: 'name.first' }, 'getConsResponse');
      expect(JSON.parse(JSON.stringify(record))).toEqual({ cons_id: '1001172', name: { first: 'Ann', last: null } });
    } finally {
      await client.close();
    }
    expect(server.requests[0]?.form.get('primary_email')).toBe('ann@example.org');
    expect(server.requests[0]?.form.get('method')).toBe('getUser');
  });
});
