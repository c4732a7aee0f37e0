import type { Response } from 'express';
import type { SingleSignOnToken } from '../client/types';
import type { Attribution } from './options';

const HTML_SPECIAL = /[&<>"'`]/;

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  // Most values (names, ids, tokens, nonces) have nothing to escape: no new string for them.
  if (!HTML_SPECIAL.test(value)) return value;
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface SingleSignOnForm {
  /** `<secureUrl>/site/CRConsAPI`, where the form posts. */
  action: string;
  fields: Array<[name: string, value: string]>;
}

export interface SingleSignOnFormInput {
  secureUrl: string;
  apiKey: string;
  token: string;
  destination: string;
  errorRedirect: string;
  rememberMe: boolean;
  /** Sent as Luminate's `source` / `sub_source` common parameters. */
  attribution?: Attribution;
}

/** The fields of Luminate's client-API `singleSignOn` POST; the token goes only in this body. */
export function singleSignOnForm(input: SingleSignOnFormInput): SingleSignOnForm {
  const fields: Array<[string, string]> = [
    ['method', 'singleSignOn'],
    ['api_key', input.apiKey],
    ['v', '1.0'],
    ['sso_auth_token', input.token],
    ['success_redirect', input.destination],
    ['error_redirect', input.errorRedirect],
    ['sign_redirects', 'true'],
  ];
  if (input.rememberMe) fields.push(['remember_me', 'true']);
  if (input.attribution?.source !== undefined) fields.push(['source', input.attribution.source]);
  if (input.attribution?.subSource !== undefined) fields.push(['sub_source', input.attribution.subSource]);
  return { action: `${input.secureUrl}/site/CRConsAPI`, fields };
}

/**
 * The start of every page the bridge writes, up to `<body>`: not to be indexed, a viewport, the
 * title (`titleHtml` is HTML: escape text first) and one style element allowed by the CSP nonce.
 * No indentation or line breaks: the handoff page is sent on every handoff, read by a browser only.
 */
export function pageHead(nonce: string, titleHtml: string, css: string): string {
  return '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex, nofollow">' +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${titleHtml}</title>` +
    `<style nonce="${escapeHtml(nonce)}">${css}</style></head>`;
}

const AUTO_POST_CSS = 'body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:32rem;padding:0 1rem;text-align:center}button{font-size:1rem;padding:.6rem 1.4rem}';

/**
 * A page whose form posts itself to Luminate: a top-level navigation, so Luminate's session
 * cookie is first-party. The button makes it work without script. Its own text is ASCII
 * (`&hellip;`, not `…`): the page and the header it is sent with then stay one-byte strings.
 */
export function renderAutoPostPage(form: SingleSignOnForm, cspNonce: string): string {
  let inputs = '';
  for (const [name, value] of form.fields) inputs += `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
  return `${pageHead(cspNonce, 'Signing you in&hellip;', AUTO_POST_CSS)}<body>` +
    `<form id="luminate-sso" method="post" action="${escapeHtml(form.action)}">${inputs}` +
    '<p>Taking you to the donation page, signed in&hellip;</p><button type="submit">Continue</button></form>' +
    `<script nonce="${escapeHtml(cspNonce)}">document.getElementById('luminate-sso').submit();</script></body></html>\n`;
}

/**
 * Sends the handoff page. Not `res.send()`: it would hash every page for an ETag, though each one
 * is single-use and never cached (no-store), and answer conditional requests with a 304.
 */
export function sendHandoffPage(res: Response, html: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(html);
}

/** Characters Luminate's routing ids are made of; anything else is not put into the path. */
const ROUTING_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Builds one site's EstablishSession URLs: see establishSessionUrls. */
export type EstablishSessionUrl = (token: Partial<SingleSignOnToken> & { nonce: string }, destination: string) => string;

/**
 * `<secureUrl>/site/EstablishSession;jsessionid=<routing_id>?NONCE_TOKEN=<nonce>&NEXTURL=<destination>`
 * for one site (made once per bridge or login router, whose secureUrl is fixed). The routing id's
 * alphabet needs no encoding in a path segment and cannot make it a dot segment.
 */
export function establishSessionUrls(secureUrl: string): EstablishSessionUrl {
  return (token, destination) => {
    const affinity = token.routingId && ROUTING_ID.test(token.routingId) ? `;jsessionid=${token.routingId}` : '';
    const url = new URL(`${secureUrl}/site/EstablishSession${affinity}`);
    url.searchParams.set('NONCE_TOKEN', token.nonce);
    url.searchParams.set('NEXTURL', destination);
    return url.href;
  };
}

/**
 * A redirect to `url` without a body. `res.redirect()` repeats the URL in a "Redirecting to" body,
 * and an EstablishSession URL carries a single-use nonce that must appear in the Location header
 * only. `res.location()` applies the same URL encoding `res.redirect()` would.
 */
export function sendRedirect(res: Response, url: string, status: 302 | 303 = 302): void {
  res.status(status).location(url).end();
}
