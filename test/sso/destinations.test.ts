import {
  checkDestination,
  compileDestinations,
  resolveDestination,
  type CompiledDestinations,
  type DestinationRules,
} from '../../src/http/destinations';
import { decodeLine, openRedirectPayloads } from '../helpers/payloads';

const PREFIX = 'https://secure2.convio.net/myorg/site/';
const DEFAULT = `${PREFIX}Donation2?df_id=1000`;
const REASONS = [
  'not-a-string',
  'empty',
  'too-long',
  'control-character',
  'whitespace',
  'backslash',
  'not-absolute-http',
  'userinfo',
  'encoded-trick',
  'dot-segment',
  'empty-segment',
  'invalid-url',
  'non-ascii-host',
  'origin-not-allowed',
  'path-not-allowed',
  'path-parameter',
  'redirector',
  'redirect-parameter',
];

const payloads = openRedirectPayloads();

function compile(allow: string[] = [PREFIX], fallback = DEFAULT): CompiledDestinations {
  return compileDestinations({ allow, default: fallback });
}

describe('payload corpus loader', () => {
  test('decodes every escape the format documents', () => {
    expect(decodeLine('a\\tb\\rc\\nd\\0e\\\\f\\x20g\\u00adh\\u{1F600}', 1)).toBe('a\tb\rc\nd\0e\\f g\u00adh\u{1F600}');
  });
  test('rejects unknown escapes and raw whitespace at the ends', () => {
    expect(() => decodeLine('https://x\\q', 3)).toThrow('line 3: unknown escape \\q');
    expect(() => decodeLine('https://x\\', 4)).toThrow('unknown escape');
    expect(() => decodeLine(' https://x', 5)).toThrow('raw whitespace');
  });
  test('holds at least 120 payloads, all distinct after decoding', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(120);
    const seen = new Set<string>();
    const duplicates = payloads.filter((p) => (seen.has(p) ? true : (seen.add(p), false)));
    expect(duplicates).toEqual([]);
  });
});

describe('open-redirect corpus: every payload is refused', () => {
  const compiled = compile();
  test.each(payloads.map((p) => [JSON.stringify(p), p]))('refuses %s', (_label, payload) => {
    const decision = checkDestination(payload, compiled);
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    // Short, from the known categories, never echoing the input.
    expect(REASONS).toContain(decision.reason);
    expect(resolveDestination(payload, compiled)).toEqual({ url: DEFAULT, refused: decision.reason });
  });
});

