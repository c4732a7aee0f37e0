import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import helmet from 'helmet';

/** What the handoff page's CSP needs to know; set on `res.locals` before the page is sent. */
export interface HandoffCsp {
  nonce: string;
  /** Every origin the form POST may end up on: Luminate, the callback, the destination. */
  formActionOrigins: string[];
}

const LOCALS_KEY = 'luminateSsoCsp';

export function newCspNonce(): string {
  return randomBytes(16).toString('base64');
}

function handoffCsp(res: unknown): HandoffCsp | undefined {
  return (res as Response).locals?.[LOCALS_KEY] as HandoffCsp | undefined;
}

/**
 * Headers on every bridge response: helmet's defaults (nosniff, frame-ancestors, COOP…) with a
 * strict CSP whose nonce and form targets are per response, `Referrer-Policy: no-referrer`
 * (the query may carry a destination or signature) and `Cache-Control: no-store` (tokens).
 * HSTS is left to the host app, which owns its domain policy.
 *
 * Returns a function to call just before responding: helmet computes the CSP when it runs, so it
 * runs once the handoff (and its nonce) is known.
 */
export function bridgeSecurityHeaders(): (req: Request, res: Response, csp?: HandoffCsp) => void {
  const nonceSource = (_req: unknown, res: unknown): string => {
    const csp = handoffCsp(res);
    return csp ? `'nonce-${csp.nonce}'` : "'none'";
  };
  const helmetMiddleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: [nonceSource],
        styleSrc: [nonceSource],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        // Chrome applies form-action to the redirects that follow a form POST as well.
        formAction: [(_req, res) => handoffCsp(res)?.formActionOrigins.join(' ') || "'none'"],
      },
    },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  return (req, res, csp) => {
    if (csp) res.locals[LOCALS_KEY] = csp;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    let failure: unknown;
    helmetMiddleware(req, res, (err?: unknown) => {
      failure = err;
    });
    if (failure) throw failure;
  };
}
