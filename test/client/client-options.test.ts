import { Agent } from 'undici';
import { LuminateClient } from '../../src/luminate/luminate-client';
import type { LuminateClientOptions } from '../../src/luminate/types';

const base: LuminateClientOptions = {
  secureUrl: 'https://secure2.convio.net/myorg',
  apiKey: 'key123',
  apiLogin: { name: 'apiadmin', password: 'pw-secret-1' },
};

function message(overrides: Record<string, unknown>): string {
  try {
    void new LuminateClient({ ...base, ...overrides } as LuminateClientOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(TypeError);
    return (err as Error).message;
  }
  throw new Error('expected a TypeError');
}

describe('LuminateClient options', () => {
  it('accepts a plain site and normalises the secure base', async () => {
    const client = new LuminateClient({ ...base, secureUrl: 'https://secure2.convio.net/myorg//' });
    expect(client.secureUrl).toBe('https://secure2.convio.net/myorg');
    await client.close();
    const custom = new LuminateClient({ ...base, secureUrl: 'https://give.example.org' });
    expect(custom.secureUrl).toBe('https://give.example.org');
    await custom.close();
  });

  it.each(['http://127.0.0.1:4010/fakeorg', 'http://localhost:4010/fakeorg', 'http://[::1]:4010/fakeorg', 'http://127.1.2.3/x'])(
    'allows plain http for the loopback host in %s',
    async (secureUrl) => {
      const client = new LuminateClient({ ...base, secureUrl });
      await client.close();
    },
  );

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a non-URL secureUrl', { secureUrl: 'secure2.convio.net/myorg' }, /options\.secureUrl is not a URL.*https:\/\/secure2/],
    ['plain http to a remote host', { secureUrl: 'http://secure2.convio.net/myorg' }, /options\.secureUrl must use https/],
    ['http to a host that only starts like loopback', { secureUrl: 'http://127.0.0.1.example.com/x' }, /must use https/],
    ['a query string', { secureUrl: 'https://secure2.convio.net/myorg?x=1' }, /query string/],
    ['a fragment', { secureUrl: 'https://secure2.convio.net/myorg#x' }, /fragment/],
    ['user info', { secureUrl: 'https://u:p@secure2.convio.net/myorg' }, /user name or password/],
    ['the servlet path', { secureUrl: 'https://secure2.convio.net/myorg/site/SRConsAPI' }, /without \/site/],
    ['an ftp URL', { secureUrl: 'ftp://secure2.convio.net/myorg' }, /https/],
    ['an empty apiKey', { apiKey: '' }, /options\.apiKey is missing\. Set it to the site's CONVIO_API_KEY/],
    ['an apiKey with =', { apiKey: 'a=b' }, /options\.apiKey must not contain/],
    ['an apiKey with a quote', { apiKey: "a'b" }, /options\.apiKey must not contain/],
    ['an apiKey with a backslash', { apiKey: 'a\\b' }, /options\.apiKey must not contain/],
    ['no apiLogin', { apiLogin: undefined }, /options\.apiLogin must be/],
    ['an empty login name', { apiLogin: { name: ' ', password: 'x' } }, /options\.apiLogin\.name/],
    ['an empty password', { apiLogin: { name: 'a', password: '' } }, /options\.apiLogin\.password/],
    ['a typo in apiLogin', { apiLogin: { name: 'a', password: 'p', pasword: 'p' } }, /unknown option "options\.apiLogin\.pasword"/],
    ['an unknown option', { timeout: 5 }, /unknown option "options\.timeout"/],
    ['responseFormat html', { responseFormat: 'html' }, /options\.responseFormat must be one of 'xml', 'json', got "html"/],
    ['a zero timeout', { timeoutMs: 0 }, /options\.timeoutMs must be a positive number/],
    ['an infinite timeout', { headersTimeoutMs: Infinity }, /options\.headersTimeoutMs/],
    ['a NaN body timeout', { bodyTimeoutMs: Number.NaN }, /options\.bodyTimeoutMs/],
    ['fractional connections', { connections: 1.5 }, /options\.connections must be a positive integer/],
    ['a negative byte cap', { maxResponseBytes: -1 }, /options\.maxResponseBytes/],
    ['a string suppressResponseCodes', { suppressResponseCodes: 'true' }, /suppressResponseCodes must be a boolean/],
    ['an empty source', { source: '' }, /options\.source/],
    ['a bad tls.ca', { tls: { ca: 42 } }, /options\.tls\.ca/],
    ['an unknown tls key', { tls: { cert: 'x' } }, /unknown option "options\.tls\.cert"/],
    ['tls with a dispatcher', { tls: { ca: 'x' }, dispatcher: new Agent() }, /options\.tls has no effect with a dispatcher/],
    ['a non-dispatcher', { dispatcher: {} }, /options\.dispatcher must be an undici Dispatcher/],
  ])('refuses %s, naming the option', (_name, overrides, expected) => {
    expect(message(overrides)).toMatch(expected);
  });

  it('never echoes the password or the API key in its messages', () => {
    expect(message({ apiKey: 'leaky=key', apiLogin: { name: 'a', password: 'pw-secret-1' } })).not.toMatch(/leaky|pw-secret-1/);
    expect(message({ secureUrl: 'https://u:pw-secret-1@host/x' })).not.toContain('pw-secret-1');
  });

  it('refuses a non-object', () => {
    expect(() => new LuminateClient(undefined as unknown as LuminateClientOptions)).toThrow(TypeError);
  });
});
