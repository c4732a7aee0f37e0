'use strict';
/**
 * An example host site: its own login and sessions, with "Donate" links that go through the
 * bridge to Luminate, already logged in. Uses the BUILT package (`npm run build` first).
 */
const http = require('node:http');
const { randomBytes, timingSafeEqual } = require('node:crypto');
const express = require('express');
const session = require('express-session');
const helmet = require('helmet');
const { luminateSso, luminateLogin, loggedInConstituent, LuminateClient } = require('../dist');
const { createFakeLuminate, DEMO_CONSTITUENTS } = require('../dist/testing');
const { readConfig } = require('./config');
const { connectSharedState } = require('./shared-state');
const { createUserStore, demoUsers, loadUsersFile } = require('./users');
const pages = require('./pages');

/** A path on this site to go back to after login; anything else (`//evil`, `https://…`) → `/`. */
function safeReturnTo(value) {
  if (typeof value !== 'string' || !/^\/(?![/\\])/.test(value) || /[\\\u0000-\u001f]/.test(value)) return '/';
  return new URL(value, 'http://example.invalid').origin === 'http://example.invalid' ? value : '/';
}

/** Synchronizer token: one random value per session, echoed by every form that POSTs. */
function csrfToken(req) {
  if (!req.session.csrf) req.session.csrf = randomBytes(32).toString('base64url');
  return req.session.csrf;
}

function csrfValid(req) {
  const expected = Buffer.from(req.session.csrf ?? '');
  const given = Buffer.from(typeof req.body?._csrf === 'string' ? req.body._csrf : '');
  return expected.length > 0 && given.length === expected.length && timingSafeEqual(given, expected);
}

const promisified = (fn) => new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

/**
 * The name of a member who logged in with a membership number, for the header: asked of Luminate
 * once (server API getUser) and kept in the session. Luminate unreachable: "Member", asked again
 * on the next page.
 */
async function memberName(req, member, directory) {
  if (req.session.memberName?.consId === member.consId) return req.session.memberName.name;
  try {
    const record = await directory.callServerApi('getUser', { cons_id: member.consId }, 'getConsResponse');
    const name = [record?.name?.first, record?.name?.last].filter((part) => typeof part === 'string' && part !== '').join(' ');
    req.session.memberName = { consId: member.consId, name: name || 'Member' };
    return req.session.memberName.name;
  } catch {
    return 'Member';
  }
}

/** onError's log line: what the visitor got. Refused callbacks and throttled clicks get a page, not the destination. */
function failureOutcome(code) {
  if (code === 'SSO_CALLBACK_SIGNATURE_INVALID' || code === 'SSO_CALLBACK_EXPIRED' || code === 'SSO_CALLBACK_REPLAYED') {
    return 'refused a sign-in callback: the visitor got the 400 page, with a link on to the donation page';
  }
  if (code === 'SSO_THROTTLED') return 'too many clicks: the visitor got the 429 page, with a link on as a guest';
  if (code === 'SSO_RENDER_PAGE_FAILED') return "this site's page layout failed: the bridge sent its built-in page";
  return 'the visitor goes on as a guest';
}

