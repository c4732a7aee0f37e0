import type { Request } from 'express';
import type { LuminateClient } from '../luminate/luminate-client';
import type { BridgeLogger } from '../config/logger';
import type { LuminateError } from '../errors';
import type { LuminateSiteOptions } from '../config/site';
import type { BridgeStore } from '../store/store';
import type { RenderPage } from '../http/message-page';
import type { ThrottleRule } from '../store/sliding-window';
import type { LoginMode } from '../http/login-session';

export type { LoginMode } from '../http/login-session';

/**
 * Options of `luminateLogin()`, validated once at start-up: the first problem (or an unknown key) is
 * thrown as a TypeError naming the option, its environment variable and the fix.
 */
export interface LuminateLoginOptions {
  /** The Luminate site, exactly as for luminateSso() (same environment variables). */
  luminate?: LuminateSiteOptions;
  /**
   * `authenticateUser`: the site's "Use for Authentication" fields (e.g. membership number and
   * last name); `login`: a Luminate user name and password. Required.
   */
  mode: LoginMode;
  /**
   * authenticateUser only, required there: the Luminate column names marked "Use for
   * Authentication" (Setup > Database Configuration), e.g. `['member_id', 'last_name']`. They are
   * also the names of the form's fields (1 to 10 distinct names). The login form may send nothing else.
   */
  fields?: string[];
  /** authenticateUser only: the field that names the constituent, for throttling. Default `fields[0]`. */
  identifierField?: string;
  /** The host page with the login form (a site path, e.g. `/member-login`): failed logins come back to it with `?error=`. */
  formUrl: string;
  /**
   * Where `returnTo` may point besides this site's own paths, and where visitors go without one.
   * `allow` defaults to luminateSso's narrow default (`defaultAllowList(secureUrl)`); the same
   * destination policy applies (src/http/destinations.ts). `default`: a site path (default `/`),
   * or an absolute URL under `allow`.
   */
  destinations?: { allow?: string[]; default?: string };
  /** Name of the form field (and query parameter) carrying the return path. Default `returnTo`. */
  returnToParam?: string;
  /** When the loginResponse carries a nonce, go through Luminate's EstablishSession on the way. Default true. */
  establishSession?: boolean;
  /** Where the visitor lands after logging out (a site path or an allowed absolute URL). Default `/`. */
  afterLogout?: string;
  /** Route paths, relative to where the router is mounted. Default `/luminate/login`, `/luminate/logout`, `/luminate/logout/done`. */
  paths?: { login?: string; logout?: string; logoutCallback?: string };
  /**
   * Public base URL of this site (e.g. `https://www.example.org/app`), for URLs Luminate sends the
   * browser back to; its path prefixes every site path the browser is sent to (formUrl, returnTo,
   * afterLogout, the logout routes), as in luminateSso.
   */
  baseUrl?: string;
  /**
   * Failed logins allowed per client IP (IPv6 by /64) and per identifier (sliding window, counted
   * in `store` before Luminate is asked; a success or an attempt Luminate could not judge gives its
   * place back); over a limit: 429 with Retry-After (LOGIN_THROTTLED). Each rule `{ limit, windowMs }`
   * (whole limit ≥ 1, 1000–86,400,000 ms); `false` turns one (or, for `throttle`, both) off. Default 20 per IP and 5 per
   * identifier per 15 minutes.
   */
  throttle?: { perIp?: ThrottleRule | false; perIdentifier?: ThrottleRule | false } | false;
  /** Throttle counters. Default: an in-memory store for one process; share luminateSso's (and one across processes). */
  store?: BridgeStore;
  /** Use this client instead of building one from `luminate` (it is not closed by the router). */
  client?: LuminateClient;
  /** Accepted age of a loginResponse (or logout callback) timestamp, either side of this server's clock, in seconds. Default 300. */
  signatureMaxAgeSeconds?: number;
  /** Called once a visitor is logged in. Carries no token or nonce. */
  onLogin?: (info: LoginInfo, req: Request) => void;
  /** Sees every failure (refused credentials, throttling, Luminate trouble) as a LuminateError, for logging and metrics. Must not throw. */
  onError?: (err: LuminateError, req: Request) => void;
  /** Draws the router's own pages (logout confirmation, refused login form, throttled) in the site's layout, as for luminateSso(). */
  renderPage?: RenderPage;
  /** Where warnings about a misconfigured site go, as for luminateSso(). Default `process.emitWarning`; `false`: none. */
  logger?: BridgeLogger | false;
}

/** What `onLogin` receives. */
export interface LoginInfo {
  /** The cons_id of the verified loginResponse. */
  consId: string;
  mode: LoginMode;
  /** Where the visitor is sent (through EstablishSession when `establishSession` says so). */
  destination: string;
  establishSession: boolean;
}
