import type { Request } from 'express';
import { debugFor } from '../debug';
import { accessFix, error1Fix, explainUnreachable, type AccessSettingNames } from '../luminate/explain';
import { type BridgeLogger, type WarningCode } from '../config/logger';
import type { LuminateError } from '../errors';
import type { SignatureAlgorithm } from '../config/site';
import { secretScrubber, type Scrub } from '../util/scrub-secrets';
import { causeText } from '../http/cause-text';
import { rawQueryOf } from '../http/request-urls';

const log = debugFor('warnings');

/** One line per warning code per this many ms (5 minutes): a campaign day's clicks give a handful of lines. */
export const WARNING_INTERVAL_MS = 5 * 60_000;
const PREFIX = 'luminate-sso-bridge: ';

/**
 * Sends warnings to a logger, at most one per code per WARNING_INTERVAL_MS (one timestamp per
 * code: bounded). `scrub` scrubs a part of a line of this warner's own secrets; `warn` sends the line as given.
 */
export class Warner {
  readonly #logger: BridgeLogger | false;
  /** This warner's own secrets (its bridge's API password, secret key and API key), nobody else's. */
  readonly scrub: Scrub;
  readonly #now: () => number;
  readonly #last = new Map<WarningCode, number>();

  // Date.now is read at each call, not captured: a clock stubbed after start-up is seen.
  constructor(logger: BridgeLogger | false, secrets: readonly string[], now: () => number = () => Date.now()) {
    this.#logger = logger;
    this.scrub = secretScrubber(secrets);
    this.#now = now;
  }

  /** Sends the line unless this code was sent within the interval; `once`: only ever once. */
  warn(code: WarningCode, message: string, once = false): void {
    const now = this.#now();
    const last = this.#last.get(code);
    if (last !== undefined && (once || now - last < WARNING_INTERVAL_MS)) return;
    this.#last.set(code, now);
    this.#send('warn', code, message);
  }

  info(code: WarningCode, message: string): void {
    this.#send('info', code, message);
  }