function buildApp({ config, bridge, login, users, directory, demoLogins, demoMembers, destinations, luminateOrigin, sessionStore }) {
  const app = express();
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(
    session({
      name: 'example.sid',
      secret: config.sessionSecret,
      resave: false,
      saveUninitialized: false,
      // The built-in MemoryStore suits one demo process; with REDIS_URL set, sessions live in Redis.
      ...(sessionStore ? { store: sessionStore } : {}),
      // 'auto': Secure whenever the request is https (behind a proxy: needs TRUST_PROXY).
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.production ? true : 'auto', maxAge: 8 * 3600 * 1000 },
    }),
  );
  // The bridge sets its own strict headers (its page has a per-response CSP nonce), so it comes
  // before helmet; it only answers its own two paths. So does the login router (login, logout);
  // it also gives pages `res.locals.luminateCsrfToken()` for the membership form.
  app.use(login);
  app.use(bridge);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Chrome checks form-action on the redirects after a POST too: login → bridge → Luminate.
          formAction: ["'self'", luminateOrigin],
          styleSrc: ["'self'"],
          upgradeInsecureRequests: config.production ? [] : null,
        },
      },
      strictTransportSecurity: config.production,
    }),
  );
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  const bridgeLink = (destination) => `/luminate/sso?next=${encodeURIComponent(destination)}`;

  app.get('/style.css', (_req, res) => {
    res.type('css').set('Cache-Control', 'public, max-age=300').send(pages.STYLE);
  });
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.get('/', async (req, res, next) => {
    try {
      const user = req.session.user;
      const constituent = user ? null : loggedInConstituent(req);
      const member = constituent && { consId: constituent.consId, name: await memberName(req, constituent, directory) };
      res.type('html').send(
        pages.homePage({
          user, member, donateHref: bridgeLink(destinations.donate), monthlyHref: bridgeLink(destinations.monthly),
          // LUMINATE_PREPARE=true: the bridge's intent script (same origin, so the CSP's script-src 'self' allows it).
          intentScript: bridge.intentScriptTag(req),
        }),
      );
    } catch (err) {
      next(err);
    }
  });

  const renderLogin = (req, res, extra = {}) => {
    res.set('Cache-Control', 'no-store').type('html');
    res.send(pages.loginPage({ csrfToken: csrfToken(req), demoLogins, returnTo: '/', ...extra }));
  };
  app.get('/login', (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo);
    if (req.session.user) return res.redirect(303, returnTo);
    renderLogin(req, res, { returnTo });
  });
  app.post('/login', form, async (req, res, next) => {
    try {
      const returnTo = safeReturnTo(req.body.returnTo);
      const username = typeof req.body.username === 'string' ? req.body.username.slice(0, 100) : '';
      if (!csrfValid(req)) {
        return renderLogin(req, res.status(403), { returnTo, username, error: 'This form has expired. Please try again.' });
      }
      const user = await users.verify(username, req.body.password);
      if (!user) return renderLogin(req, res.status(401), { returnTo, username, error: 'Unknown user name or wrong password.' });
      // A fresh session id at login: a session id planted before login is worth nothing after it.
      await promisified((cb) => req.session.regenerate(cb));
      req.session.user = user;
      await promisified((cb) => req.session.save(cb));
      res.redirect(303, returnTo);
    } catch (err) {
      next(err);
    }
  });
  // Log in with a membership number and last name: the form posts to luminateLogin's route,
  // which asks Luminate (authenticateUser), regenerates the session and sends the visitor on.
  app.get('/member-login', (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo);
    if (req.session.user || loggedInConstituent(req)) return res.redirect(303, returnTo);
    res.set('Cache-Control', 'no-store').type('html');
    res.send(pages.memberLoginPage({ csrfToken: res.locals.luminateCsrfToken(), returnTo, error: req.query.error, demoMembers }));
  });

  app.use((_req, res) => {
    res.status(404).type('html').send(pages.messagePage('Not found', 'There is no page here.'));
  });
  app.use((err, _req, res, _next) => {
    console.error('example-app: request failed:', err instanceof Error ? err.message : err);
    res.status(500).type('html').send(pages.messagePage('Something went wrong', 'Please try again in a moment.'));
  });
  return app;
}

