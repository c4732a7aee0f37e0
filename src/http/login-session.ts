import type { Request } from 'express';
import { CONS_ID } from '../luminate/values';

/**
 * Where luminateLogin() keeps the constituent it logged in: `req.session.luminateLogin = { consId,
 * mode, at }`. luminateSso() without a `constituent` option reads it (`loggedInConstituent`).
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

/** The constituent luminateLogin() stored in this visitor's session, if any. */
export function readLoginSession(req: Request): LoginSession | undefined {
  const session = (req as unknown as { session?: Record<string, unknown> | null }).session;
  const entry = session?.[LOGIN_SESSION_KEY] as Partial<LoginSession> | null | undefined;
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
