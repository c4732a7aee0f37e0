import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { luminateSso, type LuminateSiteOptions, type LuminateSsoOptions, type LuminateSsoMiddleware } from '../../src';
import type { LuminateError } from '../../src/errors';
import type { FakeLuminate } from '../../src/testing';
import { listenOnLoopback } from './listen';

declare module 'express-session' {
  interface SessionData {
    user?: { consId?: string; memberId?: string; email?: string };
  }
}

export interface HostApp {
  /** `http://localhost:<port>`: a different site from the stand-in on 127.0.0.1. */
  url: string;
  bridge: LuminateSsoMiddleware;
  errors: LuminateError[];
  handoffs: Array<{ consId: string; handoff: string; destination: string }>;
  close(): Promise<void>;
}

/** The `luminate` site options pointing at the stand-in (a short deadline), with `over` merged on top. */
export function siteOptionsFor(fake: FakeLuminate, over: LuminateSiteOptions = {}): LuminateSiteOptions {
  return {
    secureUrl: fake.secureUrl,
    apiKey: fake.apiKey,
    apiLogin: fake.apiLogin,
    apiSecretKey: fake.apiSecretKey,
    signatureAlgorithm: fake.signatureAlgorithm,
    timeoutMs: 1500,
    ...over,
  };
}

/** Options for the bridge pointing at the stand-in, with `over` merged on top. */
export function bridgeOptionsFor(fake: FakeLuminate, over: Partial<LuminateSsoOptions> = {}): LuminateSsoOptions {
  const { luminate, ...rest } = over;
  return {
    luminate: siteOptionsFor(fake, luminate),
    constituent: (req) => (req.session.user as { consId: string } | undefined) ?? null,
    loginUrl: '/login',
    destinations: { default: `${fake.secureUrl}/site/Donation2?df_id=1` },
    ...rest,
  };
}

/**
 * A real host site: its own session and login, the bridge mounted at `mountPath`. `pages` adds the
 * host's own routes after the bridge (e.g. a page using `res.locals.luminateLink`).
 */
export async function startHostApp(
  fake: FakeLuminate,
  over: Partial<LuminateSsoOptions> = {},
  mountPath = '/',
  pages?: (app: express.Express) => void,
): Promise<HostApp> {
  const errors: LuminateError[] = [];
  const handoffs: HostApp['handoffs'] = [];
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(session({ secret: 'host-app-test-secret', resave: false, saveUninitialized: false, name: 'host.sid' }));
  app.get('/login', (_req, res) => {
    res.type('html').send('<form method="post" action="/login"><input name="consId"><button>Log in</button></form>');
  });
  app.post('/login', express.urlencoded({ extended: false }), (req, res, next) => {
    const body = req.body as Record<string, string>;
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.user = body.email ? { email: body.email } : body.memberId ? { memberId: body.memberId } : { consId: body.consId };
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        const back = body.returnTo ?? '/';
        res.redirect(303, back.startsWith('/') && !back.startsWith('//') ? back : '/');
      });
    });
  });
  const bridge = luminateSso(
    bridgeOptionsFor(fake, {
      onError: (err) => errors.push(err),
      onHandoff: (info) => handoffs.push(info),
      ...over,
    }),
  );
  app.use(mountPath, bridge);
  pages?.(app);
  app.use((err: LuminateError, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 500).json({ code: err.code });
  });
  const listening = await listenOnLoopback(app);
  return {
    url: `http://localhost:${listening.port}`,
    bridge,
    errors,
    handoffs,
    async close() {
      await listening.close();
      await bridge.close();
    },
  };
}