describe('checkDestination: refusal reasons', () => {
  const compiled = compile();
  test.each<[unknown, string]>([
    [['https://secure2.convio.net/myorg/site/a', 'https://evil.com'], 'not-a-string'],
    [[PREFIX], 'not-a-string'],
    [{ url: PREFIX }, 'not-a-string'],
    [{ toString: () => PREFIX }, 'not-a-string'],
    [new String(PREFIX), 'not-a-string'],
    [42, 'not-a-string'],
    [null, 'not-a-string'],
    [undefined, 'not-a-string'],
    [true, 'not-a-string'],
    ['', 'empty'],
    [PREFIX + 'a'.repeat(2049 - PREFIX.length), 'too-long'],
    [PREFIX + 'a'.repeat(100_000), 'too-long'],
    ['https://secure2.convio.net/my\torg/site/', 'control-character'],
    ['https://secure2.convio.net/myorg/site/\n', 'control-character'],
    [' https://secure2.convio.net/myorg/site/', 'whitespace'],
    ['https://secure2.convio.net/myorg/site/ ', 'whitespace'],
    ['/\\evil.com', 'backslash'],
    ['https://secure2.convio.net\\@evil.com/', 'backslash'],
    ['//evil.com', 'not-absolute-http'],
    ['https:/evil.com', 'not-absolute-http'],
    ['https:///evil.com', 'not-absolute-http'],
    ['javascript:alert(1)', 'not-absolute-http'],
    ['ｈｔｔｐｓ://secure2.convio.net/myorg/site/', 'not-absolute-http'],
    ['https://secure2.convio.net@evil.com/', 'userinfo'],
    ['https://@secure2.convio.net/myorg/site/', 'userinfo'],
    ['https://secure2%2econvio.net/myorg/site/', 'encoded-trick'],
    ['https://secure2.convio.net/myorg/site/%2e%2e/evil', 'encoded-trick'],
    ['https://secure2.convio.net/myorg/site/%252f', 'encoded-trick'],
    ['https://secure2.convio.net/myorg/site/%00', 'encoded-trick'],
    ['https://secure2.convio.net/myorg/site/%c0%af', 'encoded-trick'],
    ['https://secure2.convio.net/myorg/site/%zz', 'encoded-trick'],
    ['https://secure2.convio.net/myorg/site/../../evil', 'dot-segment'],
    ['https://secure2.convio.net/myorg/site/./x', 'dot-segment'],
    ['https://secure2.convio.net/myorg/site/..', 'dot-segment'],
    ['https://secure2.convio.net:65536/myorg/site/', 'invalid-url'],
    ['https://[::1/myorg/site/', 'invalid-url'],
    ['https://ｓｅｃｕｒｅ２．ｃｏｎｖｉｏ．ｎｅｔ/myorg/site/', 'non-ascii-host'],
    ['https://secure2.con\u00advio.net/myorg/site/', 'non-ascii-host'],
    ['https://secure2.cοnvio.net/myorg/site/', 'origin-not-allowed'],
    ['https://evil.com/myorg/site/', 'origin-not-allowed'],
    ['http://secure2.convio.net/myorg/site/', 'origin-not-allowed'],
    ['https://secure2.convio.net:444/myorg/site/', 'origin-not-allowed'],
    ['http://2130706433/', 'origin-not-allowed'],
    ['https://[::ffff:7f00:1]/', 'origin-not-allowed'],
    ['https://secure2.convio.net/myorg/site-evil', 'path-not-allowed'],
    ['https://secure2.convio.net/myorg/site', 'path-not-allowed'],
    ['https://secure2.convio.net/MYORG/site/', 'path-not-allowed'],
  ])('%p → %s', (input, reason) => {
    expect(checkDestination(input, compiled)).toEqual({ ok: false, reason });
  });
});

