import createDebug from 'debug';
import { format, inspect } from 'node:util';
import { isLuminateError, type LuminateError } from '../../src/errors';
import { LuminateWebServices } from '../../src/web-services';
import { rejection, send, startServer, type TestServer } from '../client/helpers';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { fault, loginReply, SESSION_ID, wsFor } from './helpers';

const PASSWORD = 'Ws-Very-Secret-Pw-77';
const logged: string[] = [];
const originalLog = createDebug.log;
const fake = useFakeLuminate({ webServices: { userName: 'wsadmin', password: PASSWORD } });
let server: TestServer;
let echo = true;

beforeAll(async () => {
  // A hostile or careless server that echoes the password and the SessionId in its faults.
  server = await startServer((_req, res, recorded) => {
    if (recorded.body.includes('<Login ') && echo) send(res, 500, fault('LoginFault', `bad login wsadmin/${PASSWORD}`));
    else if (recorded.body.includes('<Login ')) send(res, 200, loginReply());
    else send(res, 500, fault('SessionFault', `session ${SESSION_ID} expired for ${PASSWORD}`));
  });
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

function expectClean(text: string, secrets: string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

function errorTexts(err: LuminateError): string {
  return [err.message, String(err), JSON.stringify(err), inspect(err, { depth: 6 })].join('\n');
}

describe('the password and SessionId stay out of logs and errors', () => {
  it('logs logins, reuse, renewal and faults against the stand-in with secrets redacted', async () => {
    logged.length = 0;
    const ws = wsFor(fake, { sessionIdleMs: 50 });
    const sessionIds = new Set<string>();
    const note = (): void => fake.webServicesSessions.forEach((_t, id) => sessionIds.add(id));
    await ws.getServerTime();
    note();
    fake.expireWebServicesSessions();
    await ws.getServerTime();
    note();
    await new Promise((r) => setTimeout(r, 80));
    await ws.getServerTime();
    note();
    await ws.close();
    const bad = wsFor(fake, { password: 'Wrong-Password-123' });
    const err = await rejection(bad.login());
    await bad.close();

    const output = logged.join('\n');
    expect(output).toMatch(/luminate-sso-bridge:ws Login: HTTP 200/);
    expect(output).toMatch(/SessionId \[redacted, \d+ chars\]/);
    expect(output).toMatch(/session refused \(\[redacted, \d+ chars\]\); logging in again and retrying once/);
    expect(output).toMatch(/session idle for \d+ ms \(sessionIdleMs 50\): logging in again/);
    expect(output).toContain('Login failed: LUMINATE_WS_LOGIN_FAULT HTTP 500');
    expect(sessionIds.size).toBe(3);
    expectClean(output, [PASSWORD, 'Wrong-Password-123', ...sessionIds]);
    expectClean(errorTexts(err), [PASSWORD, 'Wrong-Password-123']);
  });

  it('scrubs a password echoed in a LoginFault', async () => {
    echo = true;
    logged.length = 0;
    const ws = new LuminateWebServices({ url: `${server.origin}/1.0/x`, userName: 'wsadmin', password: PASSWORD }, {});
    const err = await rejection(ws.login());
    await ws.close();
    expect(err.code).toBe('LUMINATE_WS_LOGIN_FAULT');
    expect(err.message).toContain('bad login wsadmin/[redacted]');
    expectClean(errorTexts(err), [PASSWORD]);
    expectClean(logged.join('\n'), [PASSWORD]);
  });

  it('scrubs a SessionId and password echoed in a session fault', async () => {
    echo = false;
    logged.length = 0;
    const ws = new LuminateWebServices({ url: `${server.origin}/1.0/x`, userName: 'wsadmin', password: PASSWORD }, {});
    let err: unknown;
    try {
      await ws.getServerTime();
    } catch (e) {
      err = e;
    }
    await ws.close();
    expect(isLuminateError(err)).toBe(true);
    const e = err as LuminateError;
    expect(e.code).toBe('LUMINATE_WS_SESSION_FAULT');
    expect(e.message).toContain('session [redacted] expired for [redacted]');
    expectClean(errorTexts(e), [PASSWORD, SESSION_ID]);
    expectClean(logged.join('\n'), [PASSWORD, SESSION_ID]);
  });
});
