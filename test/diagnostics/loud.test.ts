import { createHash } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { HANDOFF_CHANNEL_NAME, luminateSso, type BridgeEvent, type LuminateSsoOptions } from '../../src';
import type { LuminateError } from '../../src/errors';
import { TestBrowser } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { bridgeOptionsFor, startHostApp, type HostApp } from '../helpers/host-app';
import { listenOnLoopback, type ListeningApp } from '../helpers/listen';
import { fetchWithHeaders, postLogin, startLoginApp } from '../login/helpers';
import { freePort } from '../client/helpers';
import { MemoryStore } from '../../src';
import { newHandoffId } from '../../src/http/handoff-id';

/**
 * Issue 17 §1: failures that mean the site is misconfigured are reported without any option set,
 * once per code per few minutes, naming the error code and the fix, with no secret in the line.
 */

const SECRETS = { apiPassword: 'Loud-Admin-Pw-123', apiSecret: 'Loud-Api-Secret-456', apiKey: 'loud-api-key-789' };
const CLICKS = 6;

const fake = useFakeLuminate({
  apiKey: SECRETS.apiKey,
  apiLogin: { name: 'apiadmin', password: SECRETS.apiPassword },
  apiSecretKey: SECRETS.apiSecret,
});

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  jest.restoreAllMocks();
  for (const o of opened.splice(0).reverse()) await o.close();
});

/** A logger that keeps what it is told. */
function recorder(): { lines: string[]; warn(m: string): void; info(m: string): void; infos: string[] } {
  const lines: string[] = [];
  const infos: string[] = [];
  return { lines, infos, warn: (m) => lines.push(m), info: (m) => infos.push(m) };
}

/** The one line the logger got, ending in the warning code. */
function oneLine(log: { lines: string[] }, warningCode: string): string {
  expect(log.lines).toHaveLength(1);
  expect(log.lines[0]).toMatch(new RegExp(`\\[${warningCode}\\]$`));
  return log.lines[0]!;
}

function expectNoSecret(lines: string[], extra: string[] = []): void {
  const text = lines.join('\n');
  for (const secret of [...Object.values(SECRETS), ...extra]) expect(text).not.toContain(secret);
  for (const issued of fake.issuedTokens) {
    expect(text).not.toContain(issued.token);
    if (issued.nonce) expect(text).not.toContain(issued.nonce);
  }
}

async function host(over: Partial<LuminateSsoOptions>): Promise<HostApp> {
  const app = await startHostApp(fake, over);
  opened.push(app);
  return app;
}

/** A logged-in browser (cons_id 1001641) on the host app. */
async function loggedIn(app: HostApp): Promise<TestBrowser> {
  const browser = new TestBrowser();
  await browser.navigate(`${app.url}/login`, { method: 'POST', form: [['consId', '1001641']] });
  return browser;
}

async function clicks(browser: TestBrowser, url: string, n = CLICKS): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i += 1) statuses.push((await browser.fetch('GET', url)).status);
  return statuses;
}

/** A loopback "Luminate" whose server API always answers this errorResponse (HTTP 403). */
async function refusingUpstream(code: number, message: string): Promise<string> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(403, { 'content-type': 'text/xml' });
      res.end(`<errorResponse xmlns="http://convio.com/crm/v1.0"><code>${code}</code><message>${message}</message></errorResponse>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push({
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/loudorg`;
}

/**
 * A host app whose bridge runs without a session: express-session is not mounted, or (`sessionAfter`)
 * mounted after the bridge. `trust proxy` as given.
 */
async function bareApp(options: LuminateSsoOptions, trustProxy?: unknown, sessionAfter = false): Promise<{ url: string; errors: LuminateError[] }> {
  const errors: LuminateError[] = [];
  const app = express();
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
  const bridge = luminateSso({ ...options, onError: (e) => errors.push(e) });
  app.use(bridge);
  if (sessionAfter) app.use(session({ secret: 'loud-test-secret', resave: false, saveUninitialized: false }));
  app.use((err: LuminateError, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 500).json({ code: err.code });
  });
  const listening: ListeningApp = await listenOnLoopback(app);
  opened.push({ close: async () => { await listening.close(); await bridge.close(); } });
  return { url: `http://localhost:${listening.port}`, errors };
}