describe('checkDestination: accepted destinations', () => {
  const compiled = compile();
  test.each<[string, string]>([
    [
      'https://secure2.convio.net/myorg/site/Donation2?df_id=1234&set.DonationLevel=5',
      'https://secure2.convio.net/myorg/site/Donation2?df_id=1234&set.DonationLevel=5',
    ],
    ['https://secure2.convio.net:443/myorg/site/Donation2', 'https://secure2.convio.net/myorg/site/Donation2'],
    ['https://SECURE2.Convio.NET/myorg/site/Donation2', 'https://secure2.convio.net/myorg/site/Donation2'],
    ['HTTPS://secure2.convio.net/myorg/site/', 'https://secure2.convio.net/myorg/site/'],
    ['https://secure2.convio.net/myorg/site/Donation2?df_id=1#give', 'https://secure2.convio.net/myorg/site/Donation2?df_id=1#give'],
    // Encoded characters are fine in the query ...
    [
      'https://secure2.convio.net/myorg/site/Ecard?df_id=1%202&s_src=a%2Fb',
      'https://secure2.convio.net/myorg/site/Ecard?df_id=1%202&s_src=a%2Fb',
    ],
    // ... and harmless ones in the path.
    ['https://secure2.convio.net/myorg/site/a%20b', 'https://secure2.convio.net/myorg/site/a%20b'],
    ['https://secure2.convio.net/myorg/site/caf\u00e9', 'https://secure2.convio.net/myorg/site/caf%C3%A9'],
    ['https://secure2.convio.net/myorg/site/...', 'https://secure2.convio.net/myorg/site/...'],
    ['https://secure2.convio.net/myorg/site/' + 'a'.repeat(2048 - PREFIX.length), PREFIX + 'a'.repeat(2048 - PREFIX.length)],
  ])('%s', (input, url) => {
    expect(checkDestination(input, compiled)).toEqual({ ok: true, url });
  });

  test('a prefix without trailing slash matches itself and its subtree, at a segment boundary', () => {
    const c = compile(['https://secure2.convio.net/myorg/site'], 'https://secure2.convio.net/myorg/site');
    expect(checkDestination('https://secure2.convio.net/myorg/site', c)).toEqual({
      ok: true,
      url: 'https://secure2.convio.net/myorg/site',
    });
    expect(checkDestination('https://secure2.convio.net/myorg/site/Donation2', c).ok).toBe(true);
    expect(checkDestination('https://secure2.convio.net/myorg/site-evil', c)).toEqual({ ok: false, reason: 'path-not-allowed' });
    expect(checkDestination('https://secure2.convio.net/myorg/sitefoo', c)).toEqual({ ok: false, reason: 'path-not-allowed' });
  });

  test('an origin-only prefix allows every path on that origin', () => {
    const c = compile(['https://give.example.org'], 'https://give.example.org/');
    expect(checkDestination('https://give.example.org/anything/Donation2', c).ok).toBe(true);
    expect(checkDestination('https://give.example.org.evil.com/', c)).toEqual({ ok: false, reason: 'origin-not-allowed' });
  });

  test('several prefixes on one origin: any of them may match', () => {
    const c = compile([PREFIX, 'https://secure2.convio.net/otherorg/site/'], DEFAULT);
    expect(checkDestination('https://secure2.convio.net/otherorg/site/Donation2', c).ok).toBe(true);
    expect(checkDestination('https://secure2.convio.net/third/site/', c)).toEqual({ ok: false, reason: 'path-not-allowed' });
  });

  test('a non-ASCII host is accepted only when the allow list names its punycode host', () => {
    const c = compile(['https://xn--bcher-kva.example/'], 'https://xn--bcher-kva.example/');
    expect(checkDestination('https://b\u00fccher.example/spenden', c)).toEqual({ ok: true, url: 'https://xn--bcher-kva.example/spenden' });
    expect(checkDestination('https://xn--bcher-kva.example/spenden', c).ok).toBe(true);
    expect(checkDestination('https://b\u00fccher.example/spenden', compile()).ok).toBe(false);
    expect(checkDestination('https://bucher.example/spenden', c)).toEqual({ ok: false, reason: 'origin-not-allowed' });
  });

  test('IPv6 and plain-http origins only when allowed exactly', () => {
    const c = compile(['https://[2001:db8::1]/site/', 'http://localhost:4010/'], 'http://localhost:4010/');
    expect(checkDestination('https://[2001:DB8:0::1]/site/x', c)).toEqual({ ok: true, url: 'https://[2001:db8::1]/site/x' });
    expect(checkDestination('https://[2001:db8::2]/site/x', c)).toEqual({ ok: false, reason: 'origin-not-allowed' });
    expect(checkDestination('http://localhost:4010/x', c).ok).toBe(true);
    expect(checkDestination('https://localhost:4010/x', c)).toEqual({ ok: false, reason: 'origin-not-allowed' });
  });
});

describe('resolveDestination', () => {
  const compiled = compile();
  test('missing next (absent or empty) → default, nothing refused', () => {
    expect(resolveDestination(undefined, compiled)).toEqual({ url: DEFAULT });
    expect(resolveDestination('', compiled)).toEqual({ url: DEFAULT });
  });
  test('refused next → default plus the reason', () => {
    expect(resolveDestination('https://evil.com/', compiled)).toEqual({ url: DEFAULT, refused: 'origin-not-allowed' });
    expect(resolveDestination(['a', 'b'], compiled)).toEqual({ url: DEFAULT, refused: 'not-a-string' });
  });
  test('allowed next → its normalised URL', () => {
    expect(resolveDestination('https://SECURE2.convio.net:443/myorg/site/Donation2?df_id=7', compiled)).toEqual({
      url: 'https://secure2.convio.net/myorg/site/Donation2?df_id=7',
    });
  });
});

