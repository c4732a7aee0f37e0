/** The `logger` option luminateSso() and luminateLogin() share: where warnings about a misconfigured site go. */
import { z } from 'zod';
import { isPlainObject } from './parse';

/**
 * Where the bridge reports a misconfigured site. `warn` gets one line naming the error code and
 * the fix, never a secret. Default: `process.emitWarning(line, { type: 'LuminateSsoBridgeWarning', code })`,
 * which Node prints on stderr. Pass `console`, a pino/winston logger, or `false` for none.
 */
export interface BridgeLogger {
  warn(message: string, details?: { code: WarningCode }): unknown;
  /** Optional: the start-up check's success line (`verify`). */
  info?(message: string, details?: { code: WarningCode }): unknown;
}

/** The warning codes (`warning.code` with process.emitWarning). */
export type WarningCode =
  | 'LUMINATE_SSO_API_KEY'
  | 'LUMINATE_SSO_API_LOGIN'
  | 'LUMINATE_SSO_IP_NOT_ALLOWED'
  | 'LUMINATE_SSO_CALLBACK_SIGNATURE'
  | 'LUMINATE_SSO_LOGIN_SIGNATURE'
  | 'LUMINATE_SSO_HOOK_FAILED'
  | 'LUMINATE_SSO_HOOK_RESULT'
  | 'LUMINATE_SSO_PROVISION_FAILED'
  | 'LUMINATE_SSO_NO_SESSION'
  | 'LUMINATE_SSO_PROXY'
  | 'LUMINATE_SSO_UNREACHABLE'
  | 'LUMINATE_SSO_STORE'
  | 'LUMINATE_SSO_RENDER_PAGE'
  | 'LUMINATE_SSO_REQUEST_FAILED'
  | 'LUMINATE_SSO_VERIFY';

/** `process.emitWarning`, the default sink. */
export const EMIT_WARNING: BridgeLogger = {
  warn: (message, details) =>
    process.emitWarning(message, { type: 'LuminateSsoBridgeWarning', ...(details ? { code: details.code } : {}) }),
};

/** Where warnings go: default `process.emitWarning`, `false` for none, or an object with `warn(message)`. */
export const logger = z
  .union([z.literal(false), z.custom<BridgeLogger>((v) => isPlainObject(v) && typeof v.warn === 'function')], {
    error: 'must be an object with a warn(message) function (e.g. console, or a pino logger), or false.',
  })
  .default(EMIT_WARNING);
