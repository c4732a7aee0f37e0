import { LuminateClient } from '../luminate/luminate-client';
import type { ConstituentRef } from '../luminate/types';
import { isLuminateError } from '../errors';
import { checkAccess, fail, pass, said, skip, type CheckResult } from '../luminate/access-check';
import { error1Fix, explainUnreachable } from '../luminate/explain';
import { LuminateWebServices } from '../web-services';
import type { SettingsReport } from './settings';

/**
 * Error 1 to a call that names a constituent. Seen in the field: it is also what a wrong secure
 * host or org path answers, to every call; then the checks above passed only because a call
 * without an id gets error 1 there too.
 */
const ERROR_1_FIX = error1Fix('LUMINATE_SECURE_URL');

type Site = NonNullable<SettingsReport['site']>;
type WebServices = NonNullable<SettingsReport['webServices']>;

/** Every network deadline of one check, in ms. */
function deadlines(timeoutMs: number) {
  return { timeoutMs, connectTimeoutMs: timeoutMs, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs };
}

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
export async function checkSite(site: Site, ref: ConstituentRef | undefined, timeoutMs: number): Promise<CheckResult[]> {
  let client: LuminateClient;
  try {
    client = new LuminateClient({ ...site, ...deadlines(timeoutMs) });
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

/** Logs in to the Web Services once (the documented Login); the SessionId is never shown. */
export async function checkWebServicesLogin(settings: WebServices, timeoutMs: number): Promise<CheckResult> {
  const label = 'Web Services login';
  let ws: LuminateWebServices;
  try {
    ws = new LuminateWebServices({ ...settings, ...deadlines(timeoutMs) }, {});
  } catch (err) {
    return fail('ws-login', label, (err as Error).message, 'fix the LUMINATE_WS_* setting named above');
  }
  try {
    await ws.login();
    return pass('ws-login', label, `Login accepted for ${settings.userName}; a SessionId came back (not shown)`);
  } catch (err) {
    if (isLuminateError(err) && err.code === 'LUMINATE_WS_LOGIN_FAULT') {
      return fail('ws-login', label, err.message,
        'check LUMINATE_WS_USERNAME and LUMINATE_WS_PASSWORD; the account must be an active constituent with administrator status, ' +
        'with that password, in an admin security group that has the "Use Luminate Online APIs" permission');
    }
    if (isLuminateError(err) && err.code === 'LUMINATE_WS_FAULT') {
      return fail('ws-login', label, err.message, 'check that LUMINATE_WS_URL is your site\'s Web Services endpoint; try again later');
    }
    const why = explainUnreachable(err, 'LUMINATE_WS_URL', timeoutMs);
    return fail('ws-login', label, why.detail, why.fix);
  } finally {
    await ws.close();
  }
}
