import createDebug from 'debug';
import { format, inspect } from 'node:util';
import type { LuminateError } from '../../src/errors';
import {
  clientFor, NONCE, PASSWORD, rejection, send, startServer, TOKEN, xmlError, xmlToken, type Handler, type TestServer,
} from './helpers';

const SECRETS = [PASSWORD, encodeURIComponent(PASSWORD), TOKEN, NONCE];

let server: TestServer;
let handler: Handler;
const logged: string[] = [];
const originalLog = createDebug.log;

beforeAll(async () => {
  server = await startServer((req, res, recorded) => handler(req, res, recorded));
  createDebug.log = (...args: unknown[]) => {
    logged.push(format(...args));
  };
  createDebug.enable('luminate-sso-bridge:*');
});
afterAll(async () => {
  createDebug.disable();
  createDebug.log = originalLog;
  await server.close();
});

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

function expectErrorClean(err: LuminateError): void {
  expectNoSecret(err.message);
  expectNoSecret(String(err));
  expectNoSecret(JSON.stringify(err));
  expectNoSecret(inspect(err, { depth: 6 }));
}

const tokenReply = xmlToken(`<token>${TOKEN}</token><cons_id>1001641</cons_id><nonce>${NONCE}</nonce><routing_id>00000000.appb</routing_id>`);

describe('secrets stay out of errors, logs and inspection', () => {
  it('logs a successful call with the token and nonce redacted', async () => {
    handler = (_req, res) => send(res, 200, tokenReply);
    const client = clientFor(server.secureUrl);
    const result = await client.getSingleSignOnToken({ consId: '1001641' });
    await client.close();
    expect(result.token).toBe(TOKEN);
    const output = logged.join('\n');
    expect(output).toContain('getSingleSignOnToken');
    expect(output).toContain('cons_id=1001641');
    expect(output).toContain(`token=[redacted, ${TOKEN.length} chars]`);
    expectNoSecret(output);
  });

  const failures: Array<[string, Handler, Record<string, unknown>]> = [
    ['an errorResponse echoing the password', (_q, res) => send(res, 403, xmlError('3', `Login apiadmin/${PASSWORD} refused.`)), {}],
    ['a JSON errorResponse echoing the password', (_q, res) => send(res, 200, JSON.stringify({ errorResponse: { code: '3', message: `bad ${PASSWORD}` } }), 'text/plain'), {}],
    ['a 500 whose body echoes the form', (_q, res, r) => send(res, 500, `Error for ${r.body} ${PASSWORD}`, 'text/plain'), {}],
    ['a truncated reply holding a token', (_q, res) => send(res, 200, tokenReply.slice(0, tokenReply.indexOf('</token>'))), {}],
    ['truncated JSON holding a token', (_q, res) => send(res, 200, `{"getSingleSignOnTokenResponse":{"token":"${TOKEN}","nonce":"${NONCE}"`, 'text/plain'), {}],
    ['two tokens', (_q, res) => send(res, 200, xmlToken(`<token>${TOKEN}</token><token>${NONCE}</token><cons_id>1001641</cons_id>`)), {}],
    ['a token for another constituent', (_q, res) => send(res, 200, xmlToken(`<token>${TOKEN}</token><cons_id>5</cons_id><nonce>${NONCE}</nonce>`)), {}],
    ['a nonce with a space', (_q, res) => send(res, 200, xmlToken(`<token>${TOKEN}</token><cons_id>1001641</cons_id><nonce>${NONCE} x</nonce>`)), {}],
    ['an oversized reply', (_q, res) => send(res, 200, tokenReply), { maxResponseBytes: 100 }],
    ['a reset', (req) => req.socket.destroy(), {}],
    ['a timeout', () => undefined, { timeoutMs: 300 }],
  ];

  it.each(failures)('keeps them out on %s', async (_name, failing, overrides) => {
    handler = failing;
    logged.length = 0;
    const client = clientFor(server.secureUrl, overrides);
    const err = await rejection(client.getSingleSignOnToken({ consId: '1001641' }));
    await client.close();
    expectErrorClean(err);
    expect(logged.join('\n')).toContain(err.code);
    expectNoSecret(logged.join('\n'));
  });

  it('does not show the password when the client is printed, inspected or serialised', async () => {
    const client = clientFor(server.secureUrl);
    for (const text of [String(client), `${client}`, JSON.stringify(client), inspect(client, { depth: 6, showHidden: true })]) {
      expectNoSecret(text);
      expect(text).toContain(server.secureUrl);
    }
    await client.close();
  });

  it('sends the password only in the POST body', async () => {
    handler = (_req, res) => send(res, 200, tokenReply);
    server.requests.length = 0;
    const client = clientFor(server.secureUrl);
    await client.getSingleSignOnToken({ consId: '1001641' });
    await client.close();
    const [request] = server.requests;
    expect(request?.form.get('login_password')).toBe(PASSWORD);
    expectNoSecret(request?.url ?? '');
    expectNoSecret(JSON.stringify(request?.headers));
  });
});
