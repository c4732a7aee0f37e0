import type { Request } from 'express';
import { LuminateError } from '../errors';

/**
 * Where luminateLogin() keeps the constituent it logged in, in the host's session:
 * `req.session.luminateLogin = { consId, mode, at }`. luminateSso() without a `constituent`
 * option reads it (see `loggedInConstituent`), so a visitor who logged in with Luminate
 * credentials is handed over to Luminate on the next bridge link with no extra code.
 */
export const LOGIN_SESSION_KEY = 'luminateLogin';

export type LoginMode = 'authenticateUser' | 'login';

export interface LoginSession {
  /** The Luminate cons_id of the verified loginResponse. */
  consId: string;
  /** The method that logged the visitor in. */
  mode: LoginMode;
  /** When, in ms since the epoch. */
  at: number;
}

/** The host session as luminateLogin() needs it: express-session's methods. */
export interface HostSession {
  [key: string]: unknown;
  regenerate(callback: (err?: unknown) => void): unknown;
  save(callback: (err?: unknown) => void): unknown;
  destroy(callback: (err?: unknown) => void): unknown;
}

const CONS_ID = /^[\x21-\x7e]{1,255}$/;

/** `req.session` when it is express-session's (it has regenerate, save and destroy), else undefined. */
export function hostSessionOf(req: Request): HostSession | undefined {
  const session = (req as unknown as { session?: unknown }).session as Partial<HostSession> | undefined;
  if (typeof session !== 'object' || session === null) return undefined;
  if (typeof session.regenerate !== 'function' || typeof session.save !== 'function' || typeof session.destroy !== 'function') return undefined;
  return session as HostSession;
}

export function sessionRequired(): LuminateError {
  return new LuminateError(
    'LOGIN_SESSION_REQUIRED',
    'luminateLogin() needs express-session in front of it: app.use(session({ ... })) before app.use(luminateLogin({ ... })).',
  );
}

/** The constituent luminateLogin() stored in this visitor's session, if any. */
export function readLoginSession(req: Request): LoginSession | undefined {
  const session = (req as unknown as { session?: Record<string, unknown> }).session;
  const entry = typeof session === 'object' && session !== null ? (session[LOGIN_SESSION_KEY] as Partial<LoginSession> | undefined) : undefined;
  if (typeof entry !== 'object' || entry === null) return undefined;
  if (typeof entry.consId !== 'string' || !CONS_ID.test(entry.consId)) return undefined;
  if (entry.mode !== 'authenticateUser' && entry.mode !== 'login') return undefined;
  return { consId: entry.consId, mode: entry.mode, at: typeof entry.at === 'number' ? entry.at : 0 };
}

/**
 * `{ consId }` of the visitor luminateLogin() logged in, or null: the `constituent` hook
 * luminateSso() uses when none is given. Combine it with your own login in a hook of yours:
 * `constituent: (req) => ownUser(req) ?? loggedInConstituent(req)`.
 */
export function loggedInConstituent(req: Request): { consId: string } | null {
  const entry = readLoginSession(req);
  return entry === undefined ? null : { consId: entry.consId };
}

function promised(run: (done: (err?: unknown) => void) => unknown, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      run((err) => (err ? reject(new LuminateError('LOGIN_SESSION_FAILED', `The host session could not be ${what}.`, { cause: err })) : resolve()));
    } catch (err) {
      reject(new LuminateError('LOGIN_SESSION_FAILED', `The host session could not be ${what}.`, { cause: err }));
    }
  });
}

/**
 * A fresh session id with the constituent in it, saved to the session store before the caller
 * answers: a session id planted before login (session fixation) is worth nothing after it, and
 * the redirect that follows cannot reach a server that does not know the session yet.
 */
export async function startLoginSession(req: Request, entry: LoginSession): Promise<void> {
  const before = hostSessionOf(req);
  if (before === undefined) throw sessionRequired();
  await promised((done) => before.regenerate(done), 'regenerated');
  // regenerate() put a new session object on req.
  const after = hostSessionOf(req);
  if (after === undefined) throw sessionRequired();
  after[LOGIN_SESSION_KEY] = { ...entry } satisfies LoginSession;
  await promised((done) => after.save(done), 'saved');
}

/** Ends the host session in the session store (the cookie then names nothing). */
export async function endHostSession(req: Request): Promise<void> {
  const session = hostSessionOf(req);
  if (session === undefined) throw sessionRequired();
  await promised((done) => session.destroy(done), 'destroyed');
}
