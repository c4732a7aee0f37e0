import { describeLeaks, findLeaks, MIN_SECRET_LENGTH, scrub, type Captured, type ResponseRecord, type Secret } from '../setup/secrets-scanner';

const PASSWORD = 'Adm1n&Pass word"<x>';
const SECRET_KEY = 'Secret-Key-4242';
const TOKEN = `${'Tk9_a-Zq'.repeat(11)}..`;
const NONCE = 'Nz-9'.repeat(8);
const SECRETS: Secret[] = [
  { kind: 'API password', value: PASSWORD },
  { kind: 'API secret key', value: SECRET_KEY },
  { kind: 'SSO token', value: TOKEN },
  { kind: 'SSO nonce', value: NONCE },
];

const log = (text: string, where = 'luminate-sso-bridge:sso'): Captured => ({ channel: 'debug', where, text });
const response = (head: string, body = '', where = 'GET /luminate/sso'): ResponseRecord => ({ channel: 'response', where, head, body });

/** The bridge's auto-post page, as src/http/message-page.ts renders it. */
function autoPostPage(extra = ''): string {
  return `<!doctype html><form id="luminate-sso" method="post" action="https://secure.example/org/site/CRConsAPI">
      <input type="hidden" name="method" value="singleSignOn">
      <input type="hidden" name="sso_auth_token" value="${TOKEN}">
      ${extra}</form>`;
}

const ESTABLISH = `https://secure.example/org/site/EstablishSession;jsessionid=00000000.app1?NONCE_TOKEN=${NONCE}&NEXTURL=https%3A%2F%2Fsecure.example%2Forg%2Fsite%2FDonation2`;

