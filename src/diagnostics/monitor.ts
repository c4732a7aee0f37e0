import type { Request } from 'express';
import { LuminateError, isLuminateError } from '../errors';
import { senderTrusted } from '../http/request-urls';
import { checkAccess } from '../luminate/access-check';
import type { LuminateClient } from '../luminate/luminate-client';
import { OPTION_SETTING_NAMES, type Warner } from './warnings';

/** True when the request carries X-Forwarded-* headers from a sender `trust proxy` does not cover, and no `baseUrl` is set. */
export function untrustedProxy(req: Request, baseUrl: string | undefined): boolean {
  if (baseUrl !== undefined) return false;
  const h = req.headers;
  if (h['x-forwarded-proto'] === undefined && h['x-forwarded-host'] === undefined && h['x-forwarded-for'] === undefined) return false;
  return !senderTrusted(req);
}

export function proxyWarning(who: string): string {
  return `${who}: requests arrive with X-Forwarded-Proto/-Host/-For headers, but Express's 'trust proxy' does not trust their sender and baseUrl is not set. ` +
    'If a proxy or load balancer is in front of this app, callback URLs will point at the internal address, and every visitor shares ' +
    "the proxy's IP for the per-IP throttle (on a campaign day: 429s for the whole site). " +
    "Fix: app.set('trust proxy', 1) (the number of proxies in front), and set baseUrl to the public address, e.g. 'https://www.example.org'. " +
    'If nothing is in front of this app, a client sent these headers: nothing to do.';
}

/** The bridge's secrets, scrubbed from the causes and details its warnings quote (Warner.scrub). */
export function secretsOf(config: { apiKey: string; apiLogin: { password: string }; apiSecretKey: string }): string[] {
  return [config.apiLogin.password, config.apiSecretKey, config.apiKey];
}

/** What `bridge.ready` resolves with when `verify` is set. */
export interface VerifyReport {
  /** True when Luminate accepted the API key, this server's IP and the API login. */
  ok: boolean;
  /**
   * The doctor's lines for reach, API key, IP white list and API login (ids `reach`, `api-key`,
   * `ip-allowed`, `api-login`; status `PASS`, `FAIL` or `SKIP`), never a secret.
   */
  checks: Array<{ id: string; status: string; label: string; detail: string; fix?: string }>;
}

/**
 * The start-up check (`verify`): one server call, as `doctor` makes it, that tells the API key,
 * the IP white list and the API login apart; its outcome is logged once. Resolves with the report
 * ('warn'), or rejects with a LuminateError naming the fix ('fail' and a check failed).
 */
export async function verifyAccess(
  client: Pick<LuminateClient, 'callServerApi' | 'secureUrl'>,
  mode: 'warn' | 'fail',
  warner: Warner,
  who: string,
  timeoutMs: number,
): Promise<VerifyReport> {
  const access = await checkAccess(client, timeoutMs, OPTION_SETTING_NAMES, 'luminate.secureUrl (env LUMINATE_SECURE_URL)');
  const report: VerifyReport = { ok: access.ok, checks: access.results };
  if (access.ok) {
    // The check's error 1 is also what a wrong secure host or org path answers (seen in the field):
    // it cannot tell them apart, so a first click answered error 1 is a warning of its own.
    warner.info('LUMINATE_SSO_VERIFY', `${who}: start-up check passed: Luminate accepted the API key, this server's IP and the API login ` +
      '(a wrong secure host or org path is told only by the first handoff: LUMINATE_SSO_REQUEST_FAILED).');
    return report;
  }
  const failed = access.results.find((r) => r.status === 'FAIL');
  // The check's detail may quote Luminate: scrubbed of this bridge's secrets, here and in the error.
  const detail = failed === undefined ? 'failed' : warner.scrub(failed.detail);
  const line = `${failed?.label ?? 'start-up check'}: ${detail}. Fix: ${failed?.fix ?? 'run luminate-sso-bridge doctor'}`;
  warner.warn('LUMINATE_SSO_VERIFY', `${who}: start-up check failed: ${line}.`);
  if (mode === 'warn') return report;
  const cause = access.error;
  const known = isLuminateError(cause) ? cause : undefined;
  throw new LuminateError(known?.code ?? 'LUMINATE_NETWORK_ERROR', `${who}: start-up check failed: ${line}.`, {
    luminateCode: known?.luminateCode, upstreamStatus: known?.upstreamStatus, cause,
  });
}

/** Runs `observe`, then the user's hook; the observer never stands in the hook's way. */
export function observed<A extends unknown[]>(observe: (...args: A) => void, hook: ((...args: A) => unknown) | undefined): (...args: A) => unknown {
  return (...args: A) => {
    try {
      observe(...args);
    } catch {
      // counting and warning must never change what the visitor gets
    }
    return hook?.(...args);
  };
}
