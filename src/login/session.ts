import type { Request } from 'express';
import { LuminateError } from '../errors';
import { LOGIN_SESSION_KEY, type LoginSession } from '../http/login-session';

/** The host session as luminateLogin() needs it: express-session's methods. */
export interface HostSession {
  [key: string]: unknown;
  regenerate(callback: (err?: unknown) => void): unknown;
  save(callback: (err?: unknown) => void): unknown;
  destroy(callback: (err?: unknown) => void): unknown;
}

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

async function promised(run: (done: (err?: unknown) => void) => unknown, what: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => run((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    throw new LuminateError('LOGIN_SESSION_FAILED', `The host session could not be ${what}.`, { cause: err });
  }
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
