import { createHash } from 'node:crypto';
import type { LuminateSsoOptions } from '../../src';
import { errorRedirectPattern, parseAutoPostForm } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';
import { openRedirectPayloads } from '../helpers/payloads';
import { reportCounts } from './counts';
import { getRequest, rawRequest, type RawResponse } from './raw-http';

/**
 * Hostile visitor input against real Express apps with luminateSso(), over raw loopback sockets
 * (so nothing is normalised on the way): the open-redirect corpus and more as `next`, over-long
 * query strings, header-injection attempts, and forged, expired and replayed callbacks.
 * The destination policy itself is unit-tested in test/sso/destinations.test.ts (same corpus);
 * the callback's happy path and first refusals in test/sso/callback.test.ts.
 */

/** The prefix the corpus is written against (test/fixtures/open-redirect-payloads.txt). */
const CORPUS_PREFIX = 'https://secure2.convio.net/myorg/site/';
const payloads = openRedirectPayloads();

type AppName = 'singleSignOn' | 'establishSession' | 'anonymousToLogin' | 'anonymousAsGuest' | 'failingToGuest';
const APP_NAMES: AppName[] = ['singleSignOn', 'establishSession', 'anonymousToLogin', 'anonymousAsGuest', 'failingToGuest'];

const fake = useFakeLuminate();
let allowedPrefixes: string[];
let fallback: string;
const apps = new Map<AppName | 'errorPolicy', HostApp>();
const counts = { nextPayloads: 0, nextPayloadsRaw: 0, requests: 0, overLong: 0, headerInjection: 0, callbackForgeries: 0 };

beforeAll(async () => {
  allowedPrefixes = [CORPUS_PREFIX, `${fake.secureUrl}/site/`];
  fallback = `${fake.secureUrl}/site/Donation2?df_id=1`;
  const common: Partial<LuminateSsoOptions> = {
    destinations: { allow: allowedPrefixes, default: fallback },
    throttle: false, // hundreds of clicks by one visitor: the token throttle is not what is tested here
  };
  const variants: Array<[AppName | 'errorPolicy', Partial<LuminateSsoOptions>]> = [
    ['singleSignOn', { constituent: () => ({ consId: '1001641' }) }],
    ['establishSession', { constituent: () => ({ consId: '1001641' }), handoff: 'establishSession' }],
    ['anonymousToLogin', { constituent: () => null }],
    ['anonymousAsGuest', { constituent: () => null, loginUrl: undefined }],
    ['failingToGuest', { constituent: () => ({ consId: '999999' }) }], // unknown to Luminate: the failure policy
    ['errorPolicy', { constituent: () => ({ consId: '1001641' }), onFailure: 'error' }],
  ];
  for (const [name, over] of variants) apps.set(name, await startHostApp(fake, { ...common, ...over }));
});
afterAll(async () => {
  for (const app of apps.values()) await app.close();
  reportCounts('visitor-input', counts);
});

const appOf = (name: AppName | 'errorPolicy'): HostApp => apps.get(name)!;
const portOf = (app: HostApp): number => Number(new URL(app.url).port);
const hostOf = (app: HostApp): string => new URL(app.url).host;

async function send(name: AppName | 'errorPolicy', target: string, extraLines: string[] = []): Promise<RawResponse> {
  const app = appOf(name);
  counts.requests += 1;
  return rawRequest(portOf(app), getRequest(target, hostOf(app), extraLines));
}

const headerValues = (res: RawResponse, name: string): string[] => res.headers.filter(([n]) => n === name).map(([, v]) => v);

