import { LuminateClient } from '../luminate/luminate-client';
import type { ConstituentRef } from '../luminate/types';
import { isLuminateError } from '../errors';
import { checkAccess, fail, pass, said, skip, type CheckResult } from '../luminate/access-check';
import { error1Fix, explainUnreachable } from '../luminate/explain';
import type { SiteSettings } from './settings';

/**
 * Error 1 to a call that names a constituent. Seen in the field: it is also what a wrong secure
 * host or org path answers, to every call; then the checks above passed only because a call
 * without an id gets error 1 there too.
 */
const ERROR_1_FIX = error1Fix('LUMINATE_SECURE_URL');

function idText(ref: ConstituentRef): string {
  return ref.consId !== undefined ? `cons_id ${ref.consId}` : `member_id ${ref.memberId}`;
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
