import { isLuminateError } from '../errors';
import { LuminateWebServices } from '../web-services';
import { explainUnreachable } from '../luminate/explain';
import { fail, pass, type CheckResult } from '../luminate/access-check';
import type { WebServicesSettings } from './settings';

const LABEL = 'Web Services login';

/** Logs in to the Web Services once (the documented Login); the SessionId is never shown. */
export async function checkWebServicesLogin(settings: WebServicesSettings, timeoutMs: number): Promise<CheckResult> {
  let ws: LuminateWebServices;
  try {
    ws = new LuminateWebServices({
      url: settings.url,
      userName: settings.userName,
      password: settings.password,
      timeoutMs,
      connectTimeoutMs: timeoutMs,
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
    }, {});
  } catch (err) {
    return fail('ws-login', LABEL, (err as Error).message, 'fix the LUMINATE_WS_* setting named above');
  }
  try {
    await ws.login();
    return pass('ws-login', LABEL, `Login accepted for ${settings.userName}; a SessionId came back (not shown)`);
  } catch (err) {
    if (isLuminateError(err) && err.code === 'LUMINATE_WS_LOGIN_FAULT') {
      return fail('ws-login', LABEL, err.message,
        'check LUMINATE_WS_USERNAME and LUMINATE_WS_PASSWORD; the account must be an active constituent with administrator status, ' +
        'with that password, in an admin security group that has the "Use Luminate Online APIs" permission');
    }
    if (isLuminateError(err) && err.code === 'LUMINATE_WS_FAULT') {
      return fail('ws-login', LABEL, err.message, 'check that LUMINATE_WS_URL is your site\'s Web Services endpoint; try again later');
    }
    const why = explainUnreachable(err, 'LUMINATE_WS_URL', timeoutMs);
    return fail('ws-login', LABEL, why.detail, why.fix);
  } finally {
    await ws.close();
  }
}
