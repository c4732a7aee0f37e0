import { resolveSsoOptions } from '../../src/sso/resolve-options';

const SITE = 'https://secure2.convio.net/myorg';

function valid(): Record<string, any> {
  return {
    luminate: {
      secureUrl: SITE,
      apiKey: 'key123',
      apiLogin: { name: 'apiadmin', password: 'pw-secret' },
      apiSecretKey: 'shh',
    },
    constituent: () => null,
    destinations: { default: `${SITE}/site/Donation2?df_id=1234` },
  };
}

type Row = [title: string, change: (o: Record<string, any>) => unknown, message: RegExp];

const rows: Row[] = [
  ['options not an object', () => 'nope', /expected an options object/],
  ['unknown top-level key', (o) => { o.destinatons = {}; return o; }, /unknown option "options\.destinatons".*Check the spelling/],
  ['luminate not an object', (o) => { o.luminate = 'x'; return o; }, /luminate must be an object/],
  ['unknown luminate key', (o) => { o.luminate.apiSecret = 'x'; return o; }, /unknown option "luminate\.apiSecret"/],
  ['apiLogin not an object', (o) => { o.luminate.apiLogin = 'admin:pw'; return o; }, /luminate\.apiLogin must be an object \{ name, password \}/],
  ['unknown apiLogin key', (o) => { o.luminate.apiLogin.user = 'x'; return o; }, /unknown option "luminate\.apiLogin\.user"/],
  ['secureUrl missing', (o) => { delete o.luminate.secureUrl; return o; }, /luminate\.secureUrl \(or env LUMINATE_SECURE_URL\) is missing\. Set it to your site's secure base/],
  ['secureUrl not a string', (o) => { o.luminate.secureUrl = 42; return o; }, /luminate\.secureUrl \(or env LUMINATE_SECURE_URL\) must be a string, got number/],
  ['secureUrl with spaces', (o) => { o.luminate.secureUrl = ` ${SITE}`; return o; }, /leading or trailing whitespace/],
  ['secureUrl not a URL', (o) => { o.luminate.secureUrl = 'secure2.convio.net/myorg'; return o; }, /is not a URL: use your site's secure base/],
  ['secureUrl over http', (o) => { o.luminate.secureUrl = 'http://secure2.convio.net/myorg'; return o; }, /must use https:\/\/ \(plain http:\/\/ is accepted only for loopback hosts/],
  ['secureUrl with a query', (o) => { o.luminate.secureUrl = `${SITE}?x=1`; return o; }, /must not carry a query string or #fragment/],
  ['secureUrl pointing at a servlet', (o) => { o.luminate.secureUrl = `${SITE}/site/SRConsAPI`; return o; }, /must stop before "\/site\/"/],
  ['apiKey missing', (o) => { delete o.luminate.apiKey; return o; }, /luminate\.apiKey \(or env LUMINATE_API_KEY\) is missing/],
  ['apiKey with a forbidden character', (o) => { o.luminate.apiKey = 'a=b'; return o; }, /must not contain any of & : \\ " ' \? =/],
  ['apiLogin.name missing', (o) => { delete o.luminate.apiLogin.name; return o; }, /luminate\.apiLogin\.name \(or env LUMINATE_API_LOGIN_NAME\) is missing/],
  ['apiLogin.password missing', (o) => { delete o.luminate.apiLogin.password; return o; }, /luminate\.apiLogin\.password \(or env LUMINATE_API_LOGIN_PASSWORD\) is missing/],
  ['apiSecretKey missing', (o) => { delete o.luminate.apiSecretKey; return o; }, /luminate\.apiSecretKey \(or env LUMINATE_API_SECRET_KEY\) is missing/],
  ['signatureAlgorithm unknown', (o) => { o.luminate.signatureAlgorithm = 'sha256'; return o; }, /luminate\.signatureAlgorithm \(or env LUMINATE_SIGNATURE_ALGORITHM\) must be one of 'md5', 'sha1'/],
  ['responseFormat unknown', (o) => { o.luminate.responseFormat = 'yaml'; return o; }, /luminate\.responseFormat must be one of 'xml', 'json'/],
  ['timeoutMs not positive', (o) => { o.luminate.timeoutMs = 0; return o; }, /luminate\.timeoutMs must be a positive number of milliseconds, got 0/],
  ['connectTimeoutMs not a number', (o) => { o.luminate.connectTimeoutMs = '100'; return o; }, /luminate\.connectTimeoutMs must be a positive number/],
  ['constituent not a function', (o) => { o.constituent = { consId: '1' }; return o; }, /constituent must be a function: \(req\) => \(\{ consId \}\)/],
  ['onError not a function', (o) => { o.onError = 'log'; return o; }, /onError must be a function: \(err, req\) => void/],
  ['onHandoff not a function', (o) => { o.onHandoff = {}; return o; }, /onHandoff must be a function/],
  ['destinations missing', (o) => { delete o.destinations; return o; }, /destinations is required: \{ default: "https:\/\/secure2\.convio\.net\/myorg\/site\/Donation2/],
  ['unknown destinations key', (o) => { o.destinations.allowed = []; return o; }, /unknown option "destinations\.allowed"/],
  ['default outside the allow list', (o) => { o.destinations.default = 'https://evil.example/'; return o; }, /destinations\.default/],
  ['paths not an object', (o) => { o.paths = '/sso'; return o; }, /paths must be an object \{ start, callback \}/],
  ['unknown paths key', (o) => { o.paths = { begin: '/x' }; return o; }, /unknown option "paths\.begin"/],
  ['paths.start not a path', (o) => { o.paths = { start: 'sso' }; return o; }, /paths\.start must be a path starting with "\/"/],
  ['paths.start equals paths.callback', (o) => { o.paths = { start: '/a', callback: '/a' }; return o; }, /paths\.start and paths\.callback must differ/],
  ['loginReturnParam invalid', (o) => { o.loginReturnParam = 'return to'; return o; }, /loginReturnParam must be a query parameter name/],
  ['rememberMe not a boolean', (o) => { o.rememberMe = 'yes'; return o; }, /rememberMe must be true or false/],
  ['store without the interface', (o) => { o.store = new Map(); return o; }, /store must implement the BridgeStore interface/],
  ['client not a client', (o) => { o.client = {}; return o; }, /client must be a LuminateClient instance/],
  ['loginUrl protocol-relative', (o) => { o.loginUrl = '//evil.example/login'; return o; }, /loginUrl must be a site path such as "\/login"/],
  ['baseUrl with a query', (o) => { o.baseUrl = 'https://www.example.org/?x'; return o; }, /baseUrl must be an http\(s\) URL without credentials, query or fragment/],
  ['baseUrl not a URL', (o) => { o.baseUrl = 'www.example.org'; return o; }, /baseUrl must be an absolute URL/],
  ['handoff unknown', (o) => { o.handoff = 'redirect'; return o; }, /handoff must be one of 'singleSignOn', 'establishSession', got "redirect"/],
  ['onFailure unknown', (o) => { o.onFailure = 'ignore'; return o; }, /onFailure must be one of 'continue', 'error'/],
  ['callbackMaxAgeSeconds negative', (o) => { o.callbackMaxAgeSeconds = -5; return o; }, /callbackMaxAgeSeconds must be a positive number of seconds, got -5/],
  ['provision not a function', (o) => { o.provision = { firstName: 'x' }; return o; }, /provision must be a function: \(req\) => \(\{ email, firstName, lastName \}\) \| null, may be async/],
  ['attribution neither object nor function', (o) => { o.attribution = 'partner'; return o; }, /attribution must be an object \{ source, subSource, fromQuery \} or a function/],
  ['unknown attribution key', (o) => { o.attribution = { sub_source: 'x' }; return o; }, /unknown option "attribution\.sub_source"/],
  ['attribution.source with a control character', (o) => { o.attribution = { source: 'a\nb' }; return o; }, /attribution\.source must be a non-empty string of at most 255 printable characters/],
  ['attribution.subSource too long', (o) => { o.attribution = { subSource: 'x'.repeat(256) }; return o; }, /attribution\.subSource must be a non-empty string of at most 255 printable characters/],
  ['prepare not a boolean or object', (o) => { o.prepare = 'yes'; return o; }, /prepare must be true, false or \{ ttlMs \}/],
  ['prepare.ttlMs too short', (o) => { o.prepare = { ttlMs: 10 }; return o; },
    /prepare\.ttlMs must be a whole number of ms between 1000 and 600000 \(default 60000\)/],
  ['unknown prepare key', (o) => { o.prepare = { ttl: 5000 }; return o; }, /unknown option "prepare\.ttl"/],
  ['prepare with a store without put and take', (o) => {
    o.prepare = true;
    o.store = {
      setIfAbsent: async () => true, increment: async () => ({ count: 1, resetInMs: 1 }),
      count: async () => 0, delete: async () => undefined,
    };
    return o;
  }, /^luminateSso\(\): prepare needs a store with put\(key, value, ttlMs\) and take\(key\) \(MemoryStore and RedisStore have them\)/],
  ['prepare with a callback path it needs', (o) => { o.prepare = true; o.paths = { callback: '/luminate/sso/prepare' }; return o; },
    /paths\.callback must not be \/luminate\/sso\/prepare/],
  ['attribution.fromQuery not a boolean', (o) => { o.attribution = { fromQuery: 'yes' }; return o; }, /attribution\.fromQuery must be true or false/],
];

describe('resolveSsoOptions: each problem has its own message', () => {
  // Exactly the row's arity: a fourth parameter would make jest wait for a `done` callback.
  it.each(rows)('%s', (_title, change, message) => {
    const attempt = () => resolveSsoOptions(change(valid()), {});
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(message);
  });

  it('the messages are all different', () => {
    const messages = rows.map(([, change]) => {
      try {
        resolveSsoOptions(change(valid()), {});
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(new Set(messages).size).toBe(rows.length);
  });

  it('never puts the password or secret key into a message', () => {
    for (const [, change] of rows) {
      try {
        resolveSsoOptions(change(valid()), {});
      } catch (e) {
        expect((e as Error).message).not.toContain('pw-secret');
        expect((e as Error).message).not.toContain('shh');
      }
    }
  });
});

describe('resolveSsoOptions: prepare', () => {
  it('is off by default; true is { ttlMs: 60000 }; ttlMs alone keeps it on', () => {
    expect(resolveSsoOptions(valid(), {}).prepare).toBe(false);
    expect(resolveSsoOptions({ ...valid(), prepare: true }, {}).prepare).toEqual({ ttlMs: 60_000 });
    expect(resolveSsoOptions({ ...valid(), prepare: {} }, {}).prepare).toEqual({ ttlMs: 60_000 });
    expect(resolveSsoOptions({ ...valid(), prepare: { ttlMs: 5000 } }, {}).prepare).toEqual({ ttlMs: 5000 });
  });
});

describe('resolveSsoOptions: defaults and environment', () => {
  it('without a constituent hook, reads the constituent luminateLogin() stored in the session', () => {
    const opts = valid();
    delete opts.constituent;
    const { constituent } = resolveSsoOptions(opts, {});
    const req = (session: unknown) => ({ session }) as never;
    expect(constituent(req({ luminateLogin: { consId: '1001641', mode: 'authenticateUser', at: 1 } }))).toEqual({ consId: '1001641' });
    expect(constituent(req({}))).toBeNull();
    expect(constituent(req(undefined))).toBeNull();
    expect(constituent(req({ luminateLogin: { consId: 'x y', mode: 'login' } }))).toBeNull();
  });

  it('fills every option left out from the environment', () => {
    const opts = valid();
    delete opts.luminate;
    const resolved = resolveSsoOptions(opts, {
      LUMINATE_SECURE_URL: `${SITE}/`,
      LUMINATE_API_KEY: 'envkey',
      LUMINATE_API_LOGIN_NAME: 'envadmin',
      LUMINATE_API_LOGIN_PASSWORD: 'envpw',
      LUMINATE_API_SECRET_KEY: 'envsecret',
      LUMINATE_SIGNATURE_ALGORITHM: 'sha1',
    });
    expect(resolved).toMatchObject({
      secureUrl: SITE,
      apiKey: 'envkey',
      apiLogin: { name: 'envadmin', password: 'envpw' },
      apiSecretKey: 'envsecret',
      signatureAlgorithm: 'sha1',
    });
  });

  it('prefers the options object over the environment', () => {
    const resolved = resolveSsoOptions(valid(), { LUMINATE_API_KEY: 'envkey' });
    expect(resolved.apiKey).toBe('key123');
  });

  it('has documented defaults', () => {
    const resolved = resolveSsoOptions(valid(), {});
    expect(resolved).toMatchObject({
      handoff: 'singleSignOn',
      onFailure: 'continue',
      rememberMe: false,
      loginReturnParam: 'returnTo',
      paths: { start: '/luminate/sso', callback: '/luminate/sso/callback' },
      signatureAlgorithm: 'md5',
      timeoutMs: 5000,
      callbackMaxAgeSeconds: 300,
      // The narrow default (issue 18 §1): donation, TeamRaiser, content, store and event pages, not all of /site/.
      destinations: { allow: ['Donation2', 'TR', 'TRR', 'SPageServer', 'SPageNavigator', 'PageServer', 'PageNavigator', 'Ecommerce', 'Calendar'].map((servlet) => `${SITE}/site/${servlet}`) },
      attribution: { fixed: {}, fromQuery: false },
    });
  });

  it('keeps a static attribution and a per-request one apart', () => {
    const fixed = valid();
    fixed.attribution = { source: 'partner-acme', subSource: 'spring', fromQuery: true };
    expect(resolveSsoOptions(fixed, {}).attribution).toEqual({ fixed: { source: 'partner-acme', subSource: 'spring' }, fromQuery: true });
    const perRequest = valid();
    const fn = () => ({ source: 'x' });
    perRequest.attribution = fn;
    expect(resolveSsoOptions(perRequest, {}).attribution).toEqual({ fixed: {}, fromQuery: false, perRequest: fn });
  });

  it('a refused destinations.default names itself and the allow list in effect, as luminateSso() (issue 17 §2)', () => {
    const opts = valid();
    opts.destinations.default = `${SITE}/site/UserCenter`;
    expect(() => resolveSsoOptions(opts, {})).toThrow(new TypeError(
      `luminateSso(): destinations.default "${SITE}/site/UserCenter" is refused by the destination policy (path-not-allowed); ` +
        `the allow list in effect is [${['Donation2', 'TR', 'TRR', 'SPageServer', 'SPageNavigator', 'PageServer', 'PageNavigator', 'Ecommerce', 'Calendar'].map((s) => `'${SITE}/site/${s}'`).join(', ')}]. ` +
        'Set it to an absolute URL under one of those, or add its prefix to destinations.allow.',
    ));
    // Widening the allow list is how such a default is kept.
    opts.destinations.allow = [`${SITE}/site/`];
    expect(resolveSsoOptions(opts, {}).destinations.default).toBe(`${SITE}/site/UserCenter`);
  });

  it('accepts http only for loopback stand-ins', () => {
    const opts = valid();
    opts.luminate.secureUrl = 'http://127.0.0.1:4010/fakeorg';
    opts.destinations.default = 'http://127.0.0.1:4010/fakeorg/site/Donation2?df_id=1';
    expect(resolveSsoOptions(opts, {}).secureUrl).toBe('http://127.0.0.1:4010/fakeorg');
  });
});
