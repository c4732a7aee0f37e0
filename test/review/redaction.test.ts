/**
 * Review findings on redaction (src/util/scrub-secrets.ts; issue 18 §5 asked: "in raw,
 * form-encoded and URL-encoded forms, case-insensitively"):
 * - Not case-insensitive: an upstream that echoes the API password upper-cased (a Java error
 *   page that upper-cases its text) puts it into err.message as is. Nor JSON-escaped the way Java
 *   JSON writers escape (`/` → `\/`, `"` → `\"`), nor percent-encoded twice (`%40` → `%2540`).
 * - The registry is process-global: one instance's secret scrubs every other instance's messages,
 *   fixed text included. With a LuminateClient whose password is the word "wrong" (seen in the
 *   full test run), another client's "maintenance page, or a wrong secureUrl?" message reads
 *   "a [redacted] secureUrl?". In production the same happens inside one instance when its
 *   password or secret key is an ordinary word, and then the redaction itself tells a log reader
 *   the secret (the word the fixed text had there).
 * - Only the 64 newest secrets are kept: the 65th instance made in a process (multi-site hosts,
 *   tests) silently ends the scrubbing of the first one's secrets in every message that relies
 *   on the registry (LuminateError messages, debug lines).
 */
import type http from 'node:http';
import { clientFor, rejection, send, startServer, type TestServer } from '../client/helpers';
import { TestBrowser } from '../helpers/browser';
import { formToken, startLoginApp } from '../login/helpers';
import { createFakeLuminate } from '../../src/testing';

let server: TestServer;
let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
beforeAll(async () => {
  server = await startServer((req, res) => handler(req, res));
});
afterAll(() => server.close());

const SLASH_PASSWORD = 'Adm1n/Pw"2026-review';
const FIRST_KEY = 'First-Site-Key-0001';

describe('review: an echoed API password in other spellings is scrubbed', () => {
  test.each([
    ['upper-cased', (pw: string) => pw.toUpperCase()],
    ['lower-cased', (pw: string) => pw.toLowerCase()],
    ['JSON-escaped as Java writes it (\\/ and \\")', (pw: string) => JSON.stringify(pw).slice(1, -1).replace(/\//g, '\\/')],
    ['percent-encoded twice', (pw: string) => encodeURIComponent(encodeURIComponent(pw))],
  ])('%s', async (_label, spell) => {
    const echoed = spell(SLASH_PASSWORD);
    handler = (_req, res) => send(res, 200, JSON.stringify({ errorResponse: { code: '3', message: `Login refused for apiadmin ${echoed}` } }), 'text/plain');
    const client = clientFor(server.secureUrl, { apiLogin: { name: 'apiadmin', password: SLASH_PASSWORD }, responseFormat: 'json' });
    const err = await rejection(client.getSingleSignOnToken({ consId: '1001641' }));
    await client.close();
    expect(err.message).toContain('Login refused for apiadmin');
    expect(err.message).not.toContain(echoed);
  });
});

describe("review: one instance's secret does not rewrite another instance's messages", () => {
  test("a client whose password is 'wrong' leaves another client's 'a wrong secureUrl?' message alone", async () => {
    const other = clientFor(server.secureUrl, { apiLogin: { name: 'someone', password: 'wrong' } });
    await other.close();
    handler = (_req, res) => send(res, 200, '<!doctype html><html><body>Down for maintenance</body></html>', 'text/html');
    const client = clientFor(server.secureUrl);
    const err = await rejection(client.getSingleSignOnToken({ consId: '1001641' }));
    await client.close();
    expect(err.message).toContain('a wrong secureUrl?');
    expect(err.message).not.toContain('[redacted]');
  });

  // Reworded: the registry is gone (each instance scrubs what it interpolates against its own
  // secrets, and the LuminateError constructor scrubs nothing), so the finding is checked where the
  // old code relied on the registry: a login router's API secret key, echoed by Luminate into the
  // error its client builds, after 64 more instances were made.
  test('the first instance stays scrubbed after 64 more instances are made', async () => {
    const fake = await createFakeLuminate();
    const app = await startLoginApp(fake, {
      luminate: { secureUrl: server.secureUrl, apiSecretKey: FIRST_KEY, apiLogin: { name: 'apiadmin', password: 'First-Site-Pw-0001' } },
    });
    try {
      for (let i = 0; i < 64; i += 1) await clientFor(server.secureUrl, { apiLogin: { name: 'apiadmin', password: `Other-Site-Pw-${1000 + i}` } }).close();
      handler = (_req, res) => send(res, 403, `<?xml version="1.0"?><errorResponse><code>1</code><message>upstream said: bad key ${FIRST_KEY}</message></errorResponse>`, 'text/xml');
      const browser = new TestBrowser();
      const res = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), member_id: 'M-1', last_name: 'x' });
      expect(res.location).toMatch(/error=/);
    } finally {
      await app.close();
      await fake.close();
    }
    const message = app.errors.map((e) => `${e.message} ${String((e.cause as Error | undefined)?.message)}`).join(' ');
    expect(message).toContain('upstream said: bad key');
    expect(message).not.toContain(FIRST_KEY);
  });
});
