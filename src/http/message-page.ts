import type { Request, Response } from 'express';
import { debugFor } from '../debug';
import { LuminateError } from '../errors';
import { callHookSafely } from './failure';
import type { SingleSignOnForm } from '../luminate/handoff';
import { formActionSources, newCspNonce, type HandoffCsp } from './security-headers';

/**
 * The pages the bridge answers with itself, when a redirect will not do: the singleSignOn handoff
 * (a form that posts itself to Luminate), a 429 (throttled clicks and logins), a refused callback
 * (400), a refused login form, and the logout confirmation. Each has a strict CSP with a
 * per-response nonce. With the `renderPage` option the host site draws the document around the
 * bridge's escaped content; the bridge keeps the escaping, the headers and the auto-post script.
 */

const log = debugFor('sso');

export type ApplyHeaders = (req: Request, res: Response, csp?: HandoffCsp) => void;

/** Which page: the host's `renderPage` may style them differently. */
export type PageKind =
  | 'handoff' // 200: the form that posts itself to Luminate's singleSignOn
  | 'throttled' // 429: too many single sign-on clicks; a link to go on as a guest
  | 'callback-refused' // 400: a callback with a bad, expired or replayed signature; a link to the default destination
  | 'logout-confirm' // 200 or 403: "Log out?" with a button (a form with the session's token)
  | 'login-expired' // 403: the login form's CSRF token is missing or wrong; a link back to the form
  | 'login-refused' // 400: the login form sent fields it may not send; a link back to the form
  | 'login-throttled' // 429: too many failed logins; a link back to the form
  | 'not-navigation'; // 403: the start or logout route was loaded by something other than a navigation (an <img>, a prefetch); a link to open

/**
 * What `renderPage` receives. Every string is HTML the bridge has already escaped or built: put
 * it into the page as is (in a template engine, unescaped: EJS `<%- %>`, Handlebars `{{{ }}}`),
 * never escape it again and never build HTML from the visitor's input yourself.
 */
export interface BridgePage {
  kind: PageKind;
  /** The HTTP status the page is sent with (the bridge sets it). */
  status: number;
  /** The page's title, escaped, for `<title>` and a heading. */
  title: string;
  /** One sentence for the visitor, escaped. */
  message: string;
  /** Where the visitor can go on, escaped for an attribute (`href`) and for text (`label`). */
  link?: { href: string; label: string };
  /** The bridge's `<form>` (handoff, logout confirmation): must appear in the page verbatim. */
  form?: string;
  /** The bridge's content: a heading, the message, and the link or form. Use it, or the parts. */
  body: string;
  /** `<meta>` elements for the head: charset, viewport, `robots: noindex`. */
  head: string;
  /**
   * This response's CSP nonce, for a `<style nonce="…">` or `<link rel="stylesheet" nonce="…">` of
   * yours. Stylesheets, images and fonts from your own origin (`'self'`) are allowed without it.
   */
  nonce: string;
}

/**
 * The host's page layout: returns the whole HTML document, synchronously. It must include
 * `page.form` when there is one. A layout that throws, returns something else than a string or
 * leaves the form out is not used: the bridge sends its own page and reports
 * `SSO_RENDER_PAGE_FAILED` to `onError`.
 */
export type RenderPage = (page: BridgePage) => string;

/** One page, in plain text: escaped here. */
export interface PageSpec {
  kind: PageKind;
  status: number;
  title: string;
  message: string;
  link?: { href: string; label: string };
  form?: { id?: string; action: string; fields: ReadonlyArray<readonly [name: string, value: string]>; button: string };
  /** Origins the form may post to, the redirects after its POST included (CSP form-action). */
  formActionOrigins?: readonly string[];
}

/** The bridge's pages for one luminateSso() or luminateLogin(): the host's layout or the built-in one, with their headers. */
export interface BridgePages {
  /** Sends one page with its status, headers and a fresh nonce. */
  send(req: Request, res: Response, spec: PageSpec): void;
  /** Sends the singleSignOn handoff page: the form posts itself to Luminate (formActionOrigins: see PageSpec). */
  sendHandoff(req: Request, res: Response, form: SingleSignOnForm, formActionOrigins: readonly string[]): void;
}

