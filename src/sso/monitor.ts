import type { Request } from 'express';
import { observed, proxyWarning, secretsOf, untrustedProxy } from '../diagnostics/monitor';
import { bridgeCounters } from '../diagnostics/stats';
import { hasSession, OPTION_SETTING_NAMES, Warner, warningFor } from '../diagnostics/warnings';
import type { LuminateError } from '../errors';
import { isOwnHandoffId } from '../http/handoff-id';
import { loggedInConstituent } from '../http/login-session';
import type { HandoffInfo } from './options';
import type { ResolvedSsoOptions } from './resolve-options';

const SSO = 'luminateSso()';

/**
 * What luminateSso() watches: its options with the hooks observed, its counters and its warnings.
 * Every failure reaches `onError` and every handoff `onHandoff`, so wrapping those two counts
 * everything without touching the request path. `onError` still sees every failure.
 */
export function monitorSso(config: ResolvedSsoOptions) {
  const warner = new Warner(config.logger, secretsOf(config));
  const counters = bridgeCounters();
  const consequence = config.onFailure === 'continue'
    ? 'every visitor continues as a guest'
    : "every visitor gets your error page (onFailure: 'error')";
  const settings = {
    names: OPTION_SETTING_NAMES, signatureAlgorithm: config.signatureAlgorithm, who: SSO, consequence, scrub: warner.scrub,
    ownCallback: (req: Request) => isOwnHandoffId(req.query.hid, config.apiSecretKey),
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
      if (!hasSession(req)) {
        warner.warn('LUMINATE_SSO_NO_SESSION', `${SSO}: req.session is undefined, so the default constituent hook (loggedInConstituent) ` +
          'finds nobody. Fix: mount express-session before the bridge (app.use(session(...)) first, then app.use(luminateSso(...))). ' +
          'Meanwhile every visitor is treated as logged out.');
      }
      return loggedInConstituent(req);
    };
  }
  return {
    config: { ...config, onError, onHandoff, constituent } as ResolvedSsoOptions,
    counters,
    warner,
    /** Called for each bridge request: the proxy warning, once. */
    checkRequest(req: Request): void {
      if (untrustedProxy(req, config.baseUrl)) warner.warn('LUMINATE_SSO_PROXY', proxyWarning(SSO), true);
    },
  };
}
