import type { Request } from 'express';
import { EMIT_WARNING, type BridgeLogger } from '../config/logger';
import type { ResolvedSite } from '../config/site';
import { isOwnHandoffId } from '../http/handoff-id';
import { observed, proxyWarning, secretsOf, untrustedProxy } from '../diagnostics/monitor';
import { OPTION_SETTING_NAMES, Warner, warningFor, type WarningSettings } from '../diagnostics/warnings';
import type { LuminateError } from '../errors';

/** What luminateLogin() watches: its options with onError observed, and the proxy warning. */
export function monitorLogin<C extends LoginWatched>(config: C, now: () => number = () => Date.now()): { config: C; checkRequest(req: Request): void } {
  const warner = new Warner(config.logger ?? EMIT_WARNING, secretsOf(config), now);
  const settings: WarningSettings = {
    names: OPTION_SETTING_NAMES, signatureAlgorithm: config.signatureAlgorithm, who: LOGIN, consequence: 'no visitor can log in', scrub: warner.scrub,
    ownCallback: (req) => isOwnHandoffId(req.query.hid, config.apiSecretKey),
  };
  const onError = observed((err: LuminateError, req: Request) => {
    const warning = warningFor(err, req, settings);
    if (warning !== undefined) warner.warn(warning.code, warning.message);
  }, config.onError);
  return {
    config: { ...config, onError },
    checkRequest(req) {
      if (untrustedProxy(req, config.baseUrl)) warner.warn('LUMINATE_SSO_PROXY', proxyWarning(LOGIN), true);
    },
  };
}

const LOGIN = 'luminateLogin()';

/** The part of luminateLogin()'s options the monitor reads. */
interface LoginWatched extends Pick<ResolvedSite, 'apiKey' | 'apiLogin' | 'apiSecretKey' | 'signatureAlgorithm'> {
  baseUrl?: string;
  logger?: BridgeLogger | false;
  onError?: (err: LuminateError, req: Request) => void;
}
