/** Options both routers share about the host site: route paths, the public base URL, parameter names. */
import { z } from 'zod';

/** A route path, relative to where the router is mounted: `/` and safe path characters, no trailing slash. */
export function routePath(fallback: string) {
  const error = (iss: { input: unknown }) =>
    `must be a path starting with "/" made of letters, digits and ._~-/ characters, got ${JSON.stringify(iss.input)}.`;
  return z
    .string({ error })
    .refine((v) => /^\/[A-Za-z0-9._~\-/]*$/.test(v) && !v.startsWith('//'), { error })
    .transform((v) => (v.length > 1 ? v.replace(/\/+$/, '') : v))
    .default(fallback);
}

/** `baseUrl`: the public base URL of this site, without credentials, query or fragment. */
export const baseUrl = z
  .string({ error: 'must be a string such as https://www.example.org.' })
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', input: value, message: 'must be an absolute URL such as https://www.example.org.' });
      return z.NEVER;
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
      ctx.addIssue({ code: 'custom', input: value, message: 'must be an http(s) URL without credentials, query or fragment, e.g. https://www.example.org.' });
      return z.NEVER;
    }
    // Its path prefixes every site path the browser is given: `//app` (or `\app`, which the URL
    // parser reads as `//app`) would make them protocol-relative, i.e. another host.
    if (value.includes('\\') || !/^\/(?:[A-Za-z0-9._~-]+\/)*[A-Za-z0-9._~-]*$/.test(url.pathname)) {
      ctx.addIssue({ code: 'custom', input: value, message: 'must have a plain path (letters, digits, ._~- and single slashes), e.g. https://www.example.org/app.' });
      return z.NEVER;
    }
    return url.href.replace(/\/+$/, '');
  });

/** A query parameter (or form field) name; `null` or left out: `returnTo`. */
export function parameterName(error: string) {
  return z
    .string({ error })
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error })
    .nullish()
    .transform((v) => v ?? 'returnTo');
}
