import type { Request } from 'express';
import { observed, proxyWarning, secretsOf, untrustedProxy } from '../diagnostics/monitor';
import { bridgeCounters } from '../diagnostics/stats';
import { hasSession, noSessionWarning, OPTION_SETTING_NAMES, Warner, warningFor, type WarningSettings } from '../diagnostics/warnings';
import type { LuminateError } from '../errors';
import { isOwnHandoffId } from '../http/handoff-id';
import { loggedInConstituent } from '../http/login-session';
import type { HandoffInfo } from './options';
import type { ResolvedSsoOptions } from './resolve-options';

/** What luminateSso() watches: its options with the hooks observed, its counters and its warnings. */
export interface SsoMonitor {
  config: ResolvedSsoOptions;
  counters: ReturnType<typeof bridgeCounters>;
  warner: Warner;
  /** Called for each bridge request: the proxy warning, once. */
  checkRequest(req: Request): void;
}

const SSO = 'luminateSso()';

/**
 * Observes luminateSso()'s outcomes without touching the request path: every failure reaches
 * `onError` and every handoff `onHandoff`, so wrapping those two counts everything, and warns
 * about failures that mean the site is misconfigured. `onError` still sees every failure.
 */
export function monitorSso(config: ResolvedSsoOptions, now: () => number = () => Date.now()): SsoMonitor {
  const warner = new Warner(config.logger, secretsOf(config), now);
  const counters = bridgeCounters();
  const consequence = config.onFailure === 'continue'
    ? 'every visitor continues as a guest'
    : "every visitor gets your error page (onFailure: 'error')";
  const settings: WarningSettings = {
    names: OPTION_SETTING_NAMES, signatureAlgorithm: config.signatureAlgorithm, who: SSO, consequence, scrub: warner.scrub,
    ownCallback: (req) => isOwnHandoffId(req.query.hid, config.apiSecretKey),
  };
  const onError = observed((err: LuminateError, req: Request) => {
    counters.failure(err.code, config.onFailure);
    const warning = warningFor(err, req, settings);
    if (warning !== undefined) warner.warn(warning.code, warning.message);
  }, config.onError);
  const onHandoff = observed((info: HandoffInfo, _req: Request) => counters.handoff(info.handoff), config.onHandoff);
  let constituent = config.constituent;
  if (constituent === loggedInConstituent) {
    constituent = (req: Request) => {
      if (!hasSession(req)) warner.warn('LUMINATE_SSO_NO_SESSION', noSessionWarning(SSO, 'every visitor is treated as logged out'));
      return loggedInConstituent(req);
    };
  }
  return {
    config: { ...config, onError, onHandoff, constituent } as ResolvedSsoOptions,
    counters,
    warner,
    checkRequest(req) {
      if (untrustedProxy(req, config.baseUrl)) warner.warn('LUMINATE_SSO_PROXY', proxyWarning(SSO), true);
    },
  };
}
