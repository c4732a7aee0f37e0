import { request } from 'undici';

/**
 * A tiny browser for tests: follows redirects across origins with a cookie jar per host, and
 * submits a self-posting form (the singleSignOn handoff page) the way a browser runs its script.
 */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, string>>();
  readonly visited: Array<{ method: string; url: string; status: number }> = [];

  cookies(host: string): Map<string, string> {
    return this.jar.get(host) ?? new Map();
  }

  private remember(url: URL, setCookie: string | string[] | undefined): void {
    const list = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
    for (const line of list) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      if (eq <= 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const jar = this.jar.get(url.host) ?? new Map<string, string>();
      if (/;\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
      this.jar.set(url.host, jar);
    }
  }

  private cookieHeader(url: URL): string | undefined {
    const jar = this.jar.get(url.host);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** One request, no redirect following. */
  async fetch(method: string, url: string, form?: Record<string, string> | Array<[string, string]>) {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form as Record<string, string>).toString();
    }
    const res = await request(target, { method: method as 'GET', headers, body });
    const text = await res.body.text();
    this.remember(target, res.headers['set-cookie']);
    this.visited.push({ method, url, status: res.statusCode });
    const location = res.headers.location;
    return {
      status: res.statusCode,
      headers: res.headers,
      text,
      location: typeof location === 'string' ? new URL(location, target).href : undefined,
    };
  }

  /**
   * Navigates like a browser: follows up to `maxHops` redirects and auto-submitting forms.
   * Returns the final URL and response.
   */
  async navigate(url: string, options: { maxHops?: number; method?: string; form?: Array<[string, string]> } = {}) {
    let method = options.method ?? 'GET';
    let form = options.form;
    let current = url;
    for (let hop = 0; hop < (options.maxHops ?? 12); hop += 1) {
      const res = await this.fetch(method, current, form);
      if (res.status >= 300 && res.status < 400 && res.location) {
        current = res.location;
        method = 'GET';
        form = undefined;
        continue;
      }
      const autoPost = parseAutoPostForm(res.text, current);
      if (res.status === 200 && autoPost) {
        current = autoPost.action;
        method = 'POST';
        form = autoPost.fields;
        continue;
      }
      return { url: current, ...res };
    }
    throw new Error(`more than ${options.maxHops ?? 12} hops from ${url}`);
  }
}

function decodeEntities(value: string): string {
  return value.replace(/&#(\d+);/g, (_m, d: string) => String.fromCharCode(Number(d))).replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** The form of a page that submits itself by script (the bridge's singleSignOn page). */
export function parseAutoPostForm(html: string, pageUrl: string): { action: string; fields: Array<[string, string]> } | undefined {
  if (!/<script[^>]*>[^<]*\.submit\(\)/.test(html)) return undefined;
  const formTag = /<form[^>]*\baction="([^"]*)"[^>]*>/.exec(html);
  if (!formTag) return undefined;
  const fields: Array<[string, string]> = [];
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.push([decodeEntities(m[1] as string), decodeEntities(m[2] as string)]);
  }
  return { action: new URL(decodeEntities(formTag[1] as string), pageUrl).href, fields };
}

/** The cons_id the stand-in's donation page says is logged in ('' for a guest). */
export function loggedInConsId(html: string): string | undefined {
  return /<p id="lo-status" data-cons-id="([^"]*)"/.exec(html)?.[1];
}

/** The bridge's error_redirect for a callback URL prefix (`…/callback?next=…`): a per-handoff `hid`, then the code placeholder. */
export function errorRedirectPattern(prefix: string): RegExp {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}&hid=[A-Za-z0-9_-]{12}\\.[A-Za-z0-9_-]{16}&code=\\$\\{errorResponse/code\\}$`);
}
