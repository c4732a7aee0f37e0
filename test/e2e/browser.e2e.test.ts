/**
 * A real browser (Debian's Chromium, driven by playwright-core) through the example site:
 * log in on the host site → click Donate → land on the stand-in's donation page logged in.
 * Skipped when Chromium is missing, except under CI=true, where that is a failure.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningExampleApp, startExampleApp as StartExampleApp } from '../../example-app/app';
import { ensureDistBuilt, ROOT } from './build-dist';

const CHROMIUM = process.env.E2E_CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

const statusOf = (page: Page) => page.getAttribute('#lo-status', 'data-cons-id');

if (!haveChromium && !inCi) {
  console.warn(`Browser e2e tests SKIPPED: ${CHROMIUM} not found (apt-get install chromium). Under CI=true this is a failure.`);
}

(haveChromium || inCi ? describe : describe.skip)('browser: example site → bridge → Luminate donation page', () => {
  let startExampleApp: typeof StartExampleApp;
  let browser: Browser | undefined;
  let app: RunningExampleApp | undefined;
  let warnings: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI=true but ${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium).`);
    ensureDistBuilt();
    ({ startExampleApp } = await import('../../example-app/app'));
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      timeout: 30_000,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);
  afterEach(async () => {
    await app?.close();
    app = undefined;
    warnings = [];
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function start(handoff: 'singleSignOn' | 'establishSession', env: Record<string, string> = {}) {
    app = await startExampleApp({
      port: 0, fakePort: 0, handoff, env: { SESSION_SECRET: 'e2e-session-secret', ...env }, log: { warn: (m) => warnings.push(m) },
    });
    return app;
  }

  /** A fresh context (no cookies) whose page records CSP reports and top-level navigations. */
  async function openPage(options: { javaScriptEnabled?: boolean } = {}) {
    const context = await browser!.newContext({ viewport: { width: 900, height: 640 }, ...options });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const cspErrors: string[] = [];
    const navigations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspErrors.push(msg.text());
    });
    page.on('pageerror', (err) => cspErrors.push(`page error: ${err.message}`));
    page.on('request', (req) => {
      if (req.isNavigationRequest() && req.frame() === page.mainFrame()) navigations.push(`${req.method()} ${req.url()}`);
    });
    return { page, cspErrors, navigations, close: () => context.close() };
  }

  async function logIn(page: Page, username: string, password: string) {
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('form[action="/login"] button[type=submit]');
  }

  /** Waits for the stand-in's donation page and saves a screenshot of it. */
  async function endOnDonationPage(page: Page, scenario: string, dfId: string) {
    const origin = new URL(app!.luminateUrl).origin;
    await page.waitForURL((u) => u.origin === origin && u.pathname === '/fakeorg/site/Donation2');
    expect(new URL(page.url()).origin).toBe('http://127.0.0.1:' + app!.fake!.port);
    expect(await page.textContent('#df-id')).toBe(dfId);
    await page.screenshot({ path: path.join(ARTIFACTS, `e2e-${scenario}.png`), fullPage: true });
  }

  /** The example site's header is styled by /style.css (allowed on the bridge's pages as 'self'). */
  const headerBackground = (page: Page) => page.evaluate<string>("getComputedStyle(document.querySelector('header')).backgroundColor");
  const SITE_HEADER = 'rgb(35, 65, 95)';

  it('a) logged in as ada, Donate → singleSignOn auto-post page (strict CSP) → logged in on Luminate; the header\'s Log out ends both sessions', async () => {
    await start('singleSignOn');
    const { page, cspErrors, navigations, close } = await openPage();
    try {
      await page.goto(`${app!.appUrl}/`);
      await page.click('header a[href="/login"]');
      await logIn(page, 'ada', 'donate-ada');
      await page.waitForURL(`${app!.appUrl}/`);
      expect(await page.textContent('h1')).toBe('Welcome back, Ada Lovelace');
      await page.click('a.give:not(.monthly)');
      await endOnDonationPage(page, 'a-single-sign-on', '1234');
      expect(await statusOf(page)).toBe('1001641');
      expect(navigations.some((n) => /^POST http:\/\/127\.0\.0\.1:\d+\/fakeorg\/site\/CRConsAPI$/.test(n))).toBe(true);
      expect(navigations.some((n) => n.includes('EstablishSession'))).toBe(false);

      // Shared computers: the header's Log out ends the host session and Luminate's.
      await page.goto(`${app!.appUrl}/`);
      expect(await page.textContent('header span')).toBe('Ada Lovelace · Log out');
      await page.click('header a[href="/luminate/logout"]');
      await page.waitForSelector('header a[href="/login"]');
      expect(navigations.some((n) => /^GET http:\/\/127\.0\.0\.1:\d+\/fakeorg\/site\/CRConsAPI\?method=logout&/.test(n))).toBe(true);
      await page.goto(app!.destinations.donate);
      expect(await statusOf(page)).toBe('');
      expect(cspErrors).toEqual([]);
      expect(warnings).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  it('b) handoff establishSession: Give monthly → EstablishSession → logged in on Luminate', async () => {
    await start('establishSession');
    const { page, cspErrors, navigations, close } = await openPage();
    try {
      await page.goto(`${app!.appUrl}/login`);
      await logIn(page, 'ada', 'donate-ada');
      await page.waitForURL(`${app!.appUrl}/`);
      await page.click('a.give.monthly');
      await endOnDonationPage(page, 'b-establish-session', '5678');
      expect(await statusOf(page)).toBe('1001641');
      expect(navigations.some((n) => /^GET http:\/\/127\.0\.0\.1:\d+\/fakeorg\/site\/EstablishSession;jsessionid=/.test(n))).toBe(true);
      expect(navigations.some((n) => n.includes('CRConsAPI'))).toBe(false);
      expect(cspErrors).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  it('c) anonymous: Donate → the site\'s login page with returnTo → log in → logged in on Luminate', async () => {
    await start('singleSignOn');
    const { page, cspErrors, close } = await openPage();
    try {
      await page.goto(`${app!.appUrl}/`);
      await page.click('a.give:not(.monthly)');
      await page.waitForURL((u) => u.pathname === '/login');
      const returnTo = new URL(page.url()).searchParams.get('returnTo');
      expect(returnTo).toBe(`/luminate/sso?next=${encodeURIComponent(app!.destinations.donate)}`);
      expect(await page.inputValue('input[name=returnTo]')).toBe(returnTo);
      expect(app!.fake!.issuedTokens).toHaveLength(0);
      await logIn(page, 'grace', 'donate-grace');
      await endOnDonationPage(page, 'c-anonymous-then-login', '1234');
      expect(await statusOf(page)).toBe('0012345');
      expect(cspErrors).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  it('d) Luminate\'s API down (503): the supporter still reaches the donation page, as a guest', async () => {
    await start('singleSignOn');
    const { page, cspErrors, close } = await openPage();
    try {
      await page.goto(`${app!.appUrl}/login`);
      await logIn(page, 'ada', 'donate-ada');
      await page.waitForURL(`${app!.appUrl}/`);
      app!.fake!.faults.status = 503;
      await page.click('a.give:not(.monthly)');
      await endOnDonationPage(page, 'd-luminate-down', '1234');
      expect(await statusOf(page)).toBe('');
      expect(warnings).toEqual([expect.stringContaining('(LUMINATE_HTTP_ERROR)')]);
      expect(cspErrors).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  it('e) membership number: the member form logs in on both sites; the Log out link (same-origin GET) ends both', async () => {
    await start('singleSignOn');
    const { page, cspErrors, navigations, close } = await openPage();
    try {
      await page.goto(`${app!.appUrl}/login`);
      await page.click('a[href^="/member-login"]');
      await page.fill('#member_id', 'M-0042');
      await page.fill('#last_name', 'Hopper');
      await page.click('form[action="/luminate/login"] button[type=submit]');
      await page.waitForSelector('header a[href="/luminate/logout"]');
      expect(new URL(page.url()).href).toBe(`${app!.appUrl}/`);
      expect(await page.textContent('h1')).toBe('Welcome back, member');
      expect(await page.textContent('header span')).toBe('Grace Hopper · Log out');
      // The login POST went on through EstablishSession (form-action allows Luminate's origin).
      expect(navigations.some((n) => /^GET http:\/\/127\.0\.0\.1:\d+\/fakeorg\/site\/EstablishSession;jsessionid=/.test(n))).toBe(true);
      await page.click('a.give:not(.monthly)');
      await endOnDonationPage(page, 'e-membership-number', '1234');
      expect(await statusOf(page)).toBe('0012345');

      await page.goto(`${app!.appUrl}/`);
      await page.click('header a[href="/luminate/logout"]');
      // A real browser sends Sec-Fetch-Site: same-origin: no confirmation, straight through Luminate's logout.
      await page.waitForSelector('header a[href="/login"]');
      expect(navigations.some((n) => /^GET http:\/\/127\.0\.0\.1:\d+\/fakeorg\/site\/CRConsAPI\?method=logout&/.test(n))).toBe(true);
      await page.goto(app!.destinations.donate);
      expect(await statusOf(page)).toBe('');
      expect(cspErrors).toEqual([]);
      expect(warnings).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  it('f) branded pages: the handoff page (without script), a refused link and the logout confirmation wear the site\'s layout and style, and still work', async () => {
    await start('singleSignOn');
    // Without script the handoff page stays on screen: its button is the way on.
    const { page, cspErrors, navigations, close } = await openPage({ javaScriptEnabled: false });
    try {
      await page.goto(`${app!.appUrl}/login`);
      await logIn(page, 'ada', 'donate-ada');
      await page.waitForURL(`${app!.appUrl}/`);
      await page.click('a.give:not(.monthly)');
      await page.waitForSelector('body.bridge-handoff');
      expect(await page.title()).toBe('Signing you in… – Example Charity');
      expect(await page.textContent('header strong')).toBe('Example Charity');
      expect(await headerBackground(page)).toBe(SITE_HEADER);
      await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-f-branded-handoff.png'), fullPage: true });
      await page.click('form#luminate-sso button[type=submit]');
      await endOnDonationPage(page, 'f-branded-handoff-continue', '1234');
      expect(await statusOf(page)).toBe('1001641');

      // A tampered sign-in link: the 400 page in the site's layout, with the way on.
      const refused = await page.goto(`${app!.appUrl}/luminate/sso/callback?code=7&ts=1&signature=00`);
      expect(refused!.status()).toBe(400);
      expect(await page.textContent('h1')).toBe('This sign-in link is invalid or has expired');
      expect(await headerBackground(page)).toBe(SITE_HEADER);
      expect(await page.getAttribute('main a', 'href')).toBe(app!.destinations.donate);
      await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-f-branded-refused-link.png'), fullPage: true });

      // A typed logout URL (Sec-Fetch-Site: none) asks first, in the site's layout; its button logs out of both.
      await page.goto(`${app!.appUrl}/luminate/logout`);
      await page.waitForSelector('body.bridge-logout-confirm');
      expect(await headerBackground(page)).toBe(SITE_HEADER);
      await page.click('main form button[type=submit]');
      await page.waitForSelector('header a[href="/login"]');
      expect(navigations.some((n) => /^GET http:\/\/127\.0\.0\.1:\d+\/fakeorg\/site\/CRConsAPI\?method=logout&/.test(n))).toBe(true);
      await page.goto(app!.destinations.donate);
      expect(await statusOf(page)).toBe('');
      expect(cspErrors).toEqual([]);
      expect(warnings).toEqual([expect.stringContaining('(SSO_CALLBACK_SIGNATURE_INVALID); refused a sign-in callback: the visitor got the 400 page')]);
    } finally {
      await close();
    }
  }, 60_000);

  it.each(['singleSignOn', 'establishSession'] as const)(
    'g) prepare (%s): the pointer rests on Donate → a token is minted; the click lands logged in, one token call',
    async (handoff) => {
    await start(handoff, { LUMINATE_PREPARE: 'true' });
    const tokenCalls = () => app!.fake!.requests.filter((r) => r.apiMethod === 'getSingleSignOnToken').length;
    const { page, cspErrors, close } = await openPage();
    try {
      await page.goto(`${app!.appUrl}/login`);
      await logIn(page, 'ada', 'donate-ada');
      await page.waitForURL(`${app!.appUrl}/`);
      expect(tokenCalls()).toBe(0);
      const prepared = page.waitForResponse((r) => new URL(r.url()).pathname === '/luminate/sso/prepare');
      await page.hover('a.give:not(.monthly)');
      expect((await prepared).status()).toBe(204);
      expect(tokenCalls()).toBe(1);
      expect(await page.getAttribute('link[rel=preconnect]', 'href')).toBe(new URL(app!.luminateUrl).origin);
      await page.click('a.give:not(.monthly)');
      await endOnDonationPage(page, `g-prepare-${handoff}`, '1234');
      expect(await statusOf(page)).toBe('1001641');
      expect(tokenCalls()).toBe(1);
      expect(app!.stats().prepared).toEqual({ minted: 1, used: 1, unused: 0, refused: 0 });
      expect(cspErrors).toEqual([]);
      expect(warnings).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  it('a wrong password stays on the login page with an escaped message, and no session', async () => {
    await start('singleSignOn');
    const { page, close } = await openPage();
    try {
      await page.goto(`${app!.appUrl}/login`);
      await logIn(page, '<b>ada</b>', 'nope');
      await page.waitForSelector('.error');
      expect(await page.textContent('.error')).toBe('Unknown user name or wrong password.');
      expect(await page.inputValue('#username')).toBe('<b>ada</b>');
      expect(await page.$('header form[action="/logout"]')).toBeNull();
    } finally {
      await close();
    }
  }, 60_000);
});