describe('findLeaks', () => {
  it('finds nothing in clean output', () => {
    expect(findLeaks(SECRETS, [log('handoff singleSignOn for cons_id 1001641 (token [redacted, 88 chars])')])).toEqual([]);
  });

  it('names the kind, channel, place and test of each leak', () => {
    const leaks = findLeaks(SECRETS, [
      { channel: 'console', where: 'console.warn', text: `login failed for ${PASSWORD}`, test: 'a test' },
      { channel: 'error message', where: 'LuminateError LUMINATE_HTTP_ERROR', text: `signed with ${SECRET_KEY}` },
      log(`nonce ${NONCE} and token ${TOKEN}`),
    ]);
    expect(leaks).toEqual([
      { kind: 'API password', channel: 'console', where: 'console.warn', test: 'a test' },
      { kind: 'API secret key', channel: 'error message', where: 'LuminateError LUMINATE_HTTP_ERROR' },
      { kind: 'SSO token', channel: 'debug', where: 'luminate-sso-bridge:sso' },
      { kind: 'SSO nonce', channel: 'debug', where: 'luminate-sso-bridge:sso' },
    ]);
  });

  it('finds a password URL-encoded, form-encoded, HTML-escaped or JSON-escaped', () => {
    for (const text of [
      encodeURIComponent(PASSWORD),
      new URLSearchParams({ p: PASSWORD }).toString(),
      PASSWORD.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`),
      JSON.stringify({ p: PASSWORD }),
    ]) {
      expect(findLeaks(SECRETS, [log(text)]).map((l) => l.kind)).toEqual(['API password']);
    }
  });

  it('finds the first 16 characters of a token or nonce (a value cut short)', () => {
    expect(findLeaks(SECRETS, [log(`reply: <token>${TOKEN.slice(0, 20)}`)]).map((l) => l.kind)).toEqual(['SSO token']);
    expect(findLeaks(SECRETS, [log(`nonce=${NONCE.slice(0, 16)}`)]).map((l) => l.kind)).toEqual(['SSO nonce']);
    expect(findLeaks(SECRETS, [log(`nonce=${NONCE.slice(0, 15)}`)])).toEqual([]);
  });

  it('finds a token or nonce glued to other word characters', () => {
    expect(findLeaks(SECRETS, [log(`id_${NONCE}_x and ${TOKEN.slice(0, 40)}abc`)]).map((l) => l.kind)).toEqual(['SSO token', 'SSO nonce']);
  });

  it(`ignores values shorter than ${MIN_SECRET_LENGTH} characters`, () => {
    const short: Secret[] = [{ kind: 'API password', value: 'pw' }, { kind: 'API password', value: 'x'.repeat(MIN_SECRET_LENGTH - 1) }];
    expect(findLeaks(short, [log(`pw ${'x'.repeat(20)}`)])).toEqual([]);
    expect(findLeaks([{ kind: 'API password', value: 'x'.repeat(MIN_SECRET_LENGTH) }], [log('x'.repeat(20))])).toHaveLength(1);
  });

  it('reports a leak once per kind and record', () => {
    expect(findLeaks(SECRETS, [log(`${PASSWORD} ${PASSWORD} ${encodeURIComponent(PASSWORD)}`)])).toHaveLength(1);
  });
});

describe('findLeaks on responses: the one allowed place of each value', () => {
  it('allows the token in the auto-post page hidden input, once', () => {
    expect(findLeaks(SECRETS, [response('HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n', autoPostPage())])).toEqual([]);
  });

  it('flags any other occurrence of the token in that same page', () => {
    for (const extra of [`<p>${TOKEN}</p>`, `<input type="hidden" name="sso_auth_token" value="${TOKEN}">`, `<!-- ${TOKEN.slice(0, 16)} -->`]) {
      expect(findLeaks(SECRETS, [response('HTTP/1.1 200 OK\r\n', autoPostPage(extra))])).toEqual([
        { kind: 'SSO token', channel: 'response body', where: 'GET /luminate/sso' },
      ]);
    }
  });

  it('flags the token input outside the auto-post form, and a non-token value in it', () => {
    const input = `<input type="hidden" name="sso_auth_token" value="${TOKEN}">`;
    expect(findLeaks(SECRETS, [response('HTTP/1.1 200 OK\r\n', `<form id="other">${input}</form>`)])).toHaveLength(1);
    const withPassword = autoPostPage().replace(TOKEN, PASSWORD);
    expect(findLeaks(SECRETS, [response('HTTP/1.1 200 OK\r\n', withPassword)]).map((l) => l.kind)).toEqual(['API password']);
  });

  it('flags the token in a header, even on the auto-post page', () => {
    expect(findLeaks(SECRETS, [response(`HTTP/1.1 200 OK\r\nx-token: ${TOKEN}\r\n`, autoPostPage())])).toEqual([
      { kind: 'SSO token', channel: 'response header', where: 'GET /luminate/sso' },
    ]);
  });

  it("allows the nonce in an EstablishSession Location, and Express's echo of that Location in the body", () => {
    const head = `HTTP/1.1 302 Found\r\nLocation: ${ESTABLISH}\r\ncontent-type: text/html\r\n`;
    const named = ESTABLISH.replace(/&/g, '&amp;');
    for (const body of ['', `Found. Redirecting to ${ESTABLISH}`, `<p>Found. Redirecting to ${named}</p>`]) {
      expect(findLeaks(SECRETS, [response(head, body)])).toEqual([]);
    }
  });

  it('flags the nonce anywhere else in that response, or in a Location that is not EstablishSession', () => {
    const head = `HTTP/1.1 302 Found\r\nLocation: ${ESTABLISH}\r\n`;
    expect(findLeaks(SECRETS, [response(`${head}set-cookie: n=${NONCE}\r\n`)]).map((l) => l.channel)).toEqual(['response header']);
    expect(findLeaks(SECRETS, [response(head, `<p>nonce ${NONCE}</p>`)]).map((l) => l.channel)).toEqual(['response body']);
    const elsewhere = `HTTP/1.1 302 Found\r\nLocation: https://secure.example/org/site/Donation2?NONCE_TOKEN=${NONCE}\r\n`;
    expect(findLeaks(SECRETS, [response(elsewhere)]).map((l) => l.kind)).toEqual(['SSO nonce']);
    const tokenInLocation = `HTTP/1.1 302 Found\r\nLocation: ${ESTABLISH.replace(NONCE, TOKEN)}\r\n`;
    expect(findLeaks(SECRETS, [response(tokenInLocation)]).map((l) => l.kind)).toEqual(['SSO token']);
  });

  it('checks a guest redirect and an error page like any other output', () => {
    expect(findLeaks(SECRETS, [response('HTTP/1.1 302 Found\r\nLocation: https://secure.example/org/site/Donation2\r\n', 'Found.')])).toEqual([]);
    expect(findLeaks(SECRETS, [response('HTTP/1.1 500 Internal Server Error\r\n', `<pre>Error: bad key ${SECRET_KEY}</pre>`)])).toEqual([
      { kind: 'API secret key', channel: 'response body', where: 'GET /luminate/sso' },
    ]);
  });
});

describe('describeLeaks and scrub', () => {
  it('never print the secret, also when it is in the place or the test name', () => {
    const record = response('HTTP/1.1 200 OK\r\n', `token ${TOKEN}`, `GET /cb?t=${TOKEN}&p=${encodeURIComponent(PASSWORD)}`);
    const message = describeLeaks(findLeaks(SECRETS, [{ ...record, test: `test with ${NONCE}` }]));
    expect(message).toContain('SSO token in response body (GET /cb?t=[SSO token]&p=[API password]) during "test with [SSO nonce]"');
    for (const { value } of SECRETS) expect(message).not.toContain(value.slice(0, 16));
    expect(scrub(`a ${SECRET_KEY} b`, SECRETS)).toBe('a [API secret key] b');
  });

  it('lists at most 20 leaks', () => {
    const many = Array.from({ length: 25 }, (_v, i) => log(`${PASSWORD} ${i}`));
    const message = describeLeaks(findLeaks(SECRETS, many));
    expect(message).toMatch(/^Secrets leaked .* \(25\):/);
    expect(message).toContain('… and 5 more');
  });
});
