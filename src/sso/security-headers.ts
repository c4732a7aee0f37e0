import { randomFillSync } from 'node:crypto';
import type { Request, Response } from 'express';
import helmet from 'helmet';

/** What the handoff page's CSP needs to know. */
export interface HandoffCsp {
  nonce: string;
  /**
   * The form-action sources, from formActionSources(): every origin the form POST may end up on
   * (Luminate, the callback, the destination). A string, so a caller on the hot path can keep it.
   */
  formAction: string;
  /**
   * A page drawn by the host's `renderPage`: its stylesheets, images and fonts may also come from
   * the site's own origin ('self'). Scripts stay nonce-only.
   */
  hostStyles?: boolean;
}

const NONCE_BYTES = 16;
// Random values are cut from a pool the CSPRNG fills 4 KB at a time: one call into OpenSSL per
// response cost more than building the rest of the page. Every byte of the pool is used once.
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;

/** `bytes` (at most 64) fresh random bytes as base64 or base64url text. */
export function randomText(bytes: number, encoding: 'base64' | 'base64url'): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 64) throw new RangeError('randomText: 1 to 64 bytes');
  if (randomPoolOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const text = randomPool.toString(encoding, randomPoolOffset, randomPoolOffset + bytes);
  randomPoolOffset += bytes;
  return text;
}

/** 16 random bytes, base64: a fresh CSP nonce for each handoff page. */
export function newCspNonce(): string {
  return randomText(NONCE_BYTES, 'base64');
}

type HeaderStep = { set: string; value: string } | { remove: string };

/**
 * helmet's headers other than the CSP are the same on every response: run helmet once, against a
 * recorder, and replay what it did, instead of running its dozen middlewares on every response.
 */
function recordHelmetHeaders(): HeaderStep[] {
  const steps: HeaderStep[] = [];
  const recorder = {
    setHeader(name: string, value: unknown) {
      steps.push({ set: name, value: String(value) });
      return recorder;
    },
    removeHeader(name: string) {
      steps.push({ remove: name });
    },
  };
  let failure: unknown;
  helmet({ contentSecurityPolicy: false, strictTransportSecurity: false, referrerPolicy: { policy: 'no-referrer' } })(
    {} as Request,
    recorder as unknown as Response,
    (err?: unknown) => {
      failure = err;
    },
  );
  if (failure) throw failure;
  return steps;
}

/** The CSP without a page: nothing may run, load, frame it or be posted. */
const LOCKED_CSP = "default-src 'none';script-src 'none';style-src 'none';base-uri 'none';frame-ancestors 'none';form-action 'none'";

/** A source that goes into the header as is; `;` or `,` would end the directive or the policy. */
function cspSource(value: string): string {
  if (value === '' || /[;,\s]/.test(value)) {
    throw new Error('Content-Security-Policy: refused a source that contains ";", "," or whitespace');
  }
  return value;
}

/** The form-action directive's sources for these origins, each checked; `'none'` for none. */
export function formActionSources(origins: readonly string[]): string {
  return origins.length === 0 ? "'none'" : origins.map(cspSource).join(' ');
}

/** The handoff page's CSP: its own script and style by nonce, and the form's possible targets. */
function handoffCspHeader(csp: HandoffCsp): string {
  const nonce = `'nonce-${cspSource(csp.nonce)}'`;
  // Chrome applies form-action to the redirects that follow a form POST as well.
  if (csp.hostStyles === true) {
    return `default-src 'none';script-src ${nonce};style-src ${nonce} 'self';img-src 'self' data:;font-src 'self';base-uri 'none';frame-ancestors 'none';form-action ${csp.formAction}`;
  }
  return `default-src 'none';script-src ${nonce};style-src ${nonce};base-uri 'none';frame-ancestors 'none';form-action ${csp.formAction}`;
}

/**
 * Headers on every bridge response: helmet's defaults (nosniff, frame-ancestors, COOP…) with a
 * strict CSP whose nonce and form targets are per response, `Referrer-Policy: no-referrer`
 * (the query may carry a destination or signature) and `Cache-Control: no-store` (tokens).
 * HSTS is left to the host app, which owns its domain policy.
 *
 * Returns a function to call just before responding, once the handoff (and its nonce) is known.
 */
export function bridgeSecurityHeaders(): (req: Request, res: Response, csp?: HandoffCsp) => void {
  const helmetSteps = recordHelmetHeaders();
  return (_req, res, csp) => {
    res.setHeader('Content-Security-Policy', csp ? handoffCspHeader(csp) : LOCKED_CSP);
    for (const step of helmetSteps) {
      if ('set' in step) res.setHeader(step.set, step.value);
      else res.removeHeader(step.remove);
    }
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
  };
}
