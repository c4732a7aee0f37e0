import { parseLuminateResponse, readErrorResponse } from '../../src/luminate/parse-response';
import { toSingleSignOnToken } from '../../src/luminate/sso-token';
import { readRequiredId } from '../../src/luminate/values';
import { isLuminateError, type LuminateError } from '../../src/errors';

const ROOT = 'getSingleSignOnTokenResponse';

function failure(fn: () => unknown): LuminateError {
  try {
    fn();
  } catch (err) {
    if (isLuminateError(err)) return err;
    throw err;
  }
  throw new Error('expected a LuminateError');
}

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('parseLuminateResponse: XML', () => {
  it.each(['http://convio.com/crm/v1', 'http://convio.com/crm/v1.0'])('reads a token reply in namespace %s', (ns) => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<getSingleSignOnTokenResponse xmlns="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://convio.com/crm/v1.0 http://service.convio.net/xmlschema/crm.public.v1.xsd">
  <token>abc_DEF..</token>
  <cons_id>1001641</cons_id>
</getSingleSignOnTokenResponse>`;
    expect(plain(parseLuminateResponse(body, 'xml', ROOT))).toEqual({ token: 'abc_DEF..', cons_id: '1001641' });
  });

  it('reads prefixed element names', () => {
    const body = `<c:getSingleSignOnTokenResponse xmlns:c="http://convio.com/crm/v1.0"><c:token>t</c:token><c:cons_id>7</c:cons_id></c:getSingleSignOnTokenResponse>`;
    expect(plain(parseLuminateResponse(body, 'xml', ROOT))).toEqual({ token: 't', cons_id: '7' });
  });

  it('keeps ids and tokens as strings (leading zeros, exponent-like, hex-like)', () => {
    const body = `<getSingleSignOnTokenResponse><token>1e5</token><cons_id>00123</cons_id><routing_id>0x1F</routing_id></getSingleSignOnTokenResponse>`;
    expect(plain(parseLuminateResponse(body, 'xml', ROOT))).toEqual({ token: '1e5', cons_id: '00123', routing_id: '0x1F' });
  });

  it('turns xsi:nil into null and keeps empty elements as empty strings', () => {
    const body = `<loginResponse xmlns="http://convio.com/crm/v1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <cons_id>1001002</cons_id><token xsi:nil="true"/><nonce xsi:nil="true"></nonce><JSESSIONID/></loginResponse>`;
    expect(plain(parseLuminateResponse(body, 'xml', 'loginResponse'))).toEqual({ cons_id: '1001002', token: null, nonce: null, JSESSIONID: '' });
  });

  it('decodes the predefined entities and character references, but not inside CDATA', () => {
    const body = `<getConsResponse><name><first>Ann &amp; Bob &#233;&#xe9;</first></name><note><![CDATA[a &amp; <b>]]></note></getConsResponse>`;
    expect(plain(parseLuminateResponse(body, 'xml', 'getConsResponse'))).toEqual({
      name: { first: 'Ann & Bob éé' }, note: 'a &amp; <b>',
    });
  });

  it('returns null-prototype records', () => {
    const record = parseLuminateResponse(`<getConsResponse><name><first>A</first></name></getConsResponse>`, 'xml', 'getConsResponse');
    expect(Object.getPrototypeOf(record)).toBeNull();
    expect(Object.getPrototypeOf(record.name)).toBeNull();
  });

  it('keeps repeated elements as arrays (the client refuses them for scalar fields)', () => {
    const body = `<getSingleSignOnTokenResponse><token>a</token><token>b</token><cons_id>1</cons_id></getSingleSignOnTokenResponse>`;
    expect(plain(parseLuminateResponse(body, 'xml', ROOT))).toEqual({ token: ['a', 'b'], cons_id: '1' });
  });

  it('turns a root holding only text into { content }', () => {
    const body = `<singleSignOnMethodResponse xmlns="http://convio.com/crm/v1.0">9dlp0oxn21.app8007</singleSignOnMethodResponse>`;
    expect(plain(parseLuminateResponse(body, 'xml', 'singleSignOnMethodResponse'))).toEqual({ content: '9dlp0oxn21.app8007' });
  });

  it('drops __proto__, constructor and prototype elements without touching Object.prototype', () => {
    const body = `<getConsResponse><__proto__><polluted>yes</polluted></__proto__><constructor><prototype><polluted>yes</polluted></prototype></constructor><cons_id>1</cons_id></getConsResponse>`;
    const record = parseLuminateResponse(body, 'xml', 'getConsResponse');
    expect(plain(record)).toEqual({ cons_id: '1' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseLuminateResponse: JSON', () => {
  it('reads a token reply, with null fields', () => {
    const body = '{"getSingleSignOnTokenResponse":{"cons_id":"00123","token":"t..","nonce":null,"routing_id":"00000000.appb"}}';
    expect(plain(parseLuminateResponse(body, 'json', ROOT))).toEqual({ cons_id: '00123', token: 't..', nonce: null, routing_id: '00000000.appb' });
  });

  it('turns stray numbers and booleans into strings', () => {
    const body = '{"getConsResponse":{"cons_id":1001172,"active":true,"list":[1,"2"]}}';
    expect(plain(parseLuminateResponse(body, 'json', 'getConsResponse'))).toEqual({ cons_id: '1001172', active: 'true', list: ['1', '2'] });
  });

  it('accepts both shapes of singleSignOnMethodResponse', () => {
    expect(plain(parseLuminateResponse('{"singleSignOnMethodResponse":"x.app1"}', 'json', 'singleSignOnMethodResponse'))).toEqual({ content: 'x.app1' });
    expect(plain(parseLuminateResponse('{"singleSignOnMethodResponse":{"content":"x.app1"}}', 'json', 'singleSignOnMethodResponse'))).toEqual({ content: 'x.app1' });
  });

  it('drops __proto__, constructor and prototype keys at any depth', () => {
    const body = '{"getConsResponse":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"name":{"__proto__":{"x":"1"},"first":"A"}}}';
    const record = parseLuminateResponse(body, 'json', 'getConsResponse');
    expect(plain(record)).toEqual({ name: { first: 'A' } });
    expect(Object.getPrototypeOf(record)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses JSON nested absurdly deep', () => {
    const body = `{"getConsResponse":${'['.repeat(200)}${']'.repeat(200)}}`;
    expect(failure(() => parseLuminateResponse(body, 'json', 'getConsResponse')).code).toBe('LUMINATE_MALFORMED_RESPONSE');
  });
});

describe('parseLuminateResponse: errorResponse', () => {
  const cases: Array<[string, string, string, number | undefined]> = [
    ['<errorResponse xmlns="http://convio.com/crm/v1"><code>2</code><message>Incorrect API key.</message></errorResponse>', 'LUMINATE_API_KEY_INVALID', 'Incorrect API key.', 2],
    ['{"errorResponse":{"code":"3","message":"Authorization failed."}}', 'LUMINATE_AUTH_FAILED', 'Authorization failed.', 3],
    ['{"errorResponse":{"code":"4","message":"Not allowed from this IP."}}', 'LUMINATE_IP_NOT_ALLOWED', 'Not allowed', 4],
    ['{"errorResponse":{"code":"8","message":"More than one record matched."}}', 'LUMINATE_AMBIGUOUS_MEMBER_ID', 'More than one', 8],
    ['{"errorResponse":{"code":"16","message":"Constituent not found."}}', 'LUMINATE_CONSTITUENT_NOT_FOUND', 'not found', 16],
    ['<errorResponse><code>14</code><message>The specified record does not exist.</message></errorResponse>', 'LUMINATE_CONSTITUENT_NOT_FOUND', 'does not exist', 14],
    ['<errorResponse><code>14</code><message>Method not allowed.</message></errorResponse>', 'LUMINATE_METHOD_NOT_ALLOWED', 'Method not allowed', 14],
    ['{"errorResponse":{"code":"1","message":"Unable to process request."}}', 'LUMINATE_REQUEST_FAILED', 'Unable to process', 1],
    ['{"errorResponse":{"code":"1","message":"No record found for member_id."}}', 'LUMINATE_CONSTITUENT_NOT_FOUND', 'No record found', 1],
    ['{"errorResponse":{"code":"99","message":"Something new."}}', 'LUMINATE_API_ERROR', 'Something new', 99],
    ['{"errorResponse":{"code":"","message":""}}', 'LUMINATE_API_ERROR', 'no code', undefined],
  ];
  it.each(cases)('%s → %s', (body, code, text, luminateCode) => {
    const err = failure(() => parseLuminateResponse(body, 'xml', ROOT, { status: 403 }));
    expect(err.code).toBe(code);
    expect(err.luminateCode).toBe(luminateCode);
    expect(err.upstreamStatus).toBe(403);
    expect(err.message).toContain(text);
  });

  it('sanitises Luminate text: control characters, length, and secrets to redact', () => {
    const long = `bad\u0000\u001b[31m key\u202e ${'x'.repeat(500)} hunter22`;
    const err = failure(() => parseLuminateResponse(JSON.stringify({ errorResponse: { code: '2', message: long } }), 'json', ROOT, { redact: ['hunter22'] }));
    expect(err.message).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(err.message.length).toBeLessThan(260);
    expect(err.message).not.toContain('hunter22');
  });

  it('readErrorResponse finds an errorResponse and ignores anything else', () => {
    expect(readErrorResponse('{"errorResponse":{"code":"2","message":"k"}}', 'json', { status: 503 })?.code).toBe('LUMINATE_API_KEY_INVALID');
    expect(readErrorResponse('Service Unavailable', 'xml')).toBeUndefined();
    expect(readErrorResponse(`<${ROOT}><token>t</token></${ROOT}>`, 'xml')).toBeUndefined();
  });
});

describe('parseLuminateResponse: hostile and unexpected bodies', () => {
  const code = (body: string, format: 'xml' | 'json' = 'xml'): string => failure(() => parseLuminateResponse(body, format, ROOT)).code;

  it('refuses an HTML page as unexpected', () => {
    expect(code('<!DOCTYPE html><html><body>Down for maintenance</body></html>')).toBe('LUMINATE_UNEXPECTED_RESPONSE');
    expect(code('\n  <html lang="en"><head></head></html>', 'json')).toBe('LUMINATE_UNEXPECTED_RESPONSE');
  });

  it('refuses another root element as unexpected', () => {
    expect(code('<loginResponse><cons_id>1</cons_id></loginResponse>')).toBe('LUMINATE_UNEXPECTED_RESPONSE');
    expect(code('{"loginResponse":{"cons_id":"1"}}', 'json')).toBe('LUMINATE_UNEXPECTED_RESPONSE');
  });

  it('refuses a billion-laughs DOCTYPE before parsing', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><${ROOT}><token>&lol2;</token></${ROOT}>`;
    expect(code(bomb)).toBe('LUMINATE_MALFORMED_RESPONSE');
  });

  it('refuses an external entity', () => {
    const xxe = `<?xml version="1.0"?><!doctype r [<!entity xxe SYSTEM "file:///etc/passwd">]><${ROOT}><token>&xxe;</token></${ROOT}>`;
    expect(code(xxe)).toBe('LUMINATE_MALFORMED_RESPONSE');
    expect(code(`<${ROOT}><token>t</token><!ENTITY x "y"></${ROOT}>`)).toBe('LUMINATE_MALFORMED_RESPONSE');
  });

  it('refuses truncated XML and truncated JSON', () => {
    expect(code(`<${ROOT}><token>abc</token><cons_id>1`)).toBe('LUMINATE_MALFORMED_RESPONSE');
    expect(code(`{"${ROOT}":{"token":"abc"`, 'json')).toBe('LUMINATE_MALFORMED_RESPONSE');
  });

  it('does not quote the body in parse errors (it may hold a token)', () => {
    const err = failure(() => parseLuminateResponse('{"getSingleSignOnTokenResponse":{"token":"SECRETTOKEN"', 'json', ROOT));
    expect(err.message).not.toContain('SECRETTOKEN');
  });

  it('refuses empty bodies, non-XML/JSON text, several roots and JSON that is not one object', () => {
    expect(code('   ')).toBe('LUMINATE_MALFORMED_RESPONSE');
    expect(code('Internal error')).toBe('LUMINATE_MALFORMED_RESPONSE');
    expect(code(`<${ROOT}/><${ROOT}/>`)).toBe('LUMINATE_MALFORMED_RESPONSE');
    expect(code('[1,2]', 'json')).toBe('LUMINATE_MALFORMED_RESPONSE');
    expect(code(`{"${ROOT}":{},"other":{}}`, 'json')).toBe('LUMINATE_MALFORMED_RESPONSE');
  });

  it('parses by what the body is: JSON where XML was asked, and XML where JSON was asked', () => {
    expect(plain(parseLuminateResponse(`{"${ROOT}":{"token":"t","cons_id":"1"}}`, 'xml', ROOT))).toEqual({ token: 't', cons_id: '1' });
    expect(plain(parseLuminateResponse(`<${ROOT}><token>t</token><cons_id>1</cons_id></${ROOT}>`, 'json', ROOT))).toEqual({ token: 't', cons_id: '1' });
    expect(failure(() => parseLuminateResponse('<errorResponse><code>2</code><message>m</message></errorResponse>', 'json', ROOT)).code)
      .toBe('LUMINATE_API_KEY_INVALID');
  });

  it('ignores a UTF-8 byte-order mark', () => {
    expect(plain(parseLuminateResponse(`\uFEFF<${ROOT}><token>t</token></${ROOT}>`, 'xml', ROOT))).toEqual({ token: 't' });
  });
});

describe('empty and sentinel values (issue 16 §2, seen in the field)', () => {
  it('JSON {} is absent, like null, wherever it appears (getUser, create)', () => {
    const getUser = '{"getConsResponse":{"cons_id":"1001172","email":{"primary_address":"a@example.org","secondary_address":{}},"name":{"first":{},"last":"L"},"street1":{}}}';
    expect(plain(parseLuminateResponse(getUser, 'json', 'getConsResponse'))).toEqual({
      cons_id: '1001172', email: { primary_address: 'a@example.org', secondary_address: null }, name: { first: null, last: 'L' }, street1: null,
    });
    const failed = failure(() => readRequiredId(parseLuminateResponse('{"createConsResponse":{"cons_id":{}}}', 'json', 'createConsResponse'), 'cons_id', 'createConsResponse'));
    expect(failed.code).toBe('LUMINATE_MALFORMED_RESPONSE');
  });

  it('JSON {} reads the same as <x/>, xsi:nil and null in the token reply', () => {
    const shapes = [
      '{"getSingleSignOnTokenResponse":{"token":"t","cons_id":"1","nonce":{},"routing_id":{},"JSESSIONID":{}}}',
      '{"getSingleSignOnTokenResponse":{"token":"t","cons_id":"1","nonce":null,"routing_id":null,"JSESSIONID":null}}',
      '<getSingleSignOnTokenResponse><token>t</token><cons_id>1</cons_id><nonce/><routing_id/><JSESSIONID/></getSingleSignOnTokenResponse>',
      '<getSingleSignOnTokenResponse xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><token>t</token><cons_id>1</cons_id><nonce xsi:nil="true"/><routing_id xsi:nil="true"/><JSESSIONID xsi:nil="true"/></getSingleSignOnTokenResponse>',
    ];
    for (const body of shapes) {
      expect(toSingleSignOnToken(parseLuminateResponse(body, body.startsWith('{') ? 'json' : 'xml', ROOT))).toEqual({ token: 't', consId: '1' });
    }
  });

  it('the text "null" is never a token, cons_id, nonce, routing id or JSESSIONID', () => {
    const reply = (fields: string) => parseLuminateResponse(`{"getSingleSignOnTokenResponse":{${fields}}}`, 'json', ROOT);
    expect(failure(() => toSingleSignOnToken(reply('"token":"null","cons_id":"1001641"'))).code).toBe('LUMINATE_MALFORMED_RESPONSE');
    expect(failure(() => toSingleSignOnToken(reply('"token":"t","cons_id":"null"'))).code).toBe('LUMINATE_MALFORMED_RESPONSE');
    expect(toSingleSignOnToken(reply('"token":"t","cons_id":"1","nonce":"null","routing_id":"null","JSESSIONID":"null"'))).toEqual({ token: 't', consId: '1' });
  });

  it('JSON numbers are read as strings', () => {
    expect(plain(parseLuminateResponse('{"getSingleSignOnTokenResponse":{"token":"t","cons_id":1001641}}', 'json', ROOT))).toEqual({ token: 't', cons_id: '1001641' });
    const err = failure(() => parseLuminateResponse('{"errorResponse":{"code":402,"message":"x"}}', 'json', ROOT));
    expect(err.luminateCode).toBe(402);
  });
});
