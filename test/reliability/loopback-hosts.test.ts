/**
 * Issue 18 §5: plain http is allowed only for hosts that can only be this machine: the literal
 * loopback addresses (127.0.0.0/8, [::1]) and the name `localhost` itself. `*.localhost` names may
 * be sent to a DNS resolver, which can answer with any address. One check (src/util/loopback.ts)
 * serves every validator: luminateSso, luminateLogin, LuminateClient, LuminateWebServices, doctor.
 */
import { luminateLogin } from '../../src';
import { LuminateClient } from '../../src/luminate/luminate-client';
import { checkSettings } from '../../src/doctor/settings';
import { resolveSsoOptions } from '../../src/sso/resolve-options';
import { isLoopbackHost } from '../../src/util/loopback';
import { LuminateWebServices } from '../../src/web-services';

const LOOPBACK = ['localhost', 'LOCALHOST', '127.0.0.1', '127.0.0.2', '127.255.255.254', '[::1]', '::1', '[0:0:0:0:0:0:0:1]'];
const NOT_LOOPBACK = [
  'stand-in.localhost', 'a.b.localhost', 'LUMINATE.LOCALHOST', 'localhost.', 'localhost.example', 'localhost.localdomain',
  '127.0.0.1.nip.io', '127.0.0.1.example.com', '128.0.0.1', '0.0.0.0', '[::2]', '10.0.0.1', 'example.org',
];

describe('isLoopbackHost', () => {
  test.each(LOOPBACK)('%s is this machine', (host) => expect(isLoopbackHost(host)).toBe(true));
  test.each(NOT_LOOPBACK)('%s is not known to be this machine', (host) => expect(isLoopbackHost(host)).toBe(false));
});

const SITE = { apiKey: 'key123', apiLogin: { name: 'apiadmin', password: 'pw-secret' }, apiSecretKey: 'shh' };
// One rule, one message (src/config/site.ts): each validator only names the option its own way.
const RULE = 'must use https:// (plain http:// is accepted only for loopback hosts, such as a local stand-in: localhost, 127.0.0.0/8 or [::1]).';
const SSO_MESSAGE = `luminate.secureUrl (or env LUMINATE_SECURE_URL) ${RULE}`;

function ssoOptions(secureUrl: string) {
  return { luminate: { secureUrl, ...SITE }, constituent: () => null, destinations: { default: `${secureUrl}/site/Donation2?df_id=1` } };
}

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TypeError);
    return (e as Error).message;
  }
  throw new Error('expected a TypeError');
}

describe.each(['stand-in.localhost', 'luminate.localhost:4010', 'localhost.example'])('http://%s is refused everywhere', (host) => {
  const url = `http://${host}/fakeorg`;

  test('luminateSso()', () => {
    expect(thrown(() => resolveSsoOptions(ssoOptions(url), {}))).toBe(`luminateSso(): ${SSO_MESSAGE}`);
  });

  test('luminateLogin()', () => {
    expect(thrown(() => luminateLogin({ luminate: { secureUrl: url, ...SITE }, mode: 'login', formUrl: '/member-login' }))).toBe(`luminateLogin(): ${SSO_MESSAGE}`);
  });

  test('LuminateClient', () => {
    expect(thrown(() => new LuminateClient({ secureUrl: url, apiKey: SITE.apiKey, apiLogin: SITE.apiLogin }))).toBe(
      `LuminateClient: options.secureUrl ${RULE}`,
    );
  });

  test('LuminateWebServices', () => {
    expect(thrown(() => new LuminateWebServices({ url: `http://${host}/1.0/fakeorg`, userName: 'ws', password: 'ws-pw' }, {}))).toBe(
      `LuminateWebServices: options.url (or env LUMINATE_WS_URL) ${RULE}`,
    );
  });

  test('doctor', () => {
    const report = checkSettings({ LUMINATE_SECURE_URL: url, LUMINATE_API_KEY: 'k', LUMINATE_API_LOGIN_NAME: 'a', LUMINATE_API_LOGIN_PASSWORD: 'p', LUMINATE_API_SECRET_KEY: 's' });
    const result = report.results.find((r) => r.id === 'LUMINATE_SECURE_URL');
    expect(result).toMatchObject({ status: 'FAIL', detail: RULE.replace(/\.$/, '') });
    expect(report.site).toBeUndefined();
  });
});

describe.each(['localhost:4010', '127.0.0.1:4010', '127.3.2.1', '[::1]:4010'])('http://%s is still accepted (the stand-in)', (host) => {
  const url = `http://${host}/fakeorg`;

  test('by every validator', async () => {
    expect(resolveSsoOptions(ssoOptions(url), {}).secureUrl).toBe(url);
    const client = new LuminateClient({ secureUrl: url, apiKey: SITE.apiKey, apiLogin: SITE.apiLogin });
    await client.close();
    const ws = new LuminateWebServices({ url: `http://${host}/1.0/fakeorg`, userName: 'ws', password: 'ws-pw' }, {});
    await ws.close();
    const report = checkSettings({ LUMINATE_SECURE_URL: url, LUMINATE_API_KEY: 'k', LUMINATE_API_LOGIN_NAME: 'a', LUMINATE_API_LOGIN_PASSWORD: 'p', LUMINATE_API_SECRET_KEY: 's' });
    expect(report.site?.secureUrl).toBeDefined();
  });
});