/** Nothing a visitor sent became a header of its own, and the head is plain CRLF-separated lines. */
function expectNoInjectedHeader(res: RawResponse): void {
  for (const [name] of res.headers) expect(name).toMatch(/^[a-z0-9-]+$/);
  expect(res.headers.map(([n]) => n)).not.toContain('x-injected');
  expect(headerValues(res, 'set-cookie')).toEqual([]);
  expect(headerValues(res, 'location').length).toBeLessThanOrEqual(1);
  expect(res.head.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
}

/** Independent of the bridge's policy: printable ASCII, https or http origin and path under an allowed prefix. */
function isAllowed(destination: string): boolean {
  if (!/^[\x21-\x7e]+$/.test(destination)) return false;
  let url: URL;
  try {
    url = new URL(destination);
  } catch {
    return false;
  }
  if (url.href !== destination || url.username !== '' || url.password !== '') return false;
  return allowedPrefixes.some((p) => {
    const prefix = new URL(p);
    return url.origin === prefix.origin && url.pathname.startsWith(prefix.pathname);
  });
}

/**
 * Where each app sends the visitor for this start-route query, read from what the browser would
 * follow: the auto-post form (singleSignOn), NEXTURL (EstablishSession), Location (guests).
 * `undefined` for the login redirect, which carries no destination (checked to stay on this site).
 */
async function destinationFrom(name: AppName, query: string): Promise<string | undefined> {
  const app = appOf(name);
  const res = await send(name, `/luminate/sso?${query}`);
  expectNoInjectedHeader(res);
  const location = headerValues(res, 'location')[0];
  switch (name) {
    case 'singleSignOn': {
      expect(res.status).toBe(200);
      const form = parseAutoPostForm(res.body, app.url);
      expect(form?.action).toBe(`${fake.secureUrl}/site/CRConsAPI`);
      const fields = new Map(form!.fields);
      const destination = fields.get('success_redirect')!;
      expect(fields.get('error_redirect')).toMatch(errorRedirectPattern(`${app.url}/luminate/sso/callback?next=${encodeURIComponent(destination)}`));
      // The page may post only to Luminate and to this site's callback.
      const formAction = /form-action ([^;]*)/.exec(headerValues(res, 'content-security-policy')[0] ?? '')?.[1];
      expect(formAction?.split(' ').sort()).toEqual([...new Set([new URL(fake.secureUrl).origin, new URL(app.url).origin, new URL(destination).origin])].sort());
      return destination;
    }
    case 'establishSession': {
      expect(res.status).toBe(302);
      const url = new URL(location!);
      expect(url.origin + url.pathname).toMatch(new RegExp(`^${fake.secureUrl}/site/EstablishSession(;jsessionid=[A-Za-z0-9._-]+)?$`));
      return url.searchParams.get('NEXTURL')!;
    }
    case 'anonymousToLogin': {
      expect(res.status).toBe(302);
      expect(location).toMatch(/^\/login\?returnTo=/);
      const returnTo = new URL(location!, app.url).searchParams.get('returnTo')!;
      expect(returnTo.startsWith('/luminate/sso?')).toBe(true); // a path on this site, never `//host`
      expect(new URL(returnTo, app.url).origin).toBe(new URL(app.url).origin);
      return undefined;
    }
    default:
      expect(res.status).toBe(302);
      return location;
  }
}

/** Every app answers this query with the default destination (or a login redirect). */
async function expectFallbackEverywhere(query: string): Promise<void> {
  for (const name of APP_NAMES) {
    const destination = await destinationFrom(name, query);
    if (name !== 'anonymousToLogin') expect(destination).toBe(fallback);
  }
}

/** Every app keeps the visitor within the allowed destinations. */
async function expectAllowedEverywhere(query: string): Promise<void> {
  for (const name of APP_NAMES) {
    const destination = await destinationFrom(name, query);
    if (destination !== undefined) expect(isAllowed(destination)).toBe(true);
  }
}

describe('`next`: the open-redirect corpus through the start route', () => {
  it('holds at least 100 payloads', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(100);
  });

  // Encoded once on the wire, so the bridge sees exactly the payload (which may itself be encoded).
  it.each(payloads.map((p) => [JSON.stringify(p), p]))('refuses %s', async (_label, payload) => {
    counts.nextPayloads += 1;
    await expectFallbackEverywhere(`next=${encodeURIComponent(payload)}`);
  });

  // As written on the request line, so the payload's own %-escapes are decoded once by the server.
  const raw = payloads.filter((p) => /^[\x21-\x7e]+$/.test(p) && !p.includes('#'));
  it.each(raw.map((p) => [p]))('sent unencoded, %s still ends within the allowed destinations', async (payload) => {
    counts.nextPayloadsRaw += 1;
    await expectAllowedEverywhere(`next=${payload}`);
  });
});

describe('`next` in other shapes', () => {
  it.each([
    ['repeated', (d: string) => `next=${encodeURIComponent(d)}&next=${encodeURIComponent('https://evil.example/')}`],
    ['as an array', (d: string) => `next[]=${encodeURIComponent(d)}`],
    ['as an object', (d: string) => `next[url]=${encodeURIComponent(d)}`],
    ['under __proto__', (d: string) => `__proto__[next]=${encodeURIComponent(d)}&next[__proto__]=x`],
    ['empty', () => 'next='],
    ['without a value', () => 'next'],
  ])('%s → the default destination', async (_t, query) => {
    await expectFallbackEverywhere(query(`${fake.secureUrl}/site/Donation2?df_id=9`));
  });
});