const CSS = 'body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:32rem;padding:0 1rem}button{font-size:1rem;padding:.6rem 1.4rem}';
const HEAD_META = '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">';
/** The handoff page's form; the auto-post script submits it. */
const HANDOFF_FORM_ID = 'luminate-sso';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formHtml(form: NonNullable<PageSpec['form']>): string {
  const inputs = form.fields.map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
  const id = form.id === undefined ? '' : ` id="${escapeHtml(form.id)}"`;
  return `<form${id} method="post" action="${escapeHtml(form.action)}">${inputs}<button type="submit">${escapeHtml(form.button)}</button></form>`;
}

/** The page's parts, escaped, and the bridge's own body made of them. */
function pageParts(spec: PageSpec, nonce: string): BridgePage {
  const title = escapeHtml(spec.title);
  const message = escapeHtml(spec.message);
  const link = spec.link && { href: escapeHtml(spec.link.href), label: escapeHtml(spec.link.label) };
  const form = spec.form && formHtml(spec.form);
  const body = `<h1>${title}</h1>\n    <p>${message}</p>` +
    (link ? `\n    <p><a href="${link.href}">${link.label}</a></p>` : '') +
    (form ? `\n    ${form}` : '');
  return {
    kind: spec.kind, status: spec.status, title, message, body, head: HEAD_META, nonce,
    ...(link ? { link } : {}), ...(form ? { form } : {}),
  };
}

/** The bridge's own document around the parts: not to be indexed, one style allowed by the nonce. */
function builtInDocument(parts: BridgePage): string {
  return `<!doctype html><html lang="en"><head>${parts.head}<title>${parts.title}</title><style nonce="${parts.nonce}">${CSS}</style></head>
  <body>
    ${parts.body}
  </body>
</html>
`;
}

/** Puts the script at the end of the body (after the form it submits), or at the end of the document. */
function withScript(html: string, script: string): string {
  const end = html.toLowerCase().lastIndexOf('</body>');
  return end === -1 ? `${html}${script}` : `${html.slice(0, end)}${script}${html.slice(end)}`;
}

/**
 * The pages of one router. `renderPage` (validated at start-up) draws them in the host's layout;
 * `onError` hears when it fails and the bridge's own page is sent instead.
 */
export function bridgePages(applyHeaders: ApplyHeaders, renderPage?: RenderPage, onError?: (err: LuminateError, req: Request) => void): BridgePages {
  /** The host's document for these parts, or undefined (reported) when it cannot be used. */
  const hostDocument = (req: Request, parts: BridgePage): string | undefined => {
    if (renderPage === undefined) return undefined;
    let html: unknown;
    let cause: unknown;
    try {
      html = renderPage({ ...parts, ...(parts.link ? { link: { ...parts.link } } : {}) });
    } catch (e) {
      cause = e;
    }
    let problem: string | undefined;
    if (cause !== undefined) problem = 'threw';
    else if (typeof html !== 'string') problem = `returned ${html === null ? 'null' : typeof html}, not a string (it must not be async)`;
    else if (parts.form !== undefined && !html.includes(parts.form)) problem = 'left out page.form';
    if (problem === undefined) return html as string;
    log('renderPage %s for the %s page; sending the built-in page', problem, parts.kind);
    callHookSafely(onError, new LuminateError('SSO_RENDER_PAGE_FAILED', `The renderPage option ${problem} for the "${parts.kind}" page; the built-in page was sent.`, cause === undefined ? {} : { cause }), req);
    return undefined;
  };

  const send: BridgePages['send'] = (req, res, spec) => {
    const nonce = newCspNonce();
    const parts = pageParts(spec, nonce);
    const hosted = hostDocument(req, parts);
    let html = hosted ?? builtInDocument(parts);
    // The handoff form posts itself as soon as it is parsed; the button is there for browsers without script.
    if (spec.kind === 'handoff') html = withScript(html, `<script nonce="${nonce}">document.getElementById('${HANDOFF_FORM_ID}').submit();</script>`);
    applyHeaders(req, res, { nonce, formAction: formActionSources(spec.formActionOrigins ?? []), ...(hosted !== undefined ? { hostStyles: true } : {}) });
    res.status(spec.status).type('html').send(html);
  };

  return {
    send,
    sendHandoff(req, res, form, formActionOrigins) {
      send(req, res, {
        kind: 'handoff', status: 200, title: 'Signing you in…', message: 'Taking you to the donation page, signed in…',
        form: { id: HANDOFF_FORM_ID, action: form.action, fields: form.fields, button: 'Continue' }, formActionOrigins,
      });
    },
  };
}