function listen(app, port, host) {
  return new Promise((resolve, reject) => {
    const server = http.createServer(app);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * Starts the example site (and, without LUMINATE_SECURE_URL, the stand-in Luminate).
 * Options override the environment: `{ port, fakePort, handoff, env, log }`.
 */
async function startExampleApp(options = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? console;
  const config = readConfig(env, options);
  if (!config.sessionSecret) {
    config.sessionSecret = randomBytes(32).toString('hex');
    log.warn('example-app: SESSION_SECRET is not set; using a random one, so sessions reset on every restart.');
  }
  let fake;
  let bridge;
  let login;
  let directory;
  let server;
  let shared;
  try {
    shared = await connectSharedState(config.redisUrl, log);
    fake = config.luminate ? undefined : await createFakeLuminate({ host: '127.0.0.1', port: config.fakePort });
    const luminate = config.luminate ?? {
      secureUrl: fake.secureUrl,
      apiKey: fake.apiKey,
      apiLogin: fake.apiLogin,
      apiSecretKey: fake.apiSecretKey,
      signatureAlgorithm: fake.signatureAlgorithm,
    };
    const accounts = fake ? demoUsers(DEMO_CONSTITUENTS) : loadUsersFile(config.usersFile);
    const users = await createUserStore(accounts);
    const form = (id) => `${luminate.secureUrl}/site/Donation2?df_id=${id}`;
    const destinations = { donate: form(config.donationFormId), monthly: form(config.monthlyFormId) };
    bridge = luminateSso({
      luminate,
      constituent: (req) => {
        const user = req.session?.user;
        // Not logged in here: perhaps with a membership number (luminateLogin), else nobody.
        if (!user) return loggedInConstituent(req);
        return user.consId !== undefined ? { consId: user.consId } : { memberId: user.memberId };
      },
      loginUrl: '/login',
      destinations: { default: destinations.donate },
      handoff: config.handoff,
      // LUMINATE_PREPARE=true: mint the token when the pointer rests on Donate, not on the click.
      prepare: config.prepare,
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      // Replay guard, throttle counters and provisioning locks shared by every instance.
      ...(shared ? { store: shared.bridgeStore } : {}),
      // The handoff, "please wait" and refused-link pages in this site's layout.
      renderPage: pages.bridgePage,
      // Error codes and messages carry no passwords or tokens.
      onError: (err) => log.warn(`example-app: single sign-on failed (${err.code}); ${failureOutcome(err.code)}: ${err.message}`),
    });
    login = luminateLogin({
      luminate,
      mode: 'authenticateUser',
      // The site's "Use for Authentication" columns (the stand-in's are these two).
      fields: ['member_id', 'last_name'],
      formUrl: '/member-login',
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      // Failed-login counters shared by every instance, like the bridge's.
      ...(shared ? { store: shared.bridgeStore } : {}),
      // The logout confirmation and the refused-form pages in this site's layout too.
      renderPage: pages.bridgePage,
      onError: (err) => log.warn(`example-app: membership login refused (${err.code}): ${err.message}`),
    });
    // Members' names for the header (getUser), with the same API administrator.
    directory = new LuminateClient({ secureUrl: luminate.secureUrl, apiKey: luminate.apiKey, apiLogin: luminate.apiLogin, timeoutMs: 3000 });
    const demoLogins = fake ? accounts.map(({ username, password }) => ({ username, password })) : [];
    const demoMembers = fake ? DEMO_CONSTITUENTS.map((c) => ({ memberId: c.memberId, lastName: c.lastName })) : [];
    const app = buildApp({
      config, bridge, login, users, directory, demoLogins, demoMembers, destinations, luminateOrigin: new URL(luminate.secureUrl).origin, sessionStore: shared?.sessionStore,
    });
    server = await listen(app, config.port, config.host);
    const appUrl = `http://localhost:${server.address().port}`;
    let closing;
    return {
      appUrl,
      luminateUrl: luminate.secureUrl,
      handoff: config.handoff,
      prepare: config.prepare,
      stats: () => bridge.stats(),
      sharedState: shared ? 'redis' : 'memory',
      fake,
      demoLogins,
      destinations,
      close() {
        closing ??= (async () => {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(() => resolve()));
          await bridge.close();
          await login.close();
          await directory.close();
          await shared?.close();
          await fake?.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    server?.close();
    await bridge?.close();
    await login?.close();
    await directory?.close();
    await shared?.close();
    await fake?.close();
    throw err;
  }
}

module.exports = { startExampleApp, safeReturnTo };