describe('over-long query strings', () => {
  it('a `next` over 2,048 characters (8 KB and 15 KB) → the default destination', async () => {
    for (const size of [2049, 8 * 1024, 15 * 1024]) {
      counts.overLong += 1;
      const long = `${fake.secureUrl}/site/Donation2?df_id=1&pad=${'a'.repeat(size)}`;
      await expectFallbackEverywhere(`next=${encodeURIComponent(long)}`);
    }
  });

  it('thousands of parameters before `next` → within the allowed destinations', async () => {
    counts.overLong += 1;
    const many = Array.from({ length: 1500 }, (_, i) => `p${i}=1`).join('&');
    await expectAllowedEverywhere(`${many}&next=${encodeURIComponent('https://evil.example/')}`);
  });

  it.each([100 * 1024, 1024 * 1024])('a %i-byte query string is answered 431 by Node, and the app keeps serving', async (size) => {
    counts.overLong += 1;
    const res = await send('singleSignOn', `/luminate/sso?next=${'a'.repeat(size)}`);
    // Node refuses request heads over --max-http-header-size (16 KB) before Express sees them.
    expect(res.status).toBe(431);
    expect(headerValues(res, 'location')).toEqual([]);
    expect((await send('singleSignOn', `/luminate/sso?next=${encodeURIComponent(fallback)}`)).status).toBe(200);
  });
});

describe('header injection', () => {
  const allowed = (): string => `${fake.secureUrl}/site/Donation2?df_id=5`;
  // CR/LF raw, encoded, and as characters some servers truncate to \r\n (U+560D U+560A, U+010D U+010A).
  const suffixes = [
    '\r\nX-Injected: 1', '\nSet-Cookie: injected=1', '\rX-Injected: 1', '&q=%0d%0aX-Injected:%201', '&q=%0aSet-Cookie:%20injected=1',
    '&q=\u560d\u560aX-Injected: 1', '&q=\u010d\u010aX-Injected: 1', '&q=\u2028X-Injected: 1', '&q=\u0085X-Injected: 1',
    '%0d%0aX-Injected:%201', '&q=\u0000X-Injected: 1',
  ];

  it.each(suffixes.map((s) => [JSON.stringify(s), s]))('in `next` (%s): no header of its own, destination allowed', async (_l, suffix) => {
    counts.headerInjection += 1;
    await expectAllowedEverywhere(`next=${encodeURIComponent(allowed() + suffix)}`);
  });

  it.each(['%0d%0aX-Injected:%201', '%E5%98%8D%E5%98%8AX-Injected:%201', '%C4%8D%C4%8AX-Injected:%201'])(
    'in the return path to loginUrl (%s): kept inside the returnTo value',
    async (suffix) => {
      counts.headerInjection += 1;
      const res = await send('anonymousToLogin', `/luminate/sso?next=${encodeURIComponent(allowed())}${suffix}`);
      expectNoInjectedHeader(res);
      expect(res.status).toBe(302);
      const returnTo = new URL(headerValues(res, 'location')[0]!, 'http://x.invalid').searchParams.get('returnTo')!;
      expect(returnTo.startsWith('/luminate/sso?next=')).toBe(true);
    },
  );

  // Raw bytes an HTTP client would refuse to send. Node's parser answers 400 before the app runs,
  // except for a bare LF, which it takes as a line end (the rest becomes a request header).
  it.each([
    ['a bare CR in the request line', [400], (h: string) => `GET /luminate/sso?next=a\rX-Injected: 1 HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\n\r\n`],
    ['a bare LF in the request line', [200, 400], (h: string) => `GET /luminate/sso?next=a\nX-Injected: 1 HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\n\r\n`],
    ['a bare CR in a header value', [400], (h: string) => `GET /luminate/sso HTTP/1.1\r\nHost: ${h}\rX-Injected: 1\r\nConnection: close\r\n\r\n`],
    ['a NUL in a header value', [400], (h: string) => `GET /luminate/sso HTTP/1.1\r\nHost: ${h}\r\nX-Forwarded-Host: a\u0000X-Injected: 1\r\nConnection: close\r\n\r\n`],
    ['an obs-fold continuation', [400], (h: string) => `GET /luminate/sso HTTP/1.1\r\nHost: ${h}\r\nX-Forwarded-Host: a.example\r\n X-Injected: 1\r\nConnection: close\r\n\r\n`],
  ])('%s → %j, no header injected', async (_t, statuses, request) => {
    counts.headerInjection += 1;
    const app = appOf('singleSignOn');
    counts.requests += 1;
    const res = await rawRequest(portOf(app), request(hostOf(app)));
    expect(statuses).toContain(res.status);
    expectNoInjectedHeader(res);
  });

  // The callback URL is built from Host / X-Forwarded-Host (the harness trusts loopback proxies):
  // anything that is not a plain host name must not reach the page, the CSP or a header.
  it.each([
    ['Host', 'evil.example;script-src *'],
    ['Host', 'localhost, evil.example'],
    ['Host', 'localhost" onload="alert(1)'],
    ['Host', 'localhost/evil.example'],
    ['Host', 'localhost\u00e9.evil.example'],
    ['X-Forwarded-Host', 'evil.example;form-action *'],
    ['X-Forwarded-Host', 'evil.example\u0085'],
    ['X-Forwarded-Host', 'a.example\u00a0evil.example'],
    ['X-Forwarded-Host', '[::1]:1/evil.example'],
  ])('%s: %j → SSO_INVALID_HOST, on to the destination as a guest', async (header, value) => {
    counts.headerInjection += 1;
    const app = appOf('singleSignOn');
    const before = app.errors.length;
    const lines = header === 'Host' ? [] : [`${header}: ${value}`];
    const host = header === 'Host' ? value : hostOf(app);
    counts.requests += 1;
    const res = await rawRequest(portOf(app), Buffer.from(getRequest(`/luminate/sso?next=${encodeURIComponent(allowed())}`, host, lines), 'latin1'));
    expectNoInjectedHeader(res);
    expect(res.status).toBe(302);
    expect(headerValues(res, 'location')).toEqual([allowed()]);
    expect(res.head).not.toMatch(/evil|onload|script-src \*|form-action \*/);
    expect(app.errors.slice(before).map((e) => e.code)).toEqual(['SSO_INVALID_HOST']);
  });
});

