import { isLuminateError } from '../errors';

/** Plain words for a call that got no Luminate answer; `setting` names where the address is set. */
export function explainUnreachable(err: unknown, setting: string, timeoutMs: number): { detail: string; fix: string } {
  if (!isLuminateError(err)) {
    return { detail: 'the call failed unexpectedly', fix: 'run again with DEBUG=luminate-sso-bridge:* and report the output' };
  }
  const detail = `${err.message} (${err.code})`;
  switch (err.code) {
    case 'LUMINATE_TIMEOUT':
      return { detail, fix: `check the host name in ${setting}, and that this server may open outbound HTTPS connections to it (firewall, proxy); or raise ${setting.startsWith('luminate.') ? 'luminate.timeoutMs' : '--timeout-ms'} (now ${timeoutMs})` };
    case 'LUMINATE_CONNECTION_REFUSED':
      return { detail, fix: `nothing accepts connections there: check the host and port in ${setting}` };
    case 'LUMINATE_CONNECTION_RESET':
      return { detail, fix: 'the connection was cut: a firewall or proxy in between may block it; try again' };
    case 'LUMINATE_NETWORK_ERROR':
      return { detail, fix: `check the host name in ${setting} (DNS) and the TLS certificate chain; a TLS-inspecting proxy needs its CA` };
    case 'LUMINATE_HTTP_ERROR':
      if (err.upstreamStatus === 404 && setting === 'LUMINATE_WS_URL') {
        // Seen in the field: the reason phrase says why ("Failed to resolve site: <org>", "expecting: /{public API version}/…").
        return { detail, fix: `the address does not lead to your Web Services: ${setting} is the Web Services host, then /1.0/<your org>, e.g. https://webservices.cluster2.convio.net/1.0/myorg (check the version and the org name Luminate could not resolve)` };
      }
      if (err.upstreamStatus === 404) return { detail, fix: `the address does not lead to Luminate's API: check the path (/myorg) in ${setting}` };
      return { detail, fix: `Luminate or a proxy in front of it is failing (HTTP ${err.upstreamStatus ?? '?'}): try again later, and check ${setting}` };
    case 'LUMINATE_UNEXPECTED_RESPONSE':
      return { detail, fix: `a page came back instead of an API reply: the site may be in maintenance, or ${setting} points elsewhere` };
    default:
      return { detail, fix: `check ${setting}; run again with DEBUG=luminate-sso-bridge:* for details` };
  }
}

/** The doctor's names for the access settings (the environment variables), for the fixes below. */
export const ENV_SETTING_NAMES = {
  apiKey: 'LUMINATE_API_KEY',
  loginName: 'LUMINATE_API_LOGIN_NAME',
  loginPassword: 'LUMINATE_API_LOGIN_PASSWORD',
};
/** Where the bridge or the doctor reads each access setting from. */
export type AccessSettingNames = Record<keyof typeof ENV_SETTING_NAMES, string>;

const OPEN_API = 'in Luminate: Setup > Site Options > Open API Configuration';
const WHITE_LIST = `${OPEN_API} > Remote IP address white list`;
const API_PERMISSION = 'an active administrator in a security group with the "Use Luminate Online APIs" permission';
// Seen in the field: error 4's message ends with the address Luminate saw ("… from this IP address: 198.51.100.23").
const IP_IN_MESSAGE = /IP address:?\s*([0-9A-Fa-f]{1,4}(?:[.:][0-9A-Fa-f]{0,4}){1,7})/;

/** What to do about Luminate refusing the API key (2), the caller's IP (4) or the API login (3); else undefined. */
export function accessFix(luminateCode: number | undefined, message: string, names: AccessSettingNames): string | undefined {
  switch (luminateCode) {
    case 2:
      return `set ${names.apiKey} to the site's CONVIO_API_KEY exactly (${OPEN_API})`;
    case 3:
      return `check ${names.loginName} and ${names.loginPassword}; the account must be ${API_PERMISSION}`;
    case 4: {
      const ip = IP_IN_MESSAGE.exec(message)?.[1]?.replace(/[.:]+$/, '');
      const who = ip === undefined || ip.length < 3
        ? "this server's public outbound IP address (as Luminate sees it, after any NAT or proxy)"
        : `${ip} (the address Luminate saw: this server's public outbound IP, after any NAT or proxy)`;
      return `add ${who} to the white list, ${WHITE_LIST}`;
    }
    default:
      return undefined;
  }
}

/**
 * The fix for Luminate's error 1 ("Unable to process request.") where nothing else explains it: a wrong
 * secure host or org path gives it to every call (seen in the field). `setting`: where secureUrl is set.
 */
export function error1Fix(setting: string): string {
  return `Luminate could not process the request. Known causes: the wrong secure host in ${setting} ` +
    '(your site is on secure2.convio.net or secure3.convio.net: copy the host from the address bar of your Luminate admin pages), ' +
    'the wrong org path (/myorg, the part after the host there), or a custom domain (use the secure base Luminate shows for it; it may have no /org path). ' +
    "If all of these are right, it is Luminate's own trouble: try again later";
}