describe('compileDestinations', () => {
  test('normalises origins, ports, punycode and the default', () => {
    const c = compileDestinations({
      allow: ['HTTPS://Secure2.CONVIO.net:443/myorg/site/', 'https://b\u00fccher.example'],
      default: 'https://secure2.convio.net:443/myorg/site/Donation2',
    });
    expect(c).toEqual({
      allow: [
        { origin: 'https://secure2.convio.net', pathPrefix: '/myorg/site/' },
        { origin: 'https://xn--bcher-kva.example', pathPrefix: '/' },
      ],
      default: 'https://secure2.convio.net/myorg/site/Donation2',
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.allow)).toBe(true);
  });

  const bad = (rules: unknown) => () => compileDestinations(rules as DestinationRules);

  test('rules that are not an object', () => {
    expect(bad(null)).toThrow(TypeError);
    expect(bad(['https://x/'])).toThrow(/^destinations must be an object like \{ allow: \[.*\], default: .* \}\.$/);
  });
  test('unknown key', () => {
    expect(bad({ allow: [PREFIX], default: DEFAULT, allowed: [] })).toThrow(
      new TypeError('destinations.allowed is not a known option; use destinations.allow and destinations.default.'),
    );
  });
  test('allow missing or empty', () => {
    const message = /^destinations\.allow must be a non-empty array of URL prefixes, e.g\. \['https:\/\/secure2/;
    expect(bad({ allow: [], default: DEFAULT })).toThrow(message);
    expect(bad({ allow: PREFIX, default: DEFAULT })).toThrow(message);
    expect(bad({ default: DEFAULT })).toThrow(message);
  });
  test('allow entry that is not a string', () => {
    expect(bad({ allow: [PREFIX, 'https://a.example/', 7], default: DEFAULT })).toThrow(
      /^destinations\.allow\[2\] must be a string URL prefix, e\.g\. 'https:/,
    );
  });
  test.each([
    ['secure2.convio.net/myorg/site/', 'not-absolute-http'],
    ['ftp://secure2.convio.net/', 'not-absolute-http'],
    ['//secure2.convio.net/', 'not-absolute-http'],
    ['https://admin:pw@secure2.convio.net/', 'userinfo'],
    ['https://secure2.convio.net/myorg/../site/', 'dot-segment'],
    ['https://secure2.convio.net/myorg%2fsite/', 'encoded-trick'],
    ['https://secure2.convio.net\\myorg/', 'backslash'],
    [' https://secure2.convio.net/', 'whitespace'],
    ['https://secure2.convio.net:99999/', 'invalid-url'],
  ])('allow entry %p is refused (%s)', (entry, reason) => {
    expect(bad({ allow: [PREFIX, entry], default: DEFAULT })).toThrow(
      new TypeError(
        `destinations.allow[1] is not a usable URL prefix (${reason}); write an absolute http(s) URL without ` +
          "credentials, backslashes, dot segments or encoded characters, e.g. 'https://secure2.convio.net/myorg/site/'.",
      ),
    );
  });
  test.each(['https://secure2.convio.net/myorg/site/?x=1', 'https://secure2.convio.net/myorg/site/#top', 'https://secure2.convio.net/?'])(
    'allow entry with a query or fragment: %s',
    (entry) => {
      expect(bad({ allow: [entry], default: DEFAULT })).toThrow(
        new TypeError("destinations.allow[0] must not contain a query or fragment; remove everything from '?' or '#' on."),
      );
    },
  );
  test('default that is not a string', () => {
    expect(bad({ allow: [PREFIX], default: 42 })).toThrow(
      /^destinations\.default must be a string URL under one of destinations\.allow, e\.g\. 'https:/,
    );
  });
  test('default missing', () => {
    expect(bad({ allow: [PREFIX] })).toThrow(/^destinations\.default is missing: set where visitors go when next is missing or refused, e\.g\. 'https:/);
  });
  test.each([
    ['https://secure2.convio.net/otherorg/site/', 'path-not-allowed'],
    ['https://evil.com/', 'origin-not-allowed'],
    ['/myorg/site/Donation2', 'not-absolute-http'],
    ['', 'empty'],
  ])('default %p outside the allow list (%s)', (fallback, reason) => {
    // The URL and the allow list in effect (issue 17 §2): what to compare, without reading the code.
    expect(bad({ allow: [PREFIX], default: fallback })).toThrow(
      new TypeError(
        `destinations.default ${JSON.stringify(fallback)} is refused by the destination policy (${reason}); ` +
          `the allow list in effect is ['${PREFIX}']. ` +
          'Set it to an absolute URL under one of those, or add its prefix to destinations.allow.',
      ),
    );
  });
  test('a default that would make Luminate redirect is refused too', () => {
    expect(bad({ allow: [PREFIX], default: `${PREFIX}EstablishSession?NONCE_TOKEN=x` })).toThrow(/\(redirector\)/);
    expect(bad({ allow: [PREFIX], default: `${PREFIX}Donation2?df_id=1&NEXTURL=https://evil.example/` })).toThrow(/\(redirect-parameter\)/);
  });
});