describe('forged, expired and replayed callbacks', () => {
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);
  const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');
  const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex');
  const prefix = (next = fallback, code = '7'): string => `next=${encodeURIComponent(next)}&code=${code}`;
  /** Signed as Luminate signs: hash(<query before the signature> + secret), ts added first. */
  const signed = (query: string, secret = fake.apiSecretKey, hash = md5): string => `${query}&signature=${hash(query + secret)}`;
  const withTs = (query: string, ts: number | string = nowSeconds()): string => `${query}&ts=${ts}`;
  // Two callbacks signed in the same second with the same content are one callback: keep them apart.
  let serial = 0;
  const fresh = (): string => `${prefix()}&attempt=${(serial += 1)}`;

  type Forgery = [title: string, query: () => string, code: 'SSO_CALLBACK_SIGNATURE_INVALID' | 'SSO_CALLBACK_EXPIRED'];
  const forgeries: Forgery[] = [
    ['unsigned', () => withTs(prefix()), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signed with another secret', () => signed(withTs(prefix()), 'not-the-secret'), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signed with an empty secret', () => signed(withTs(prefix()), ''), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['next swapped after signing', () => signed(withTs(prefix())).replace(encodeURIComponent(fallback), encodeURIComponent(`${fake.secureUrl}/site/Donation2?df_id=2`)), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['code changed after signing', () => signed(withTs(prefix())).replace('code=7', 'code=0'), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['ts changed after signing', () => { const ts = nowSeconds(); return signed(withTs(prefix(), ts)).replace(`ts=${ts}`, `ts=${ts + 1}`); }, 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signature cut to 31 digits', () => signed(withTs(prefix())).slice(0, -1), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signature with a 33rd digit', () => `${signed(withTs(prefix()))}0`, 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signature not hex', () => `${withTs(prefix())}&signature=${'z'.repeat(32)}`, 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signature empty', () => `${withTs(prefix())}&signature=`, 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signature percent-encoded', () => signed(withTs(prefix())).replace(/signature=(.)/, (_m, c: string) => `signature=%${c.charCodeAt(0).toString(16)}`), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signature given twice', () => { const s = signed(withTs(prefix())); return `${s}&${s.slice(s.indexOf('signature='))}`; }, 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['both sig and signature', () => { const s = signed(withTs(prefix())); return s.replace('&signature=', `&sig=${md5('x')}&signature=`); }, 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['a parameter after the signature', () => `${signed(withTs(prefix()))}&next=${encodeURIComponent('https://evil.example/')}`, 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['a SHA-1 signature on an MD5 site', () => signed(withTs(prefix()), fake.apiSecretKey, sha1), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signed without ts', () => signed(prefix()), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signed with ts twice', () => signed(withTs(withTs(prefix()))), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signed with ts not a number', () => signed(withTs(prefix(), 'soon')), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signed with ts negative', () => signed(withTs(prefix(), -nowSeconds())), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signed with ts in milliseconds', () => signed(withTs(prefix(), Date.now())), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['signed with 8 KB of padding and another secret', () => signed(withTs(`${prefix()}&pad=${'a'.repeat(8192)}`), 'x'), 'SSO_CALLBACK_SIGNATURE_INVALID'],
    ['expired: signed 301 s ago', () => signed(withTs(prefix(), nowSeconds() - 301)), 'SSO_CALLBACK_EXPIRED'],
    ['expired: signed a day ago', () => signed(withTs(prefix(), nowSeconds() - 86_400)), 'SSO_CALLBACK_EXPIRED'],
    ['expired: ts 0', () => signed(withTs(prefix(), 0)), 'SSO_CALLBACK_EXPIRED'],
    ['from the future: 301 s ahead', () => signed(withTs(prefix(), nowSeconds() + 301)), 'SSO_CALLBACK_EXPIRED'],
  ];

  it.each(forgeries)('%s → 400 with %s, nothing it carried followed', async (_t, query, code) => {
    counts.callbackForgeries += 1;
    const app = appOf('singleSignOn');
    const before = app.errors.length;
    const res = await send('singleSignOn', `/luminate/sso/callback?${query()}`);
    expectNoInjectedHeader(res);
    expect(res.status).toBe(400);
    expect(headerValues(res, 'location')).toEqual([]);
    expect(res.body).toContain(`href="${fallback}"`);
    expect(res.body).not.toMatch(/evil|df_id=2/);
    expect(app.errors.slice(before).map((e) => e.code)).toEqual([code]);
    // Under onFailure 'error' the same callback reaches the host's error handler with the code.
    const strict = await send('errorPolicy', `/luminate/sso/callback?${query()}`);
    expect(strict.status).toBe(400);
    expect(JSON.parse(strict.body)).toEqual({ code });
  });

  it('a replay is refused, also with the signature in upper case', async () => {
    counts.callbackForgeries += 2;
    const app = appOf('singleSignOn');
    const before = app.errors.length;
    const query = signed(withTs(fresh()));
    const first = await send('singleSignOn', `/luminate/sso/callback?${query}`);
    expect(first.status).toBe(302);
    expect(headerValues(first, 'location')).toEqual([fallback]);
    const again = await send('singleSignOn', `/luminate/sso/callback?${query}`);
    const upper = await send('singleSignOn', `/luminate/sso/callback?${query.replace(/signature=(\w+)$/, (_m, s: string) => `signature=${s.toUpperCase()}`)}`);
    for (const res of [again, upper]) {
      expect(res.status).toBe(400);
      expect(headerValues(res, 'location')).toEqual([]);
    }
    expect(app.errors.slice(before).map((e) => e.code)).toEqual(['SSO_CALLBACK_ERROR', 'SSO_CALLBACK_REPLAYED', 'SSO_CALLBACK_REPLAYED']);
  });

  it('ten copies of one callback at once: exactly one is followed', async () => {
    counts.callbackForgeries += 10;
    const query = signed(withTs(fresh()));
    const answers = await Promise.all(Array.from({ length: 10 }, () => send('singleSignOn', `/luminate/sso/callback?${query}`)));
    expect(answers.map((r) => r.status).sort()).toEqual([302, ...Array<number>(9).fill(400)]);
  });

  it.each([
    ['a next off the allow list', () => signed(withTs(prefix('https://evil.example/')))],
    ['a next with CR LF', () => signed(withTs(prefix(`${fallback}\r\nX-Injected: 1`)))],
    ['a code with CR LF', () => signed(withTs(prefix(fallback, encodeURIComponent('7\r\nX-Injected: 1'))))],
  ])('correctly signed with %s → on to the default destination, nothing injected', async (_t, query) => {
    counts.callbackForgeries += 1;
    const res = await send('singleSignOn', `/luminate/sso/callback?${query()}`);
    expectNoInjectedHeader(res);
    expect(res.status).toBe(302);
    expect(headerValues(res, 'location')).toEqual([fallback]);
  });
});
