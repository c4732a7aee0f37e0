import type { Request } from 'express';
import type { LuminateClient } from '../luminate/luminate-client';
import type { Attribution, ConstituentRef, HandoffMode } from '../luminate/types';
import type { NetworkOptions } from '../config/network';
import type { LuminateSiteOptions, ResponseFormat, SignatureAlgorithm } from '../config/site';
import type { MintThrottleOptions, ResolvedMintThrottle } from '../config/store';
import type { BridgeLogger } from '../config/logger';
import type { LuminateError } from '../errors';
import type { RenderPage } from '../http/message-page';
import type { BridgeStore } from '../store/store';

/**
 * What the `constituent` hook returns: who the visitor is in Luminate (`{ consId }`,
 * `{ memberId }`, or `{ email }` to have the bridge look the cons_id up), or null for "not logged in".
 * Exactly one non-empty string field: another shape, an implausible email or a throw is SSO_CONSTITUENT_HOOK_FAILED.
 */
export type ConstituentResult = ConstituentRef | { email: string; consId?: never; memberId?: never } | null | undefined;

/** Static attribution; `fromQuery: true` also accepts `source` / `sub_source` from the bridge link's query. */
export interface AttributionOptions extends Attribution {
  /** Let the link's `source` / `sub_source` query override the static fields. Default false. */
  fromQuery?: boolean;
}

/** Attribution per click. A bad field is dropped, a throw means none; only outlasting `timeoutMs` fails the click (LUMINATE_TIMEOUT). */
export type AttributionFunction = (req: Request) => Attribution | null | undefined | Promise<Attribution | null | undefined>;

/** What `provision` returns to create a missing constituent; null or undefined: do not create. */
export interface ProvisionDetails {
  /** Defaults to the email the `constituent` hook returned; if given it must be the same address. */
  email?: string;
  /** Sent as `name.first` / `name.last` / `member_id` of `create` [doc]. */
  firstName?: string;
  lastName?: string;
  memberId?: string;
  /** Further `create` parameters the site accepts, e.g. `{ 'name.title': 'Dr', no_welcome: 'true' }`. */
  fields?: Record<string, string>;
}

/** Called when an `{ email }` is not found. A throw, no answer within `timeoutMs` or an unusable result is SSO_PROVISION_FAILED. */
export type ProvisionFunction = (req: Request) => ProvisionDetails | null | undefined | Promise<ProvisionDetails | null | undefined>;

/**
 * Options of `luminateSso()`, validated once at start-up: the first problem (or an unknown key) is
 * thrown as a TypeError naming the option, its environment variable and the fix.
 */
