import { LuminateClient } from '../luminate/luminate-client';
import { TOKEN_ROOT } from '../luminate/sso-token';
import type { ConstituentRef } from '../luminate/types';
import { isLuminateError, type LuminateError } from '../errors';
import { accessFix, ENV_SETTING_NAMES, explainUnreachable, type AccessSettingNames } from '../luminate/explain';
import { fail, pass, skip, type CheckResult } from './report';
import type { SiteSettings } from './settings';


/** Luminate's own words (`Luminate error 4: Request not allowed from this IP address. (HTTP 403)`). */
function said(err: LuminateError): string {
  return err.message;
}

/**
 * Error 1 to a call that names a constituent. Seen in the field: it is also what a wrong secure
 * host or org path answers, to every call; then the checks above passed only because a call
 * without an id gets error 1 there too.
 */
const ERROR_1_FIX = 'Luminate could not process the request. Known causes: the wrong secure host in LUMINATE_SECURE_URL ' +
  '(your site is on secure2.convio.net or secure3.convio.net: copy the host from the address bar of your Luminate admin pages), ' +
  'the wrong org path (/myorg, the part after the host there), or a custom domain (use the secure base Luminate shows for it; it may have no /org path). ' +
  'If all of these are right, it is Luminate\'s own trouble: try again later';

function idText(ref: ConstituentRef): string {
  return ref.consId !== undefined ? `cons_id ${ref.consId}` : `member_id ${ref.memberId}`;
}

/**
 * Key, IP and login. Luminate checks the API key (2), then the caller's IP (4), then the API
 * administrator login (3), then the method's parameters [as the stand-in does; the order is
 * what luminate-api.md describes]. So a getSingleSignOnToken call without an id tells them
 * apart: error 1 ("no id given") means all three were accepted.
 */
export async function checkAccess(
  client: Pick<LuminateClient, 'callServerApi' | 'secureUrl'>,
  timeoutMs: number,
  names: AccessSettingNames = ENV_SETTING_NAMES,
  setting = 'LUMINATE_SECURE_URL',
): Promise<{ results: CheckResult[]; ok: boolean; error?: unknown }> {
  const started = Date.now();
  let err: unknown;
  try {
    await client.callServerApi('getSingleSignOnToken', {}, TOKEN_ROOT);
  } catch (e) {
    err = e;
  }
  const ms = Date.now() - started;
  const endpoint = `${client.secureUrl}/site/SRConsAPI`;
  if (err !== undefined && !(isLuminateError(err) && err.luminateCode !== undefined)) {
    const why = explainUnreachable(err, setting, timeoutMs);
    const notReached = 'not checked: Luminate was not reached';
    return {
      ok: false,
      error: err,
      results: [
        fail('reach', `Reach ${endpoint}`, why.detail, why.fix),
        skip('api-key', 'API key (error 2)', notReached),
        skip('ip-allowed', 'Server IP on the API white list (error 4)', notReached),
        skip('api-login', 'API administrator login (error 3)', notReached),
      ],
    };
  }
  const results = [pass('reach', `Reach ${endpoint}`, `Luminate answered in ${ms} ms`)];
  const code = isLuminateError(err) ? err.luminateCode : undefined;
  const e = err as LuminateError;
  const fix = (): string => accessFix(code, e.message, names) as string;
  if (code === 2) {
    results.push(
      fail('api-key', 'API key (error 2)', said(e), fix()),
      skip('ip-allowed', 'Server IP on the API white list (error 4)', 'not checked: Luminate stops at the API key'),
      skip('api-login', 'API administrator login (error 3)', 'not checked: Luminate stops at the API key'),
    );
    return { ok: false, results, error: err };
  }
  results.push(pass('api-key', 'API key (error 2)', 'accepted'));
  if (code === 4) {
    results.push(
      fail('ip-allowed', 'Server IP on the API white list (error 4)', said(e), fix()),
      skip('api-login', 'API administrator login (error 3)', 'not checked: Luminate stops at the IP white list'),
    );
    return { ok: false, results, error: err };
  }
  results.push(pass('ip-allowed', 'Server IP on the API white list (error 4)', 'accepted'));
  if (code === 3) {
    results.push(fail('api-login', 'API administrator login (error 3)', said(e), fix()));
    return { ok: false, results, error: err };
  }
  const how = err === undefined ? 'accepted' : `accepted (Luminate answered error ${code} to a call without an id, which it checks only after key, IP and login)`;
  results.push(pass('api-login', 'API administrator login (error 3)', how));
  return { ok: true, results };
}

async function checkToken(client: LuminateClient, ref: ConstituentRef, timeoutMs: number): Promise<CheckResult> {
  const label = `Token for ${idText(ref)}`;
  try {
    const token = await client.getSingleSignOnToken(ref);
    return pass('token', label, `token received (${token.token.length} chars) for cons_id ${token.consId}, nonce present: ${token.nonce === undefined ? 'no' : 'yes'}`);
  } catch (err) {
    if (!isLuminateError(err)) throw err;
    if (err.code === 'LUMINATE_CONSTITUENT_NOT_FOUND') {
      return fail('token', label, said(err), `no constituent has that id: check it (cons_id is Luminate's internal id; member_id is the external id your site stores)`);
    }
    if (err.code === 'LUMINATE_AMBIGUOUS_MEMBER_ID') {
      return fail('token', label, said(err), 'several constituents share that member_id: give --cons-id instead, and clean up the duplicates');
    }
    if (err.luminateCode === 1) return fail('token', label, said(err), ERROR_1_FIX);
    if (err.luminateCode !== undefined) return fail('token', label, said(err), 'see "Error codes" in the README for this code');
    const why = explainUnreachable(err, 'LUMINATE_SECURE_URL', timeoutMs);
    return fail('token', label, why.detail, why.fix);
  }
}

/** The checks that talk to the server API, in order; each failure is attributed to one check. */
export async function checkSite(site: SiteSettings, ref: ConstituentRef | undefined, timeoutMs: number): Promise<CheckResult[]> {
  let client: LuminateClient;
  try {
    client = new LuminateClient({
      secureUrl: site.secureUrl,
      apiKey: site.apiKey,
      apiLogin: { name: site.loginName, password: site.loginPassword },
      timeoutMs,
      connectTimeoutMs: timeoutMs,
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
    });
  } catch (err) {
    // The settings checks above mirror the client's; this is the net for anything they missed.
    return [fail('settings', 'Settings', (err as Error).message, 'fix the setting named above')];
  }
  try {
    const access = await checkAccess(client, timeoutMs);
    const noId = 'not asked: pass --cons-id ID or --member-id ID to ask Luminate for a test token';
    if (ref === undefined) return [...access.results, skip('token', 'Token for a test constituent', noId)];
    if (!access.ok) return [...access.results, skip('token', `Token for ${idText(ref)}`, 'not asked: fix the check that failed above first')];
    return [...access.results, await checkToken(client, ref, timeoutMs)];
  } finally {
    await client.close();
  }
}
