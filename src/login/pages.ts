import type { Request, Response } from 'express';
import { escapeHtml } from '../sso/handoff';
import { newCspNonce, type HandoffCsp } from '../sso/security-headers';

/**
 * The few pages luminateLogin() answers with itself: refusals it cannot send back to the host's
 * form (a 429 must be a 429, a forged POST gets no redirect), and the logout confirmation.
 */

export type ApplyHeaders = (req: Request, res: Response, csp?: HandoffCsp) => void;

function page(nonce: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex, nofollow">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(title)}</title>
    <style nonce="${escapeHtml(nonce)}">body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:32rem;padding:0 1rem}button{font-size:1rem;padding:.6rem 1.4rem}</style>
  </head>
  <body>
    <h1>${escapeHtml(title)}</h1>
    ${body}
  </body>
</html>
`;
}

function send(res: Response, status: number, html: string): void {
  res.status(status).type('html').send(html);
}

/** A message with a link back (to the login form, or home). No form: nothing can be posted from it. */
export function sendMessagePage(
  applyHeaders: ApplyHeaders, req: Request, res: Response, status: number, title: string, text: string, link: { href: string; label: string },
): void {
  const nonce = newCspNonce();
  applyHeaders(req, res, { nonce, formActionOrigins: [] });
  send(res, status, page(nonce, title, `<p>${escapeHtml(text)}</p>\n    <p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`));
}

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
  applyHeaders(req, res, { nonce, formActionOrigins: confirm.formActionOrigins });
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
