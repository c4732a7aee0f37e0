import { luminateLogin } from '../../src';
import { resolveLoginOptions } from '../../src/login/resolve-options';
import { resolveReturnTo } from '../../src/login/return-to';

const SITE = 'https://secure2.convio.net/myorg';

function valid(): Record<string, any> {
  return {
    luminate: { secureUrl: SITE, apiKey: 'key123', apiLogin: { name: 'apiadmin', password: 'pw-secret' }, apiSecretKey: 'shh' },
    mode: 'authenticateUser',
    fields: ['member_id', 'last_name'],
    formUrl: '/member-login',
  };
}

type Row = [title: string, change: (o: Record<string, any>) => unknown, message: RegExp];

const rows: Row[] = [
  ['options not an object', () => null, /luminateLogin\(\): expected an options object/],
  ['unknown top-level key', (o) => { o.feilds = []; return o; }, /unknown option "options\.feilds"/],
  ['site settings: the same rules as luminateSso, named for luminateLogin', (o) => { delete o.luminate.apiSecretKey; return o; }, /^luminateLogin\(\): luminate\.apiSecretKey \(or env LUMINATE_API_SECRET_KEY\) is missing/],
  ['baseUrl with a query', (o) => { o.baseUrl = 'https://www.example.org/?x'; return o; }, /^luminateLogin\(\): baseUrl must be an http\(s\) URL without credentials/],
  ['mode missing', (o) => { delete o.mode; return o; }, /mode is required: 'authenticateUser' .* or 'login'/],
  ['fields missing for authenticateUser', (o) => { delete o.fields; return o; }, /fields is required for mode "authenticateUser"/],
  ['fields given for login', (o) => { o.mode = 'login'; return o; }, /fields is for mode "authenticateUser"/],
  ['a field name that is not a column name', (o) => { o.fields = ['member id']; return o; }, /fields\[0\] must be a Luminate column name/],
  ['a field the bridge uses itself', (o) => { o.fields = ['member_id', 'login_password']; return o; }, /fields\[1\] "login_password" is a name the bridge or Luminate uses itself/],
  ['the CSRF field as a field', (o) => { o.fields = ['_csrf']; return o; }, /fields\[0\] "_csrf" is a name/],
  ['a field twice', (o) => { o.fields = ['member_id', 'member_id']; return o; }, /fields must not name a field twice/],
  ['identifierField not among fields', (o) => { o.identifierField = 'zip'; return o; }, /identifierField must be one of fields \(member_id, last_name\)/],
  ['identifierField for login', (o) => { o.mode = 'login'; delete o.fields; o.identifierField = 'user_name'; return o; }, /identifierField is for mode "authenticateUser"/],
  ['formUrl missing', (o) => { delete o.formUrl; return o; }, /formUrl is required: the site path of the page with your login form/],
  ['formUrl to another site', (o) => { o.formUrl = '//evil.example/login'; return o; }, /formUrl must be a path on this site such as "\/member-login", got "\/\/evil\.example\/login"/],
  ['returnToParam invalid', (o) => { o.returnToParam = 'return to'; return o; }, /returnToParam must be a field name/],
  ['returnToParam that is a field', (o) => { o.returnToParam = 'last_name'; return o; }, /fields\[1\] "last_name" is a name the bridge or Luminate uses itself/],
  ['destinations not an object', (o) => { o.destinations = '/'; return o; }, /destinations must be an object \{ allow, default \}/],
  ['destinations.default on another site', (o) => { o.destinations = { default: 'https://evil.example/' }; return o; }, /^luminateLogin\(\): destinations\.default "https:\/\/evil\.example\/" is refused .* the allow list in effect is \['https:\/\/secure2\.convio\.net\/myorg\/site\/Donation2', .* may also be a site path/],
  ['destinations.allow empty', (o) => { o.destinations = { allow: [] }; return o; }, /destinations\.allow must be a non-empty array/],
  ['establishSession not a boolean', (o) => { o.establishSession = 'yes'; return o; }, /establishSession must be true or false/],
  ['afterLogout not a page', (o) => { o.afterLogout = 'javascript:alert(1)'; return o; }, /afterLogout must be a site path such as "\/" or an absolute http\(s\) URL/],
  ['paths.login not a path', (o) => { o.paths = { login: 'login' }; return o; }, /paths\.login must be a path starting with "\/"/],
  ['paths that clash', (o) => { o.paths = { logout: '/luminate/login' }; return o; }, /paths\.login, paths\.logout and paths\.logoutCallback must all differ/],
  ['unknown throttle key', (o) => { o.throttle = { perUser: false }; return o; }, /unknown option "throttle\.perUser"/],
  ['throttle rule too short', (o) => { o.throttle = { perIp: { limit: 5, windowMs: 10 } }; return o; }, /throttle\.perIp\.windowMs must be a whole number of ms between 1000 and 86400000/],
  ['store without the interface', (o) => { o.store = new Map(); return o; }, /store must implement the BridgeStore interface/],
  ['client not a client', (o) => { o.client = {}; return o; }, /client must be a LuminateClient instance/],
  ['signatureMaxAgeSeconds not positive', (o) => { o.signatureMaxAgeSeconds = 0; return o; }, /signatureMaxAgeSeconds must be a positive number of seconds/],
  ['onLogin not a function', (o) => { o.onLogin = true; return o; }, /onLogin must be a function: \(info, req\) => void/],
];

describe('resolveLoginOptions: each problem has its own message', () => {
  it.each(rows)('%s', (_title, change, message) => {
    const attempt = () => resolveLoginOptions(change(valid()), {});
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(message);
  });

  it('the messages are all different and never carry the password or secret key', () => {
    const messages = rows.map(([, change]) => {
      try {
        resolveLoginOptions(change(valid()), {});
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(new Set(messages).size).toBe(rows.length);
    for (const m of messages) expect(m).not.toMatch(/pw-secret|shh/);
  });
});

describe('resolveLoginOptions: defaults', () => {
  it('fills the defaults, and takes the site from the environment', () => {
    const opts = valid();
    delete opts.luminate;
    const resolved = resolveLoginOptions(opts, {
      LUMINATE_SECURE_URL: SITE, LUMINATE_API_KEY: 'k', LUMINATE_API_LOGIN_NAME: 'a', LUMINATE_API_LOGIN_PASSWORD: 'p', LUMINATE_API_SECRET_KEY: 's',
    });
    expect(resolved).toMatchObject({
      secureUrl: SITE, apiSecretKey: 's', signatureAlgorithm: 'md5', mode: 'authenticateUser', fields: ['member_id', 'last_name'],
      identifierField: 'member_id', returnToParam: 'returnTo', establishSession: true, afterLogout: '/',
      paths: { login: '/luminate/login', logout: '/luminate/logout', logoutCallback: '/luminate/logout/done' },
      throttle: { perIp: { limit: 20, windowMs: 900_000 }, perIdentifier: { limit: 5, windowMs: 900_000 } },
      signatureMaxAgeSeconds: 300,
    });
    expect(resolved.destinations.default).toBe('/');
    // The narrow default (issue 18 §1): donation, TeamRaiser, content, store and event pages, not all of /site/.
    expect(resolved.destinations.compiled.allow).toEqual(
      ['Donation2', 'TR', 'TRR', 'SPageServer', 'SPageNavigator', 'PageServer', 'PageNavigator', 'Ecommerce', 'Calendar'].map((servlet) => ({ origin: 'https://secure2.convio.net', pathPrefix: `/myorg/site/${servlet}` })),
    );
  });

  it('a site-path default is the login\'s own: the allow list is checked alone, and its first entry need not be a destination', () => {
    // A prefix under a redirector servlet is a valid allow entry (luminateSso takes it too); no
    // visitor is ever sent there, so it must not be made to stand in for the default.
    const opts = valid();
    opts.destinations = { allow: [`${SITE}/site/UserLogin`, `${SITE}/site/Donation2`], default: '/account' };
    const { destinations } = resolveLoginOptions(opts, {});
    expect(destinations.default).toBe('/account');
    expect(destinations.compiled.allow.map((entry) => entry.pathPrefix)).toEqual(['/myorg/site/UserLogin', '/myorg/site/Donation2']);
    expect(resolveReturnTo(`${SITE}/site/UserLogin?NEXTURL=https://evil.example/`, destinations.compiled, destinations.default)).toEqual({ url: '/account', refused: 'redirector' });
    expect(resolveReturnTo(`${SITE}/site/Donation2?df_id=1`, destinations.compiled, destinations.default)).toEqual({ url: `${SITE}/site/Donation2?df_id=1` });
  });

  it('mode login takes user_name and password, counted per user_name', () => {
    const opts = valid();
    opts.mode = 'login';
    delete opts.fields;
    expect(resolveLoginOptions(opts, {})).toMatchObject({ fields: ['user_name', 'password'], identifierField: 'user_name' });
  });

  it('luminateLogin refuses being mounted without options', () => {
    expect(() => (luminateLogin as unknown as (...a: unknown[]) => unknown)({ method: 'GET', headers: {}, url: '/' }, {}, () => undefined)).toThrow(/it looks like you wrote `app\.use\(luminateLogin\)`/);
  });
});
