import type { Request, Response } from 'express';
import { escapeHtml } from '../sso/handoff';
import { formActionSources, newCspNonce } from '../sso/security-headers';
import { page, send, type ApplyHeaders } from '../sso/message-page';

/** The logout confirmation luminateLogin() shows when a logout cannot be trusted to be the visitor's own. */

export interface ConfirmLogout {
  action: string;
  csrfToken: string;
  /** Where the POST and the redirects after it go: this site, Luminate, the landing page. */
  formActionOrigins: string[];
  message: string;
}

/** "Log out?" with a button: the POST carries the session's token, so no other site can press it. */
export function sendLogoutConfirmation(applyHeaders: ApplyHeaders, req: Request, res: Response, status: number, confirm: ConfirmLogout): void {
  const nonce = newCspNonce();
  applyHeaders(req, res, { nonce, formAction: formActionSources(confirm.formActionOrigins) });
  send(
    res,
    status,
    page(
      nonce,
      'Log out',
      `<p>${escapeHtml(confirm.message)}</p>
    <form method="post" action="${escapeHtml(confirm.action)}">
      <input type="hidden" name="_csrf" value="${escapeHtml(confirm.csrfToken)}">
      <button type="submit">Log out</button>
    </form>`,
    ),
  );
}
