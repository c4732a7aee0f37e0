import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { request } from 'undici';
import { luminateSso, loggedInConstituent, type LoginInfo, type LuminateLoginOptions, type LuminateSsoOptions, type LuminateSsoMiddleware } from '../../src';
import type { LuminateError } from '../../src/errors';
import { createLoginRouter, type LuminateLoginRouter } from '../../src/login/luminate-login';
import { resolveLoginOptions } from '../../src/login/resolve-options';
import type { FakeLuminate } from '../../src/testing';
import type { TestBrowser } from '../helpers/browser';
import { siteOptionsFor } from '../helpers/host-app';
import { listenOnLoopback } from '../helpers/listen';

export const SESSION_COOKIE = 'host.sid';

/** The stand-in's member who logs in with authenticateUser (membership number and last name). */
export const ADA = { member_id: 'M-1001', last_name: 'Lovelace' };

/** How many authenticateUser calls reached the stand-in. */
export function authenticateCalls(fake: FakeLuminate): number {
  return fake.requests.filter((r) => r.apiMethod === 'authenticateUser').length;
}

/** A login app with this login throttle; a given `store` is shared with the bridge it mounts too. */
export function startThrottledLoginApp(fake: FakeLuminate, throttle: LuminateLoginOptions['throttle'], over: Partial<LuminateLoginOptions> = {}): Promise<LoginApp> {
  return startLoginApp(fake, { throttle, ...over }, over.store ? { sso: { store: over.store } } : {});
}

/** express-session's in-memory store, slowed down and recorded, to see when a session is saved. */
export class RecordingStore extends session.MemoryStore {
  constructor(private readonly events: string[]) {
    super();
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    // A slow store (Redis across a network): the save finishes well after it was asked for.
    setTimeout(() => {
      super.set(sid, data, (err?: unknown) => {
        this.events.push('session saved');
        callback?.(err);
      });
    }, 20);
  }
}

export interface LoginApp {
  /** `http://localhost:<port>`: another site than the stand-in on 127.0.0.1. */
  url: string;
  login: LuminateLoginRouter;
  sso: LuminateSsoMiddleware;
  sessions: RecordingStore;
  /** What onError saw. */
  errors: LuminateError[];
  /** What onLogin saw. */
  logins: LoginInfo[];
  /** What the host's error handler got (`next(err)`). */
  handled: LuminateError[];
  /** Session saves and the login responses, in the order they happened. */
  events: string[];
  close(): Promise<void>;
}

export interface LoginAppSetup {
  /** Clock of the throttle and the signature checks. */
  now?: () => number;
  /** false: no express-session in front of the bridge. */
  session?: boolean;
  sso?: Partial<LuminateSsoOptions>;
}

export function loginOptionsFor(fake: FakeLuminate, over: Partial<LuminateLoginOptions> = {}): LuminateLoginOptions {
  const { luminate, ...rest } = over;
  return {
    luminate: siteOptionsFor(fake, luminate),
    mode: 'authenticateUser',
    fields: ['member_id', 'last_name'],
    formUrl: '/member-login',
    ...rest,
  } as LuminateLoginOptions;
}

/**
 * A host site with its own session, luminateLogin() and luminateSso() (no constituent hook: it
 * reads what luminateLogin stored), a membership-number form and a page that says who is logged in.
 */
