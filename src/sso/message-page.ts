import type { Request, Response } from 'express';
import { escapeHtml, pageHead } from './handoff';
import { formActionSources, newCspNonce, type HandoffCsp } from './security-headers';

/**
 * The small pages the bridge answers with itself, when a redirect will not do: a 429 must be a
 * 429 (throttled clicks and logins), a forged POST gets no redirect, and the logout confirmation.
 * Each has a strict CSP with a per-response nonce for its one style element.
 */

export type ApplyHeaders = (req: Request, res: Response, csp?: HandoffCsp) => void;

const MESSAGE_CSS = 'body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:32rem;padding:0 1rem}button{font-size:1rem;padding:.6rem 1.4rem}';

export function page(nonce: string, title: string, body: string): string {
  return `${pageHead(nonce, escapeHtml(title), MESSAGE_CSS)}
  <body>
    <h1>${escapeHtml(title)}</h1>
    ${body}
  </body>
</html>
`;
}

export function send(res: Response, status: number, html: string): void {
  res.status(status).type('html').send(html);
}

/** A message with a link back (to the login form, or home). No form: nothing can be posted from it. */
export function sendMessagePage(
  applyHeaders: ApplyHeaders, req: Request, res: Response, status: number, title: string, text: string, link: { href: string; label: string },
): void {
  const nonce = newCspNonce();
  applyHeaders(req, res, { nonce, formAction: formActionSources([]) });
  send(res, status, page(nonce, title, `<p>${escapeHtml(text)}</p>\n    <p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`));
}
