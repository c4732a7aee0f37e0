/**
 * Destination policy: the one check for every place a visitor chooses where to land (`?next=`,
 * luminateLogin's `returnTo`, a signed callback's `next`): plainly an absolute URL under an allowed
 * prefix AND not a page that redirects on (`redirectTrick`). Checks run on the RAW string too,
 * because the URL parser silently repairs the tricks attackers use (tabs, backslashes, `%2e`).
 */
import { parseStrict, redirectTrick } from './destination-url';

export interface DestinationRules {
  /** Absolute http(s) URL prefixes; a prefix without trailing slash still ends at a `/` boundary. */
  allow: string[];
  /** Where visitors go when `next` is missing or refused; must itself pass `allow`. */
  default: string;
}

export interface CompiledDestinations {
  allow: ReadonlyArray<{ origin: string; pathPrefix: string }>;
  default: string;
}

type DestinationDecision = { ok: true; url: string } | { ok: false; reason: string };

/** Segment boundary: `/org/site` matches `/org/site` and `/org/site/x`, never `/org/site-evil`. */
function pathWithin(pathname: string, prefix: string): boolean {
  if (prefix.endsWith('/')) return pathname.startsWith(prefix);
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/** Checks a visitor-supplied `next` value (already query-decoded once by Express). */
export function checkDestination(raw: unknown, { allow }: Pick<CompiledDestinations, 'allow'>): DestinationDecision {
  // qs turns `next[]=a` / `next[a]=b` into arrays and objects: never guess which element counts.
  if (typeof raw !== 'string') return { ok: false, reason: 'not-a-string' };
  const parsed = parseStrict(raw);
  if (!parsed.ok) return parsed;
  const { url, rawAuthority } = parsed;

  // IDNA maps fullwidth letters, soft hyphens and zero-width characters onto plain ASCII hosts,
  // so a non-ASCII host is only acceptable when it really is an IDN (punycode) host.
  if (/[^\x00-\x7f]/.test(rawAuthority) && !/(^|\.)xn--/.test(url.hostname)) {
    return { ok: false, reason: 'non-ascii-host' };
  }
  // `origin` is normalised (lowercase, punycode, IPv4 forms resolved, default port dropped).
  const sameOrigin = allow.filter((entry) => entry.origin === url.origin);
  if (sameOrigin.length === 0) return { ok: false, reason: 'origin-not-allowed' };
  // Case-sensitive on purpose: Luminate paths (`/site/Donation2`) are case-sensitive.
  if (!sameOrigin.some((entry) => pathWithin(url.pathname, entry.pathPrefix))) {
    return { ok: false, reason: 'path-not-allowed' };
  }
  const trick = redirectTrick(url);
  if (trick !== undefined) return { ok: false, reason: trick };
  // Fragments are kept: they never reach a server and cannot change the host once parsed.
  return { ok: true, url: url.href };
}

const EXAMPLE = "'https://secure2.convio.net/myorg/site/'";

/**
 * The allow list when `destinations.allow` is not set: `<secureUrl>/site/<servlet>` for donation
 * forms, TeamRaiser, content pages, the store and events (names as public links use them [?]). Not
 * all of `/site/`: it also holds login and API servlets that redirect anywhere.
 */
export function defaultAllowList(secureUrl: string): string[] {
  const servlets = ['Donation2', 'TR', 'TRR', 'SPageServer', 'SPageNavigator', 'PageServer', 'PageNavigator', 'Ecommerce', 'Calendar'];
  return servlets.map((servlet) => `${secureUrl}/site/${servlet}`);
}

/** `destinations.allow` alone, validated; the first problem is a TypeError naming the entry. */
export function compileAllowList(allow: unknown): CompiledDestinations['allow'] {
  if (!Array.isArray(allow) || allow.length === 0) {
    throw new TypeError(`destinations.allow must be a non-empty array of URL prefixes, e.g. [${EXAMPLE}].`);
  }

  return Object.freeze(allow.map((entry: unknown, i) => {
    const name = `destinations.allow[${i}]`;
    if (typeof entry !== 'string') {
      throw new TypeError(`${name} must be a string URL prefix, e.g. ${EXAMPLE}.`);
    }
    const parsed = parseStrict(entry);
    if (!parsed.ok) {
      throw new TypeError(
        `${name} is not a usable URL prefix (${parsed.reason}); write an absolute http(s) URL without ` +
          `credentials, backslashes, dot segments or encoded characters, e.g. ${EXAMPLE}.`,
      );
    }
    if (entry.includes('?') || entry.includes('#')) {
      throw new TypeError(`${name} must not contain a query or fragment; remove everything from '?' or '#' on.`);
    }
    return Object.freeze({ origin: parsed.url.origin, pathPrefix: parsed.url.pathname });
  }));
}

/** Validates the rules once at start-up; the first problem is a TypeError naming the option. */
export function compileDestinations(rules: DestinationRules): CompiledDestinations {
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
    throw new TypeError(`destinations must be an object like { allow: [${EXAMPLE}], default: ${EXAMPLE} }.`);
  }
  for (const key of Object.keys(rules)) {
    if (key !== 'allow' && key !== 'default') {
      throw new TypeError(`destinations.${key} is not a known option; use destinations.allow and destinations.default.`);
    }
  }
  const frozenAllow = compileAllowList(rules.allow);
  if (rules.default === undefined) {
    throw new TypeError(`destinations.default is missing: set where visitors go when next is missing or refused, e.g. ${EXAMPLE}.`);
  }
  if (typeof rules.default !== 'string') {
    throw new TypeError(`destinations.default must be a string URL under one of destinations.allow, e.g. ${EXAMPLE}.`);
  }
  const fallback = checkDestination(rules.default, { allow: frozenAllow });
  if (!fallback.ok) {
    throw new TypeError(
      `destinations.default ${JSON.stringify(rules.default)} is refused by the destination policy (${fallback.reason}); ` +
        `the allow list in effect is [${rules.allow.map((entry) => `'${entry}'`).join(', ')}]. ` +
        'Set it to an absolute URL under one of those, or add its prefix to destinations.allow.',
    );
  }
  return Object.freeze({ allow: frozenAllow, default: fallback.url });
}

/** `next` missing (absent or `?next=`) → default; refused → default plus the reason to log. */
export function resolveDestination(next: unknown, compiled: CompiledDestinations): { url: string; refused?: string } {
  if (next === undefined || next === '') return { url: compiled.default };
  const decision = checkDestination(next, compiled);
  return decision.ok ? { url: decision.url } : { url: compiled.default, refused: decision.reason };
}
