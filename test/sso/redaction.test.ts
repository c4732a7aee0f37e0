/**
 * Issue 18 §5: secrets are scrubbed in every encoding, from every error message and debug line:
 * the API password, the API secret key and a visitor's password, raw, percent-encoded,
 * form-encoded (+ for a space) and with percent-escapes in either case.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { format, inspect } from 'node:util';
import createDebug from 'debug';
import { LuminateClient } from '../../src/luminate/luminate-client';
import { LuminateError, isLuminateError } from '../../src/errors';
import { scrubSecrets } from '../../src/util/scrub-secrets';
import { TestBrowser } from '../helpers/browser';
import { formToken, startLoginApp } from '../login/helpers';
import { createFakeLuminate } from '../../src/testing';

const API_PASSWORD = 'P@ss wörd/Adm1n!(x)';
const VISITOR_PASSWORD = 'Visitor P@ss/9~';
const SECRET_KEY = 'S3cret Key/For+Echo';

/** A value as an application/x-www-form-urlencoded body writes it. */
const formUrlEncode = (value: string): string => new URLSearchParams({ s: value }).toString().slice(2);

/** Every form a secret may take in upstream text. */
function forms(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  const form = formUrlEncode(secret);
  const lower = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  return [secret, percent, form, percent.replace(/%20/g, '+'), lower(percent), lower(form)];
}

function expectClean(text: string, ...secrets: string[]): void {
  for (const secret of secrets) for (const f of forms(secret)) expect(text).not.toContain(f);
}

/** An upstream that echoes what it was sent into its errorResponse, in every encoding. */
async function echoingUpstream(extra = ''): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const params = new URLSearchParams(body);
      const echoed = [...params.values()].flatMap((v) => forms(v)).join(' ');
      const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      res.writeHead(403, { 'content-type': 'text/xml' });
      res.end(`<?xml version="1.0"?><errorResponse><code>1</code><message>${escape(`${extra} ${echoed}`)}</message></errorResponse>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('scrubSecrets', () => {
  it.each(forms(API_PASSWORD).map((f) => [f]))('scrubs %s', (form) => {
    expect(scrubSecrets(`before ${form} after`, [API_PASSWORD])).toBe('before [redacted] after');
  });

  it('scrubs the XML-escaped form, leaves short values and ordinary text alone', () => {
    expect(scrubSecrets('a &lt;b&gt;Tom &amp; &quot;Jerry&quot; c', ['<b>Tom & "Jerry"'])).toBe('a [redacted] c');
    expect(scrubSecrets('abc abc', ['abc'])).toBe('abc abc');
    expect(scrubSecrets('nothing to see', [API_PASSWORD])).toBe('nothing to see');
  });
});

describe('an upstream that echoes the request', () => {
  let upstream: Awaited<ReturnType<typeof echoingUpstream>>;
  beforeAll(async () => {
    upstream = await echoingUpstream();
  });
  afterAll(() => upstream.close());

  it("puts neither the API password nor the visitor's password, in any encoding, into the client's error", async () => {
    const client = new LuminateClient({ secureUrl: `${upstream.url}/org`, apiKey: 'k', apiLogin: { name: 'apiadmin', password: API_PASSWORD }, timeoutMs: 2000 });
    let error: unknown;
    try {
      await client.callServerApi('login', { user_name: 'ada', password: VISITOR_PASSWORD }, 'loginResponse');
    } catch (e) {
      error = e;
    } finally {
      await client.close();
    }
    expect(isLuminateError(error)).toBe(true);
    const err = error as LuminateError;
    expect(err.luminateCode).toBe(1);
    expect(err.message).toContain('[redacted]');
    for (const text of [err.message, String(err), JSON.stringify(err), inspect(err, { depth: 6 })]) expectClean(text, API_PASSWORD, VISITOR_PASSWORD);
  });
});

describe('the API secret key', () => {
  const lines: string[] = [];
  const originalLog = createDebug.log;
  beforeAll(() => {
    createDebug.enable('luminate-sso-bridge:*');
    createDebug.log = (...args: unknown[]) => {
      lines.push(format(...args));
    };
  });
  afterAll(() => {
    createDebug.log = originalLog;
    createDebug.disable();
  });

  it('is scrubbed from errors built from upstream text, and from debug lines built from a hook’s error', async () => {
    const fake = await createFakeLuminate();
    const upstream = await echoingUpstream(`signing key ${SECRET_KEY} ${encodeURIComponent(SECRET_KEY).toLowerCase()}`);
    const hookErrors: string[] = [];
    const app = await startLoginApp(fake, {
      luminate: { secureUrl: `${upstream.url}/org`, apiSecretKey: SECRET_KEY, apiLogin: { name: 'apiadmin', password: API_PASSWORD } },
      onError: (e) => {
        hookErrors.push(`${String(e)} ${String((e.cause as Error | undefined)?.message)}`);
        throw new Error(`host hook failed with ${SECRET_KEY}`);
      },
    });
    try {
      const browser = new TestBrowser();
      const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), member_id: 'M-1', last_name: 'x' });
      expect(res.location).toMatch(/error=/);
    } finally {
      await app.close();
      await upstream.close();
      await fake.close();
    }
    expect(hookErrors.join(' ')).toContain('[redacted]');
    expect(lines.some((l) => l.includes('a hook threw'))).toBe(true);
    for (const text of [...hookErrors, ...lines]) expectClean(text, SECRET_KEY, API_PASSWORD);
  });

  // Was "is scrubbed from any LuminateError message once a bridge knows it": there is no process-wide
  // registry any more (review finding 4); each instance scrubs what it interpolates against its own
  // secrets, as the test above checks for a login router's errors and debug lines.
  it('is scrubbed by its instance in any letter case, JSON-escaped and percent-encoded twice', () => {
    const spellings = [SECRET_KEY.toUpperCase(), SECRET_KEY.toLowerCase(), JSON.stringify(SECRET_KEY).slice(1, -1).replace(/\//g, '\\/'),
      encodeURIComponent(encodeURIComponent(SECRET_KEY)), encodeURIComponent(formUrlEncode(SECRET_KEY))];
    for (const spelled of spellings) expect(scrubSecrets(`oops ${spelled}`, [SECRET_KEY])).toBe('oops [redacted]');
  });
});
