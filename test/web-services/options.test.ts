import { inspect } from 'node:util';
import { Agent } from 'undici';
import { DEFAULT_SESSION_IDLE_MS, LuminateWebServices, type LuminateWebServicesOptions } from '../../src/web-services';

const base = { url: 'https://webservices.cluster2.convio.net/1.0/myorg', userName: 'wsadmin', password: 'ws-pw-secret-9' };

function message(options: Record<string, unknown> | undefined, env: Record<string, string> = {}): string {
  try {
    void new LuminateWebServices(options as LuminateWebServicesOptions, env);
  } catch (err) {
    expect(err).toBeInstanceOf(TypeError);
    return (err as Error).message;
  }
  throw new Error('expected a TypeError');
}

describe('LuminateWebServices options', () => {
  it('takes url, userName and password from the LUMINATE_WS_* variables when left out', async () => {
    const ws = new LuminateWebServices(undefined, {
      LUMINATE_WS_URL: base.url, LUMINATE_WS_USERNAME: 'envadmin', LUMINATE_WS_PASSWORD: 'x-pass',
    });
    expect(ws.url).toBe(base.url);
    expect(ws.userName).toBe('envadmin');
    await ws.close();
  });

  it('prefers options over the environment', async () => {
    const ws = new LuminateWebServices(base, { LUMINATE_WS_URL: 'https://other.example/1.0/x', LUMINATE_WS_USERNAME: 'other' });
    expect(ws.url).toBe(base.url);
    expect(ws.userName).toBe('wsadmin');
    await ws.close();
  });

  it('reads process.env by default', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { LUMINATE_WS_URL: 'http://127.0.0.1:9/1.0/x', LUMINATE_WS_USERNAME: 'p', LUMINATE_WS_PASSWORD: 'q-pass' });
    try {
      const ws = new LuminateWebServices();
      expect(ws.url).toBe('http://127.0.0.1:9/1.0/x');
      await ws.close();
    } finally {
      for (const key of ['LUMINATE_WS_URL', 'LUMINATE_WS_USERNAME', 'LUMINATE_WS_PASSWORD']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('defaults sessionIdleMs to 25 minutes, under Luminate\'s 30', () => {
    expect(DEFAULT_SESSION_IDLE_MS).toBe(25 * 60 * 1000);
  });

  it.each<[string, Record<string, unknown> | undefined, RegExp]>([
    ['nothing at all', undefined, /options\.url \(or env LUMINATE_WS_URL\) is missing/],
    ['no user name', { url: base.url, password: 'x' }, /options\.userName \(or env LUMINATE_WS_USERNAME\) is missing/],
    ['no password', { url: base.url, userName: 'a' }, /options\.password \(or env LUMINATE_WS_PASSWORD\) is missing/],
    ['plain http to a remote host', { ...base, url: 'http://webservices.cluster2.convio.net/1.0/myorg' }, /must use https:\/\//],
    ['a non-URL', { ...base, url: 'webservices/1.0' }, /is not a URL/],
    ['user info in the URL', { ...base, url: 'https://u:p@webservices.example/1.0/x' }, /user name or password/],
    ['a query string', { ...base, url: 'https://webservices.example/1.0/x?wsdl' }, /query string/],
    ['a user name with a newline', { ...base, userName: 'a\nb' }, /control characters/],
    ['a padded password', { ...base, password: ' pw ' }, /whitespace/],
    ['a zero sessionIdleMs', { ...base, sessionIdleMs: 0 }, /options\.sessionIdleMs must be a positive number/],
    ['a typo', { ...base, sesionIdleMs: 5 }, /unknown option "options\.sesionIdleMs"/],
    ['a bad timeout', { ...base, timeoutMs: -1 }, /options\.timeoutMs/],
    ['tls with a dispatcher', { ...base, tls: { ca: 'x' }, dispatcher: new Agent() }, /options\.tls has no effect/],
    ['a non-object', 'x' as unknown as Record<string, unknown>, /options must be an object/],
  ])('refuses %s with a TypeError naming the option', (_n, options, expected) => {
    const text = message(options);
    expect(text).toMatch(/^LuminateWebServices: /);
    expect(text).toMatch(expected);
    expect(text).not.toContain('ws-pw-secret-9');
  });

  it('allows plain http on loopback, for the stand-in', async () => {
    const ws = new LuminateWebServices({ ...base, url: 'http://[::1]:4010/1.0/fakeorg' }, {});
    await ws.close();
  });

  it('shows no password when printed, inspected or serialised', async () => {
    const ws = new LuminateWebServices(base, {});
    for (const text of [String(ws), inspect(ws, { depth: 6 }), JSON.stringify(ws), inspect({ ws }, { showHidden: true })]) {
      expect(text).toContain('wsadmin');
      expect(text).not.toContain(base.password);
    }
    await ws.close();
  });
});
