import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import helmet from 'helmet';

/** What a page's CSP needs to know. */
export interface HandoffCsp {
  nonce: string;
  /** From formActionSources(): every origin the form POST may end up on (Luminate, the callback, the destination). */
  formAction: string;
  /** A page drawn by `renderPage`: stylesheets, images and fonts may also come from 'self'. Scripts stay nonce-only. */
  hostStyles?: boolean;
}

/** 16 random bytes, base64: a fresh CSP nonce for each page. */
export function newCspNonce(): string {
  return randomBytes(16).toString('base64');
}

/** A source that goes into the header as is; `;` or `,` would end the directive or the policy. */
function cspSource(value: string): string {
  if (value === '' || /[;,\s]/.test(value)) {
    throw new Error('Content-Security-Policy: refused a source that contains ";", "," or whitespace');
  }
  return value;
}

/** The form-action directive's sources for these origins, each checked, each once; `'none'` for none. */
export function formActionSources(origins: readonly string[]): string {
  return origins.length === 0 ? "'none'" : [...new Set(origins)].map(cspSource).join(' ');
}

/** The CSP of the response being answered; none for a response without a page. */
const cspOf = new WeakMap<object, HandoffCsp>();
/** A page's own script and style by nonce; without a page, nothing may run or load. */
const nonceSource = (_req: unknown, res: object): string => {
  const csp = cspOf.get(res);
  return csp ? `'nonce-${cspSource(csp.nonce)}'` : "'none'";
};
// Chrome applies form-action to the redirects that follow a form POST as well.
const formActionSource = (_req: unknown, res: object): string => cspOf.get(res)?.formAction ?? "'none'";

/**
 * helmet's defaults (nosniff, COOP, X-Frame-Options…) with `Referrer-Policy: no-referrer` (the
 * query may carry a destination or signature) and a strict CSP. HSTS is left to the host app,
 * which owns its domain policy. `hostStyles` also allows the site's own stylesheets, images and fonts.
 */
function bridgeHelmet(hostStyles: boolean): (req: Request, res: Response, next: (err?: unknown) => void) => void {
  const own: Record<string, Array<string | typeof nonceSource>> = hostStyles ? { styleSrc: [nonceSource, "'self'"], imgSrc: ["'self'", 'data:'], fontSrc: ["'self'"] } : { styleSrc: [nonceSource] };
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], scriptSrc: [nonceSource], ...own, baseUri: ["'none'"], frameAncestors: ["'none'"], formAction: [formActionSource] },
    },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/**
 * Headers for every bridge response, to set just before responding: helmet's (see bridgeHelmet) with
 * this page's CSP, and `Cache-Control: no-store` (tokens). Without `csp` (a redirect) nothing may run.
 */
export function bridgeSecurityHeaders(): (req: Request, res: Response, csp?: HandoffCsp) => void {
  const pageHeaders = bridgeHelmet(false);
  const hostPageHeaders = bridgeHelmet(true);
  return (req, res, csp) => {
    if (csp) cspOf.set(res, csp);
    else cspOf.delete(res);
    let failure: unknown;
    // helmet's middlewares run synchronously; a source it refuses comes back as an error.
    (csp?.hostStyles === true ? hostPageHeaders : pageHeaders)(req, res, (err) => {
      failure = err;
    });
    if (failure) throw failure;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
  };
}