export async function startLoginApp(fake: FakeLuminate, over: Partial<LuminateLoginOptions> = {}, setup: LoginAppSetup = {}): Promise<LoginApp> {
  const errors: LuminateError[] = [];
  const logins: LoginInfo[] = [];
  const handled: LuminateError[] = [];
  const events: string[] = [];
  const sessions = new RecordingStore(events);
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use((req, res, next) => {
    if (req.method === 'POST') {
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
      res.writeHead = ((...args: unknown[]) => {
        events.push(`response ${String(args[0])}`);
        return writeHead(...args);
      }) as typeof res.writeHead;
    }
    next();
  });
  if (setup.session !== false) {
    app.use(session({ secret: 'login-test-secret', resave: false, saveUninitialized: false, name: SESSION_COOKIE, store: sessions }));
  }
  const options = loginOptionsFor(fake, { onError: (e) => errors.push(e), onLogin: (i) => logins.push(i), ...over });
  const login = createLoginRouter(resolveLoginOptions(options), setup.now ? { now: setup.now } : {});
  const sso = luminateSso({
    luminate: options.luminate,
    destinations: { default: `${options.luminate!.secureUrl}/site/Donation2?df_id=1` },
    ...setup.sso,
  });
  app.use(login);
  app.use(sso);
  app.get('/member-login', (req, res) => {
    const token = (res.locals.luminateCsrfToken as () => string)();
    const error = typeof req.query.error === 'string' && /^[a-z]+$/.test(req.query.error) ? req.query.error : '';
    res.type('html').send(
      `<p id="error">${error}</p><form method="post" action="/luminate/login">` +
        `<input type="hidden" name="_csrf" value="${token}"><input name="member_id"><input name="last_name"><button>Log in</button></form>`,
    );
  });
  app.get('/whoami', (req, res) => {
    res.json({ consId: loggedInConstituent(req)?.consId ?? null });
  });
  app.get('/', (_req, res) => {
    res.type('html').send('<p>home</p>');
  });
  app.use((err: LuminateError, _req: Request, res: Response, _next: NextFunction) => {
    handled.push(err);
    res.status(err.status ?? 500).json({ code: err.code });
  });
  const listening = await listenOnLoopback(app);
  return {
    url: `http://localhost:${listening.port}`,
    login,
    sso,
    sessions,
    errors,
    logins,
    handled,
    events,
    async close() {
      await listening.close();
      await login.close();
      await sso.close();
    },
  };
}

/** The CSRF token of the browser's host session, read off the form page (which starts the session). */
export async function formToken(browser: TestBrowser, app: LoginApp): Promise<string> {
  const page = await browser.fetch('GET', `${app.url}/member-login`);
  return /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
}

/** The express-session id in the browser's cookie. */
export function sessionId(browser: TestBrowser, app: LoginApp): string | undefined {
  const raw = browser.cookies(new URL(app.url).host).get(SESSION_COOKIE);
  if (raw === undefined) return undefined;
  return /^s:([^.]+)\./.exec(decodeURIComponent(raw))?.[1];
}

/** Posts the membership form: the browser follows the redirects (through Luminate when there is a nonce). */
export async function postLogin(browser: TestBrowser, app: LoginApp, fields: Record<string, string>, token?: string) {
  const csrf = token ?? (await formToken(browser, app));
  return browser.navigate(`${app.url}/luminate/login`, { method: 'POST', form: Object.entries({ _csrf: csrf, ...fields }) });
}

/** Who the host site thinks is logged in. */
export async function whoami(browser: TestBrowser, app: LoginApp): Promise<string | null> {
  const res = await browser.fetch('GET', `${app.url}/whoami`);
  return (JSON.parse(res.text) as { consId: string | null }).consId;
}

/** One request with extra headers (e.g. Sec-Fetch-Site), sending the browser's cookies for that host. */
export async function fetchWithHeaders(browser: TestBrowser, method: 'GET' | 'POST', url: string, headers: Record<string, string>) {
  const host = new URL(url).host;
  const cookie = [...browser.cookies(host)].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await request(url, { method, headers: { ...headers, ...(cookie ? { cookie } : {}) } });
  const text = await res.body.text();
  const location = res.headers.location;
  return { status: res.statusCode, headers: res.headers, text, location: typeof location === 'string' ? new URL(location, url).href : undefined };
}

/** The stand-in's donation page, as the browser sees it now. */
export async function donationPage(browser: TestBrowser, fake: FakeLuminate) {
  return browser.fetch('GET', `${fake.secureUrl}/site/Donation2?df_id=9`);
}
