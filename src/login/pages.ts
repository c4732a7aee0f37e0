import type { Request, Response } from 'express';
import type { BridgePages } from '../sso/message-page';

/** The logout confirmation luminateLogin() shows when a logout cannot be trusted to be the visitor's own. */

export interface ConfirmLogout {
  action: string;
  csrfToken: string;
  /** Where the POST and the redirects after it go: this site, Luminate, the landing page. */
  formActionOrigins: string[];
  message: string;
}

/** "Log out?" with a button: the POST carries the session's token, so no other site can press it. */
export function sendLogoutConfirmation(pages: BridgePages, req: Request, res: Response, status: number, confirm: ConfirmLogout): void {
  pages.send(req, res, {
    kind: 'logout-confirm',
    status,
    title: 'Log out',
    message: confirm.message,
    form: { action: confirm.action, fields: [['_csrf', confirm.csrfToken]], button: 'Log out' },
    formActionOrigins: confirm.formActionOrigins,
  });
}