const destination = () => `${fake.secureUrl}/site/Donation2?df_id=1`;

describe('misconfiguration is reported once per code, with the fix, without any option', () => {
  it('wrong API key (error 2): one line for many clicks, naming LUMINATE_API_KEY_INVALID and luminate.apiKey', async () => {
    const log = recorder();
    const app = await host({ logger: log, luminate: { apiKey: 'not-the-key' } });
    expect(await clicks(await loggedIn(app), `${app.url}/luminate/sso`)).toEqual(Array(CLICKS).fill(302));
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(/^luminate-sso-bridge: luminateSso\(\): LUMINATE_API_KEY_INVALID \(Luminate error 2/);
    expect(log.lines[0]).toMatch(/Fix: set luminate\.apiKey \(env LUMINATE_API_KEY\) to the site's CONVIO_API_KEY/);
    expect(log.lines[0]).toContain('every visitor continues as a guest');
    expect(log.lines[0]).toMatch(/\[LUMINATE_SSO_API_KEY\]$/);
    expectNoSecret(log.lines, ['not-the-key']);
    // onError still sees every failure.
    expect(app.errors.map((e) => e.code)).toEqual(Array(CLICKS).fill('LUMINATE_API_KEY_INVALID'));
  });

  it('wrong API password (error 3): one line naming the API login settings, never the password', async () => {
    const log = recorder();
    const app = await host({ logger: log, luminate: { apiLogin: { name: 'apiadmin', password: 'Wrong-Pw-000' } } });
    await clicks(await loggedIn(app), `${app.url}/luminate/sso`);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain('LUMINATE_AUTH_FAILED');
    expect(log.lines[0]).toContain('luminate.apiLogin.password (env LUMINATE_API_LOGIN_PASSWORD)');
    expectNoSecret(log.lines, ['Wrong-Pw-000']);
  });

  it('IP not on the white list (error 4): the line names the IP Luminate saw', async () => {
    const log = recorder();
    const secureUrl = await refusingUpstream(4, 'Request not allowed from this IP address: 198.51.100.23');
    const app = await host({ logger: log, luminate: { secureUrl }, destinations: { default: `${secureUrl}/site/Donation2?df_id=1` } });
    await clicks(await loggedIn(app), `${app.url}/luminate/sso`);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain('LUMINATE_IP_NOT_ALLOWED');
    expect(log.lines[0]).toMatch(/Fix: add 198\.51\.100\.23 \(the address Luminate saw.*Remote IP address white list/);
  });

  it('a hook returning a number id: one line saying what it returned', async () => {
    const log = recorder();
    const app = await host({ logger: log, constituent: () => ({ consId: 1001641 }) as never });
    await clicks(new TestBrowser(), `${app.url}/luminate/sso`);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain('SSO_CONSTITUENT_HOOK_FAILED');
    expect(log.lines[0]).toContain('it returned { consId: number }');
    expect(log.lines[0]).toContain('Fix: return { consId } or { memberId } as a non-empty string (e.g. { consId: String(user.consId) })');
    expect(log.lines[0]).not.toContain('1001641');
  });

  it('a hook that throws because express-session is not mounted: "mount express-session before the bridge"', async () => {
    const log = recorder();
    const app = await bareApp(bridgeOptionsFor(fake, { logger: log }));
    const browser = new TestBrowser();
    expect(await clicks(browser, `${app.url}/luminate/sso`)).toEqual(Array(CLICKS).fill(302));
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(/the constituent hook threw \(TypeError: Cannot read properties of undefined/);
    expect(log.lines[0]).toContain('req.session is undefined: mount express-session before the bridge');
  });

  it("a hook's own error message (the host's text) stays out of the line; its class and code are there", async () => {
    const log = recorder();
    const app = await host({
      logger: log,
      constituent: () => {
        throw Object.assign(new Error('db password is hunter2'), { code: 'ECONNREFUSED' });
      },
    });
    await clicks(new TestBrowser(), `${app.url}/luminate/sso`, 2);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain('the constituent hook threw (Error, code ECONNREFUSED;');
    expect(log.lines.join('\n')).not.toContain('hunter2');
    expect((app.errors[0]!.cause as Error).message).toContain('hunter2');
  });

  it.each([
    ['not mounted', false],
    ['mounted after the bridge', true],
  ])('no constituent hook and express-session %s: the default hook warns once', async (_t, sessionAfter) => {
    const log = recorder();
    const { constituent: _c, ...options } = bridgeOptionsFor(fake, { logger: log, loginUrl: undefined });
    const app = await bareApp(options, undefined, sessionAfter);
    await clicks(new TestBrowser(), `${app.url}/luminate/sso`);
    expect(oneLine(log, 'LUMINATE_SSO_NO_SESSION')).toContain('req.session is undefined, so the default constituent hook (loggedInConstituent) finds nobody. Fix: mount express-session before the bridge');
  });

  it('Luminate not reachable at secureUrl (connection refused): one line naming the setting', async () => {
    const log = recorder();
    const secureUrl = `http://127.0.0.1:${await freePort()}/loudorg`;
    const app = await host({ logger: log, luminate: { secureUrl }, destinations: { default: `${secureUrl}/site/Donation2?df_id=1` } });
    await clicks(await loggedIn(app), `${app.url}/luminate/sso`, 3);
    expect(oneLine(log, 'LUMINATE_SSO_UNREACHABLE')).toMatch(/LUMINATE_CONNECTION_REFUSED.*check the host and port in luminate\.secureUrl \(env LUMINATE_SECURE_URL\)/);
  });

  it('a store that cannot answer (e.g. Redis down): one line', async () => {
    const log = recorder();
    const store = new MemoryStore();
    store.increment = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const app = await host({ logger: log, store });
    await clicks(await loggedIn(app), `${app.url}/luminate/sso`, 3);
    expect(oneLine(log, 'LUMINATE_SSO_STORE')).toMatch(/SSO_STORE_UNAVAILABLE.*code ECONNREFUSED/);
  });

  it('Luminate trouble that passes (HTTP 503, timeouts, resets) stays quiet', async () => {
    const log = recorder();
    const app = await host({ logger: log });
    const browser = await loggedIn(app);
    for (const faults of [{ status: 503 }, { reset: true }, { latencyMs: 2000 }]) {
      Object.assign(fake.faults, faults);
      await clicks(browser, `${app.url}/luminate/sso`, 1);
      fake.reset();
    }
    expect(app.errors.map((e) => e.code)).toEqual(['LUMINATE_HTTP_ERROR', 'LUMINATE_CONNECTION_RESET', 'LUMINATE_TIMEOUT']);
    expect(log.lines).toEqual([]);
  });

  describe('callback signatures', () => {
    /** A callback whose URL the bridge made (`hid`), as Luminate would sign it with `secret` and `algorithm`. */
    function signed(app: HostApp, secret: string, algorithm: 'md5' | 'sha1', hid: string): string {
      const query = `next=${encodeURIComponent(destination())}&hid=${hid}&code=7&ts=${Math.floor(Date.now() / 1000)}`;
      const signature = createHash(algorithm).update(query + secret).digest('hex');
      return `${app.url}/luminate/sso/callback?${query}&signature=${signature}`;
    }

    it('a 40-hex (sha1) signature on an md5 site: the line says set signatureAlgorithm to sha1', async () => {
      const log = recorder();
      const app = await host({ logger: log });
      const browser = new TestBrowser();
      for (let i = 0; i < CLICKS; i += 1) expect((await browser.fetch('GET', signed(app, SECRETS.apiSecret, 'sha1', newHandoffId(SECRETS.apiSecret)))).status).toBe(400);
      expect(log.lines).toHaveLength(1);
      expect(log.lines[0]).toContain('SSO_CALLBACK_SIGNATURE_INVALID');
      expect(log.lines[0]).toContain("40 hex characters, which is sha1, but signatureAlgorithm is 'md5'");
      expect(log.lines[0]).toContain("set luminate.signatureAlgorithm (env LUMINATE_SIGNATURE_ALGORITHM) to 'sha1'");
      expectNoSecret(log.lines);
    });

    it('a 32-hex signature on a sha1 site says md5', async () => {
      const log = recorder();
      const app = await host({ logger: log, luminate: { signatureAlgorithm: 'sha1' } });
      await new TestBrowser().fetch('GET', signed(app, SECRETS.apiSecret, 'md5', newHandoffId(SECRETS.apiSecret)));
      expect(log.lines).toHaveLength(1);
      expect(log.lines[0]).toContain("to 'md5'");
    });

    it('a signature of the right length that does not match: the line names apiSecretKey', async () => {
      const log = recorder();
      const app = await host({ logger: log });
      const browser = new TestBrowser();
      for (let i = 0; i < 3; i += 1) await browser.fetch('GET', signed(app, 'another-secret', 'md5', newHandoffId(SECRETS.apiSecret)));
      expect(log.lines).toHaveLength(1);
      expect(log.lines[0]).toContain('set luminate.apiSecretKey (env LUMINATE_API_SECRET_KEY)');
      expectNoSecret(log.lines, ['another-secret']);
    });
  });

  it('after the interval (5 minutes) the same code is reported again; the clock is Date.now', async () => {
    const log = recorder();
    const app = await host({ logger: log, luminate: { apiKey: 'not-the-key' } });
    const browser = await loggedIn(app);
    const realNow = Date.now.bind(Date);
    let offset = 0;
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    await clicks(browser, `${app.url}/luminate/sso`, 2);
    offset = 4 * 60_000;
    await clicks(browser, `${app.url}/luminate/sso`, 2);
    expect(log.lines).toHaveLength(1);
    offset = 5 * 60_000 + 1000;
    await clicks(browser, `${app.url}/luminate/sso`, 2);
    expect(log.lines).toHaveLength(2);
  });

  it('without a logger option the line goes to process.emitWarning, with a type and a code', async () => {
    // Jest's sandbox has its own `process` object, so the warning event itself is not seen here:
    // the call is (Node then prints "(node:…) [LUMINATE_SSO_API_KEY] LuminateSsoBridgeWarning: …" on stderr).
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const app = await host({ luminate: { apiKey: 'not-the-key' } });
    await clicks(await loggedIn(app), `${app.url}/luminate/sso`, 3);
    const ours = emitWarning.mock.calls.filter((c) => (c[1] as { type?: string } | undefined)?.type === 'LuminateSsoBridgeWarning');
    expect(ours).toHaveLength(1);
    expect(ours[0]![1]).toEqual({ type: 'LuminateSsoBridgeWarning', code: 'LUMINATE_SSO_API_KEY' });
    expect(ours[0]![0]).toContain('LUMINATE_API_KEY_INVALID');
    expectNoSecret([String(ours[0]![0])], ['not-the-key']);
  });

  it('logger: false is silent; onError still sees every failure', async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const app = await host({ logger: false, luminate: { apiKey: 'not-the-key' } });
    await clicks(await loggedIn(app), `${app.url}/luminate/sso`, 3);
    expect(emitWarning).not.toHaveBeenCalled();
    expect(app.errors).toHaveLength(3);
  });

  it('rejects a logger without warn()', () => {
    expect(() => luminateSso(bridgeOptionsFor(fake, { logger: {} as never }))).toThrow(
      'luminateSso(): logger must be an object with a warn(message) function (e.g. console, or a pino logger), or false.',
    );
  });
});

describe('what visitors cause stays quiet', () => {
  it('throttled, anonymous, a refused next, unknown constituent, expired and unsigned callbacks: no line', async () => {
    const log = recorder();
    const app = await host({ logger: log, loginUrl: undefined, throttle: { perVisitor: { limit: 1, windowMs: 60_000 }, perIp: false } });
    const browser = await loggedIn(app);
    await clicks(browser, `${app.url}/luminate/sso`, 1);
    expect(await clicks(browser, `${app.url}/luminate/sso`, 3)).toEqual([429, 429, 429]);
    await clicks(new TestBrowser(), `${app.url}/luminate/sso`, 2); // anonymous
    await clicks(new TestBrowser(), `${app.url}/luminate/sso?next=${encodeURIComponent('https://evil.example/')}`, 2);
    const old = `next=x&ts=${Math.floor(Date.now() / 1000) - 3600}`;
    await clicks(new TestBrowser(), `${app.url}/luminate/sso/callback?${old}&signature=${createHash('md5').update(old + SECRETS.apiSecret).digest('hex')}`, 2);
    await clicks(new TestBrowser(), `${app.url}/luminate/sso/callback?next=x`, 2);
    await clicks(new TestBrowser(), `${app.url}/luminate/sso/callback?next=x&signature=zz`, 2);
    const other = await host({ logger: log, constituent: () => ({ consId: '999999' }) });
    await clicks(new TestBrowser(), `${other.url}/luminate/sso`, 2);
    expect(log.lines).toEqual([]);
    expect(app.errors.map((e) => e.code)).toContain('SSO_THROTTLED');
  });
});

describe('a proxy Express does not trust', () => {
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'www.example.org', 'x-forwarded-for': '203.0.113.9' };

  it("X-Forwarded-* with 'trust proxy' off and no baseUrl: one line naming both consequences and the fix", async () => {
    const log = recorder();
    const app = await bareApp(bridgeOptionsFor(fake, { logger: log, constituent: () => null, loginUrl: undefined }));
    for (let i = 0; i < 3; i += 1) await fetchWithHeaders(new TestBrowser(), 'GET', `${app.url}/luminate/sso`, forwarded);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain("Express's 'trust proxy' does not trust their sender and baseUrl is not set");
    expect(log.lines[0]).toContain('callback URLs will point at the internal address');
    expect(log.lines[0]).toContain("every visitor shares the proxy's IP for the per-IP throttle");
    expect(log.lines[0]).toContain("Fix: app.set('trust proxy', 1)");
    expect(log.lines[0]).toMatch(/\[LUMINATE_SSO_PROXY\]$/);
  });

  it.each([
    ['trust proxy set', { trust: 'loopback', baseUrl: undefined }],
    ['baseUrl set', { trust: undefined, baseUrl: 'https://www.example.org' }],
  ])('no line with %s', async (_t, { trust, baseUrl }) => {
    const log = recorder();
    const app = await bareApp(bridgeOptionsFor(fake, { logger: log, constituent: () => null, loginUrl: undefined, ...(baseUrl ? { baseUrl } : {}) }), trust);
    await fetchWithHeaders(new TestBrowser(), 'GET', `${app.url}/luminate/sso`, forwarded);
    expect(log.lines).toEqual([]);
  });

  it('no line without forwarded headers', async () => {
    const log = recorder();
    const app = await bareApp(bridgeOptionsFor(fake, { logger: log, constituent: () => null, loginUrl: undefined }));
    await new TestBrowser().fetch('GET', `${app.url}/luminate/sso`);
    expect(log.lines).toEqual([]);
  });
});

describe('error 1 on every call (a wrong secure host or org path)', () => {
  it('one line for many clicks, naming the secure host and org path; verify cannot tell it and says so', async () => {
    const log = recorder();
    const secureUrl = await refusingUpstream(1, 'Unable to process request.');
    const app = await host({ logger: log, verify: 'warn', luminate: { secureUrl }, destinations: { default: `${secureUrl}/site/Donation2?df_id=1` } });
    expect((await app.bridge.ready)?.ok).toBe(true);
    expect(log.infos).toEqual([expect.stringContaining('a wrong secure host or org path is told only by the first handoff')]);
    await clicks(await loggedIn(app), `${app.url}/luminate/sso`);
    const line = oneLine(log, 'LUMINATE_SSO_REQUEST_FAILED');
    expect(line).toContain('LUMINATE_REQUEST_FAILED');
    expect(line).toMatch(/Fix: Luminate could not process the request\. Known causes: the wrong secure host in luminate\.secureUrl \(env LUMINATE_SECURE_URL\).*wrong org path/);
    expectNoSecret(log.lines);
  });
});

describe('a renderPage that fails', () => {
  it('one line for many pages, naming the fix; the visitors still get the built-in page', async () => {
    const log = recorder();
    const app = await host({ logger: log, renderPage: () => { throw new TypeError('layout is not a function'); } });
    const browser = await loggedIn(app);
    expect(await clicks(browser, `${app.url}/luminate/sso`, 3)).toEqual([200, 200, 200]);
    const line = oneLine(log, 'LUMINATE_SSO_RENDER_PAGE');
    expect(line).toContain('SSO_RENDER_PAGE_FAILED');
    expect(line).toContain('Fix: make renderPage return');
    expectNoSecret(log.lines);
  });
});

describe('counters: bridge.stats() and the luminate-sso-bridge:handoff channel', () => {
  it('counts handoffs by mode, guest continues by code, throttled and refused callbacks', async () => {
    const events: BridgeEvent[] = [];
    const listener = (message: unknown) => events.push(message as BridgeEvent);
    subscribe(HANDOFF_CHANNEL_NAME, listener);
    try {
      const app = await host({ logger: false, throttle: { perVisitor: { limit: 2, windowMs: 60_000 }, perIp: false } });
      const es = await host({ logger: false, handoff: 'establishSession' });
      expect(app.bridge.stats()).toEqual({ handoffs: { singleSignOn: 0, establishSession: 0 }, guestContinues: {}, errors: {}, throttled: 0, callbacksRefused: {}, notNavigation: 0, pageFallbacks: 0 });
      const browser = await loggedIn(app);
      expect(await clicks(browser, `${app.url}/luminate/sso`, 3)).toEqual([200, 200, 429]);
      await clicks(await loggedIn(es), `${es.url}/luminate/sso`, 1);
      const hook = await host({ logger: false, constituent: () => ({ consId: '999999' }) });
      await clicks(new TestBrowser(), `${hook.url}/luminate/sso`, 2);
      await clicks(new TestBrowser(), `${app.url}/luminate/sso/callback?next=x`, 1);

      expect(app.bridge.stats()).toEqual({
        handoffs: { singleSignOn: 2, establishSession: 0 },
        guestContinues: {},
        errors: {},
        throttled: 1,
        callbacksRefused: { SSO_CALLBACK_SIGNATURE_INVALID: 1 },
        notNavigation: 0,
        pageFallbacks: 0,
      });
      expect(es.bridge.stats().handoffs).toEqual({ singleSignOn: 0, establishSession: 1 });
      expect(hook.bridge.stats().guestContinues).toEqual({ LUMINATE_CONSTITUENT_NOT_FOUND: 2 });
      expect(events).toEqual([
        { outcome: 'handoff', handoff: 'singleSignOn' },
        { outcome: 'handoff', handoff: 'singleSignOn' },
        { outcome: 'throttled', code: 'SSO_THROTTLED' },
        { outcome: 'handoff', handoff: 'establishSession' },
        { outcome: 'guest', code: 'LUMINATE_CONSTITUENT_NOT_FOUND' },
        { outcome: 'guest', code: 'LUMINATE_CONSTITUENT_NOT_FOUND' },
        { outcome: 'callback-refused', code: 'SSO_CALLBACK_SIGNATURE_INVALID' },
      ]);
    } finally {
      unsubscribe(HANDOFF_CHANNEL_NAME, listener);
    }
  });

  it('an <img> load of the start route and a failing renderPage are counted apart, not as guest continues', async () => {
    const events: BridgeEvent[] = [];
    const listener = (message: unknown) => events.push(message as BridgeEvent);
    subscribe(HANDOFF_CHANNEL_NAME, listener);
    try {
      const app = await host({ logger: false, renderPage: () => { throw new Error('layout broke'); } });
      const browser = await loggedIn(app);
      const img = await fetchWithHeaders(browser, 'GET', `${app.url}/luminate/sso`, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' });
      expect(img.status).toBe(403);
      expect(await clicks(browser, `${app.url}/luminate/sso`, 1)).toEqual([200]);
      const stats = app.bridge.stats();
      expect(stats.notNavigation).toBe(1);
      expect(stats.handoffs.singleSignOn).toBe(1);
      expect(stats.guestContinues).toEqual({});
      expect(stats.errors).toEqual({});
      // the 403 page and the handoff page both fell back to the built-in look
      expect(stats.pageFallbacks).toBe(2);
      expect(events.filter((e) => e.outcome === 'guest' || e.outcome === 'error')).toEqual([]);
      expect(events).toContainEqual({ outcome: 'not-navigation', code: 'SSO_NOT_NAVIGATION' });
      expect(events).toContainEqual({ outcome: 'page-fallback', code: 'SSO_RENDER_PAGE_FAILED' });
    } finally {
      unsubscribe(HANDOFF_CHANNEL_NAME, listener);
    }
  });

  it("onFailure 'error' counts under errors, not guest continues; stats() is a copy", async () => {
    const app = await host({ logger: false, onFailure: 'error', constituent: () => ({ consId: '999999' }) });
    await clicks(new TestBrowser(), `${app.url}/luminate/sso`, 1);
    const stats = app.bridge.stats();
    expect(stats.errors).toEqual({ LUMINATE_CONSTITUENT_NOT_FOUND: 1 });
    expect(stats.guestContinues).toEqual({});
    stats.throttled = 99;
    expect(app.bridge.stats().throttled).toBe(0);
  });
});

describe('luminateLogin() is loud too', () => {
  it('a wrong API password: one line for many logins, no password', async () => {
    const log = recorder();
    const app = await startLoginApp(fake, { logger: log, luminate: { apiLogin: { name: 'apiadmin', password: 'Wrong-Pw-111' } } }, { sso: { logger: false } });
    opened.push(app);
    for (let i = 0; i < 3; i += 1) await postLogin(new TestBrowser(), app, { member_id: 'M-1', last_name: 'Lovelace' });
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(/^luminate-sso-bridge: luminateLogin\(\): LUMINATE_AUTH_FAILED/);
    expect(log.lines[0]).toContain('no visitor can log in');
    expectNoSecret(log.lines, ['Wrong-Pw-111']);
  });

  it('mounted without express-session: "mount express-session before the bridge"', async () => {
    const log = recorder();
    const app = await startLoginApp(fake, { logger: log }, { session: false, sso: { logger: false } });
    opened.push(app);
    for (let i = 0; i < 3; i += 1) {
      await new TestBrowser().fetch('POST', `${app.url}/luminate/login`, { member_id: 'M-1', last_name: 'Lovelace' });
    }
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain('LOGIN_SESSION_REQUIRED');
    expect(log.lines[0]).toContain('mount express-session before the bridge');
  });
});

describe("the start-up check (verify: 'warn' | 'fail')", () => {
  async function bridgeWith(over: Partial<LuminateSsoOptions>) {
    const bridge = luminateSso(bridgeOptionsFor(fake, over));
    opened.push(bridge);
    return bridge;
  }

  it('off by default: no call to Luminate, ready resolves with undefined', async () => {
    const bridge = await bridgeWith({ logger: false });
    await expect(bridge.ready).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });

  it("passes: one server call, ready resolves with the report, an info line when the logger has info()", async () => {
    const log = recorder();
    const bridge = await bridgeWith({ logger: log, verify: 'fail' });
    const report = await bridge.ready;
    expect(report?.ok).toBe(true);
    expect(report?.checks.map((c) => c.status)).toEqual(['PASS', 'PASS', 'PASS', 'PASS']);
    expect(fake.requests).toHaveLength(1);
    expect(log.lines).toEqual([]);
    expect(log.infos).toEqual([expect.stringContaining("start-up check passed: Luminate accepted the API key, this server's IP and the API login")]);
  });

  it.each([
    ['the API key', { apiKey: 'not-the-key' }, 'LUMINATE_API_KEY_INVALID', /API key \(error 2\): Luminate error 2.*Fix: set luminate\.apiKey/],
    ['the API login', { apiLogin: { name: 'apiadmin', password: 'Wrong-Pw-222' } }, 'LUMINATE_AUTH_FAILED', /API administrator login \(error 3\).*Fix: check luminate\.apiLogin\.name/],
  ])("'fail' tells %s apart: ready rejects with its code, one line", async (_t, luminate, code, line) => {
    const log = recorder();
    const bridge = await bridgeWith({ logger: log, verify: 'fail', luminate });
    await expect(bridge.ready).rejects.toMatchObject({ name: 'LuminateError', code });
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(line);
    expectNoSecret(log.lines, ['Wrong-Pw-222']);
  });

  it("'fail' tells the IP white list apart (error 4 with the IP)", async () => {
    const log = recorder();
    const secureUrl = await refusingUpstream(4, 'Request not allowed from this IP address: 198.51.100.23');
    const bridge = await bridgeWith({ logger: log, verify: 'fail', luminate: { secureUrl }, destinations: { default: `${secureUrl}/site/Donation2` } });
    await expect(bridge.ready).rejects.toMatchObject({ code: 'LUMINATE_IP_NOT_ALLOWED' });
    expect(log.lines[0]).toMatch(/Server IP on the API white list \(error 4\).*Fix: add 198\.51\.100\.23/);
  });

  it("'fail' when Luminate does not answer in time: rejects with LUMINATE_TIMEOUT, the fix names luminate.timeoutMs", async () => {
    const log = recorder();
    fake.faults.latencyMs = 1000;
    const bridge = await bridgeWith({ logger: log, verify: 'fail', luminate: { timeoutMs: 200 } });
    await expect(bridge.ready).rejects.toMatchObject({ code: 'LUMINATE_TIMEOUT' });
    expect(oneLine(log, 'LUMINATE_SSO_VERIFY')).toMatch(/start-up check failed: Reach .*raise luminate\.timeoutMs \(now 200\)/);
  });

  it("'warn' resolves with the failed report, and the middleware keeps serving through the failure policy", async () => {
    const log = recorder();
    const app = await host({ logger: log, verify: 'warn', luminate: { apiKey: 'not-the-key' } });
    const report = await app.bridge.ready;
    expect(report?.ok).toBe(false);
    expect(report?.checks.find((c) => c.status === 'FAIL')?.id).toBe('api-key');
    const res = await (await loggedIn(app)).fetch('GET', `${app.url}/luminate/sso`);
    expect(res.status).toBe(302);
    expect(log.lines.map((l) => /\[(\w+)\]$/.exec(l)?.[1])).toEqual(['LUMINATE_SSO_VERIFY', 'LUMINATE_SSO_API_KEY']);
  });

  it("an unobserved rejection of ready under 'fail' is not an unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const bridge = luminateSso(bridgeOptionsFor(fake, { logger: false, verify: 'fail', luminate: { apiKey: 'not-the-key' } }));
      opened.push(bridge);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fake.requests).toHaveLength(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('rejects an unknown verify value', () => {
    expect(() => luminateSso(bridgeOptionsFor(fake, { verify: 'yes' as never }))).toThrow("luminateSso(): verify must be 'warn', 'fail' or false, got \"yes\".");
  });
});