export interface LuminateSsoOptions {
  /** The Luminate site and its client's network options; each site field left out falls back to its `LUMINATE_*` variable. */
  luminate?: LuminateSiteOptions;
  /**
   * Maps the request to the visitor's Luminate constituent, or null when nobody is logged in. May be
   * async. Left out: the constituent luminateLogin() stored in the session (`loggedInConstituent`).
   * One deadline, `luminate.timeoutMs`, covers it and the token call: past it, LUMINATE_TIMEOUT.
   */
  constituent?: (req: Request) => ConstituentResult | Promise<ConstituentResult>;
  /**
   * Where anonymous visitors are sent, with `?returnTo=<the bridge URL>`; a site path is an app path
   * and gets `baseUrl`'s path prefix, as does the returnTo. Unset: they continue as guests.
   */
  loginUrl?: string;
  /** Name of the query parameter carrying the return path to `loginUrl`. Default `returnTo`. */
  loginReturnParam?: string;
  /**
   * Where the bridge may send visitors (src/http/destinations.ts). `allow` defaults to the donation,
   * TeamRaiser, content, store and event pages (`defaultAllowList(secureUrl)`); set it to widen
   * (e.g. `[<secureUrl>/site/]`). Luminate's redirectors are refused whatever it says. `default` is required.
   */
  destinations: { allow?: string[]; default: string };
  /**
   * `singleSignOn`: an auto-posting form to CRConsAPI (deprecated by the vendor, still works as a POST [doc]);
   * `establishSession`: a 302 to EstablishSession with the nonce (vendor's recommendation), singleSignOn
   * when the site sends no nonce. Default `singleSignOn`.
   */
  handoff?: HandoffMode;
  /** Ask Luminate to remember the visitor (`remember_me=true`, singleSignOn only). Default false. */
  rememberMe?: boolean;
  /** Route paths, relative to where the router is mounted. Default `/luminate/sso` and `/luminate/sso/callback`. */
  paths?: { start?: string; callback?: string };
  /**
   * Public base URL of this site (e.g. `https://www.example.org`, or `https://www.example.org/app`
   * behind a proxy that strips `/app`). Its origin is used for absolute URLs (the callback); its path
   * prefixes every URL the browser is sent to or given (publicPath in src/http/request-urls.ts).
   * Unset: the request's Host (X-Forwarded-Host/-Proto under `trust proxy`; a scheme other than
   * http/https is ignored) and no prefix.
   */
  baseUrl?: string;
  /**
   * `continue` (default): on a failure send the visitor on as a guest (a 302 to the destination; a
   * throttled click gets the 429 page, a refused callback the 400 page); `error`: `next(err)` with the LuminateError.
   */
  onFailure?: 'continue' | 'error';
  /** Sees every failure (a LuminateError with its `code`), for logging and metrics. Must not throw (if it does, it is ignored). */
  onError?: (err: LuminateError, req: Request) => void;
  /** Called for every handoff sent to the browser, with `{ consId, handoff, destination }`. Carries no token. */
  onHandoff?: (info: HandoffInfo, req: Request) => void;
  /** Accepted age of a signed callback's `ts` (either side of this server's clock), in seconds. Default 300. */
  callbackMaxAgeSeconds?: number;
  /** Shared state (replay guard, throttle counters). Default: an in-memory store for one process. */
  store?: BridgeStore;
  /**
   * Limits on token requests, per visitor and per client IP (sliding window, counted in `store`):
   * `{ perVisitor, perIp }`, each `{ limit, windowMs }` (whole limit ≥ 1, 1000–86,400,000 ms) or `false`. Default 10 per
   * visitor and 60 per IP a minute. Over a limit: SSO_THROTTLED, 429 with Retry-After. `false` turns both off.
   */
  throttle?: MintThrottleOptions | false;
  /** Use this client instead of building one from `luminate`'s network options (it is not closed by the bridge). */
  client?: LuminateClient;
  /** Creates the constituent (server API `create`) when an `{ email }` from the hook is not found. May be async. */
  provision?: ProvisionFunction;
  /** `source` / `sub_source` sent on every Luminate call and the handoff: static, or per request. */
  attribution?: AttributionOptions | AttributionFunction;
  /**
   * Draws the bridge's own pages (handoff, throttled, refused callback) in the site's layout:
   * `(page) => html`, given the page's escaped parts. See the README ("Pages in your site's look").
   */
  renderPage?: RenderPage;
  /**
   * Where warnings about a misconfigured site go (wrong API key or login, IP not white-listed,
   * refused callback signatures, a failing constituent hook, no session, an untrusted proxy): one
   * line per warning code per 5 minutes, naming the error code and the fix, never a secret.
   * Default: `process.emitWarning` (stderr, type `LuminateSsoBridgeWarning`). A logger with
   * `warn(message)` (e.g. `console`, pino), or `false` for none; `onError` sees every failure anyway.
   */
  logger?: BridgeLogger | false;
  /**
   * Start-up check: one server call that tells the API key, IP white list and API login apart,
   * logged once. `'warn'`: `bridge.ready` resolves with the report; `'fail'`: `bridge.ready`
   * rejects with a LuminateError when a check fails. Either way the middleware serves requests as
   * usual. Default `false` (no call).
   */
  verify?: 'warn' | 'fail' | false;
  /**
   * Take Luminate's token call off the click: the script at `<start path>/intent.js` (tag:
   * `bridge.intentScriptTag(req)`) asks `POST <start path>/prepare` to mint the visitor's token when
   * the pointer rests on a bridge link, or on pointerdown, focus or touchstart; the click then uses it.
   * `true` = `{ ttlMs: 60000 }`: how long a prepared token is kept (1000–600000 ms; its lifetime on
   * real sites is unconfirmed, hence short). Needs express-session (without a session it does nothing)
   * and a store with `put` and `take` (MemoryStore, RedisStore). Default false. See src/sso/prepare.ts.
   */
  prepare?: boolean | { ttlMs?: number };
}

/** What `onHandoff` receives. */
export interface HandoffInfo {
  consId: string;
  /** The mode used (`singleSignOn` also when `establishSession` fell back for want of a nonce). */
  handoff: HandoffMode;
  /** The destination URL after the destination policy. */
  destination: string;
}

/** Options after defaults and environment fallbacks, as the bridge uses them. */
export interface ResolvedSsoOptions {
  secureUrl: string;
  apiKey: string;
  apiLogin: { name: string; password: string };
  apiSecretKey: string;
  signatureAlgorithm: SignatureAlgorithm;
  /** The network options given in `luminate` (and its responseFormat), for the bridge's own LuminateClient. */
  client: NetworkOptions & { responseFormat?: ResponseFormat };
  timeoutMs: number;
  constituent: NonNullable<LuminateSsoOptions['constituent']>;
  loginUrl?: string;
  loginReturnParam: string;
  destinations: { allow: string[]; default: string };
  handoff: HandoffMode;
  rememberMe: boolean;
  paths: { start: string; callback: string };
  baseUrl?: string;
  onFailure: 'continue' | 'error';
  onError?: LuminateSsoOptions['onError'];
  onHandoff?: LuminateSsoOptions['onHandoff'];
  callbackMaxAgeSeconds: number;
  store?: BridgeStore;
  throttle: ResolvedMintThrottle;
  injectedClient?: LuminateClient;
  provision?: ProvisionFunction;
  attribution: { fixed: Attribution; fromQuery: boolean; perRequest?: AttributionFunction };
  renderPage?: RenderPage;
  logger: BridgeLogger | false;
  verify: 'warn' | 'fail' | false;
  prepare: false | { ttlMs: number };
}
