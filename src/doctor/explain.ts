import { isLuminateError } from '../errors';

/**
 * Plain words for a call that did not get a Luminate answer (network, TLS, HTTP, HTML page).
 * `setting` names the variable holding the address, so the fix says which one to look at.
 */
export function explainUnreachable(err: unknown, setting: string, timeoutMs: number): { detail: string; fix: string } {
  if (!isLuminateError(err)) {
    return { detail: 'the call failed unexpectedly', fix: 'run again with DEBUG=luminate-sso-bridge:* and report the output' };
  }
  const detail = `${err.message} (${err.code})`;
  switch (err.code) {
    case 'LUMINATE_TIMEOUT':
      return { detail, fix: `check the host name in ${setting}, and that this server may open outbound HTTPS connections to it (firewall, proxy); or raise --timeout-ms (now ${timeoutMs})` };
    case 'LUMINATE_CONNECTION_REFUSED':
      return { detail, fix: `nothing accepts connections there: check the host and port in ${setting}` };
    case 'LUMINATE_CONNECTION_RESET':
      return { detail, fix: 'the connection was cut: a firewall or proxy in between may block it; try again' };
    case 'LUMINATE_NETWORK_ERROR':
      return { detail, fix: `check the host name in ${setting} (DNS) and the TLS certificate chain; a TLS-inspecting proxy needs its CA` };
    case 'LUMINATE_HTTP_ERROR':
      if (err.upstreamStatus === 404) return { detail, fix: `the address does not lead to Luminate's API: check the path (/myorg) in ${setting}` };
      return { detail, fix: `Luminate or a proxy in front of it is failing (HTTP ${err.upstreamStatus ?? '?'}): try again later, and check ${setting}` };
    case 'LUMINATE_UNEXPECTED_RESPONSE':
      return { detail, fix: `a page came back instead of an API reply: the site may be in maintenance, or ${setting} points elsewhere` };
    default:
      return { detail, fix: `check ${setting}; run again with DEBUG=luminate-sso-bridge:* for details` };
  }
}