  #send(level: 'warn' | 'info', code: WarningCode, message: string): void {
    if (this.#logger === false) return;
    // Not scrubbed as a whole: the callers scrub what they interpolate (this.scrub), so the fixed
    // text stays as written and an ordinary-word password is not revealed by a gap in a sentence.
    const line = `${PREFIX}${message} [${code}]`;
    const write = level === 'info' ? this.#logger.info : this.#logger.warn;
    if (typeof write !== 'function') return;
    try {
      write.call(this.#logger, line, { code });
    } catch (e) {
      log('the logger threw: %s', causeText(e));
    }
  }
}

/** What the warnings need to know of the bridge's options. */
export interface WarningSettings {
  names: AccessSettingNames;
  signatureAlgorithm: SignatureAlgorithm;
  /** Which middleware is speaking: `luminateSso()` or `luminateLogin()`. */
  who: string;
  /** The bridge's own scrubber (Warner.scrub), for the causes put into a line. */
  scrub: Scrub;
  /** What visitors get meanwhile, e.g. "every visitor continues as a guest". */
  consequence: string;
  /**
   * True when a callback's URL was made by this bridge (its `hid` carries the bridge's MAC): only
   * then does a refused signature mean a set-up mistake; anyone's junk stays quiet.
   */
  ownCallback?: (req: Request) => boolean;
}

/** The names the bridge's options go by (an option and its environment variable). */
export const OPTION_SETTING_NAMES: AccessSettingNames = {
  apiKey: 'luminate.apiKey (env LUMINATE_API_KEY)',
  loginName: 'luminate.apiLogin.name (env LUMINATE_API_LOGIN_NAME)',
  loginPassword: 'luminate.apiLogin.password (env LUMINATE_API_LOGIN_PASSWORD)',
};

const ACCESS_WARNINGS: Record<number, WarningCode> = { 2: 'LUMINATE_SSO_API_KEY', 3: 'LUMINATE_SSO_API_LOGIN', 4: 'LUMINATE_SSO_IP_NOT_ALLOWED' };
const SIGNATURE = /(?:^|&)(?:signature|sig)=([0-9A-Fa-f]*)$/;
const HEX_LENGTH: Record<SignatureAlgorithm, number> = { md5: 32, sha1: 40 };

/** True when express-session (or another) has put a session object on the request. */
export function hasSession(req: Request): boolean {
  const session = (req as unknown as { session?: unknown }).session;
  return typeof session === 'object' && session !== null;
}

/**
 * The fix for a refused callback signature, from the signature's length: 40 hex characters on an
 * md5 site (or 32 on sha1) means signatureAlgorithm is wrong; the right length means the secret
 * key is. Undefined for an unsigned or garbled query: that is anyone's junk, not the site's set-up.
 */
function signatureFix(req: Request, algorithm: SignatureAlgorithm): string | undefined {
  const provided = SIGNATURE.exec(rawQueryOf(req))?.[1] ?? '';
  const other: SignatureAlgorithm = algorithm === 'md5' ? 'sha1' : 'md5';
  if (provided.length === HEX_LENGTH[other]) {
    return `the signature has ${provided.length} hex characters, which is ${other}, but signatureAlgorithm is '${algorithm}': ` +
      `set luminate.signatureAlgorithm (env LUMINATE_SIGNATURE_ALGORITHM) to '${other}'`;
  }
  if (provided.length === HEX_LENGTH[algorithm]) {
    return "the signature does not match: set luminate.apiSecretKey (env LUMINATE_API_SECRET_KEY) to the site's CONVIO_API_SECRET_KEY exactly " +
      '(Setup > Site Options > Open API Configuration)';
  }
  return undefined;
}

/**
 * The warning for an error that means the site is misconfigured, or undefined for what a visitor
 * (or Luminate's passing trouble) causes: throttling, expired or replayed callbacks, unknown
 * constituents, timeouts. The line names the error code and the fix.
 */
export function warningFor(err: LuminateError, req: Request, settings: WarningSettings): { code: WarningCode; message: string } | undefined {
  const lead = `${settings.who}: ${err.code}`;
  const tail = `Meanwhile ${settings.consequence}.`;
  const cause = err.cause === undefined ? '' : ` (${settings.scrub(causeText(err.cause))})`;
  const access = err.luminateCode === undefined ? undefined : ACCESS_WARNINGS[err.luminateCode];
  if (access !== undefined && err.code.startsWith('LUMINATE_')) {
    const fix = accessFix(err.luminateCode, err.message, settings.names) as string;
    return { code: access, message: `${lead} (${err.message}). Fix: ${fix}. ${tail}` };
  }
  switch (err.code) {
    case 'LUMINATE_REQUEST_FAILED':
      // Error 1 to a call with an id: what a wrong secure host or org path answers to every call.
      return { code: 'LUMINATE_SSO_REQUEST_FAILED', message: `${lead} (${settings.scrub(err.message)}). Fix: ${error1Fix('luminate.secureUrl (env LUMINATE_SECURE_URL)')}. ${tail}` };
    case 'SSO_CALLBACK_SIGNATURE_INVALID': {
      if (settings.ownCallback?.(req) !== true) return undefined; // a forged or garbled link: the visitor's doing
      const fix = signatureFix(req, settings.signatureAlgorithm);
      if (fix === undefined) return undefined;
      return { code: 'LUMINATE_SSO_CALLBACK_SIGNATURE', message: `${lead}: refused a callback from Luminate. Fix: ${fix}. ${tail}` };
    }
    case 'LOGIN_SIGNATURE_INVALID':
      return {
        code: 'LUMINATE_SSO_LOGIN_SIGNATURE',
        message: `${lead}: ${err.message} Fix: set luminate.apiSecretKey (env LUMINATE_API_SECRET_KEY) to the site's CONVIO_API_SECRET_KEY ` +
          `and luminate.signatureAlgorithm to what the site signs with (40 hex characters: sha1, 32: md5). ${tail}`,
      };
    case 'SSO_CONSTITUENT_HOOK_FAILED': {
      if (err.cause === undefined) {
        return { code: 'LUMINATE_SSO_HOOK_RESULT', message: `${lead}: ${err.message} Fix: return { consId } or { memberId } as a non-empty string (e.g. { consId: String(user.consId) }), { email } as a verified address, or null. ${tail}` };
      }
      const fix = hasSession(req)
        ? 'make the constituent hook return null for a visitor who is not logged in, and never throw'
        : 'req.session is undefined: mount express-session before the bridge (app.use(session(...)) first, then app.use(luminateSso(...)))';
      return { code: 'LUMINATE_SSO_HOOK_FAILED', message: `${lead}: the constituent hook threw${cause}. Fix: ${fix}. ${tail}` };
    }
    case 'SSO_PROVISION_FAILED':
      return { code: 'LUMINATE_SSO_PROVISION_FAILED', message: `${lead}: ${err.message}${cause} Fix: check the provision hook. ${tail}` };
    case 'LUMINATE_CONNECTION_REFUSED':
    case 'LUMINATE_NETWORK_ERROR':
    case 'LUMINATE_UNEXPECTED_RESPONSE':
    case 'LUMINATE_HTTP_ERROR': {
      // Not a visitor's doing, and not a passing blip either: a wrong secureUrl, DNS, TLS or a
      // maintenance page. Timeouts, resets and 5xx pass on their own and stay quiet.
      if (err.code === 'LUMINATE_HTTP_ERROR' && err.upstreamStatus !== 404 && err.upstreamStatus !== 405) return undefined;
      const why = explainUnreachable(err, 'luminate.secureUrl (env LUMINATE_SECURE_URL)', 0);
      return { code: 'LUMINATE_SSO_UNREACHABLE', message: `${lead}: no usable answer from Luminate: ${why.detail}. Fix: ${why.fix}. ${tail}` };
    }
    case 'SSO_STORE_UNAVAILABLE':
      return { code: 'LUMINATE_SSO_STORE', message: `${lead}: ${err.message}${cause} Fix: check the store (e.g. Redis) the bridge was given. ${tail}` };
    case 'SSO_RENDER_PAGE_FAILED':
      // The visitor still gets the page, in the bridge's own look: the host's layout is broken.
      return {
        code: 'LUMINATE_SSO_RENDER_PAGE',
        message: `${settings.who}: ${err.code}: ${err.message}${cause} Fix: make renderPage return the whole HTML document as a string, ` +
          "with page.form in it when the page has one, and never throw. Meanwhile visitors get the bridge's built-in pages.",
      };
    case 'LOGIN_SESSION_REQUIRED':
      return { code: 'LUMINATE_SSO_NO_SESSION', message: `${lead}: req.session is undefined. Fix: mount express-session before the bridge (app.use(session(...)) first). ${tail}` };
    default:
      return undefined;
  }
}
