import type { Request } from 'express';
import { isSourceValue } from '../config/clients';
import { debugFor } from '../debug';
import { causeText } from '../http/cause-text';
import type { Attribution } from '../luminate/types';
import { untilAborted } from '../util/abort';
import type { AttributionFunction } from './options';
import type { ResolvedSsoOptions } from './resolve-options';

const log = debugFor('sso');

/** Values taken from a link's query come from visitors: a tighter alphabet and length. */
const QUERY_SOURCE = /^[A-Za-z0-9 ._~:@+-]{1,64}$/;
/** The query parameters a bridge link carries its attribution in (Luminate's own names). */
const QUERY_PARAMS = { source: 'source', subSource: 'sub_source' } as const;

function isQuerySourceValue(value: unknown): value is string {
  return typeof value === 'string' && QUERY_SOURCE.test(value) && value.trim() === value;
}

/** Keeps only the valid fields of an attribution a function returned; invalid ones are dropped (and said so). */
function cleanAttribution(value: unknown, from: string): Attribution {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    log('attribution from %s is not an object; ignored', from);
    return {};
  }
  const result: Attribution = {};
  for (const key of ['source', 'subSource'] as const) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (isSourceValue(v)) result[key] = v;
    else log('attribution.%s from %s is not a short printable string; ignored', key, from);
  }
  return result;
}

/**
 * The attribution for one click. Attribution is metadata: a bad value is dropped and the
 * visitor's sign-on goes ahead. Without a per-request function it is the static `attribution`
 * option, overridden field by field by the link's `source` / `sub_source` when `fromQuery` is on,
 * and there is nothing to wait for; see requestAttribution for the other case.
 */
function configuredAttribution(config: ResolvedSsoOptions, req: Request): Attribution {
  const { fixed, fromQuery } = config.attribution;
  const result: Attribution = { ...fixed };
  if (fromQuery) {
    for (const key of ['source', 'subSource'] as const) {
      const raw = req.query[QUERY_PARAMS[key]];
      if (raw === undefined) continue;
      if (isQuerySourceValue(raw)) result[key] = raw;
      else log('%s in the link is not 1-64 letters, digits or " ._~:@+-"; ignored', QUERY_PARAMS[key]);
    }
  }
  return result;
}

/** The attribution for one click when the `attribution` option is a per-request function. */
async function requestAttribution(perRequest: AttributionFunction, req: Request): Promise<Attribution> {
  try {
    return cleanAttribution(await perRequest(req), 'the attribution function');
  } catch (e) {
    log('the attribution function threw (%s); no attribution for this click', causeText(e));
    return {};
  }
}

/**
 * This request's attribution (click or prepare): the configured one, or the per-request function's
 * answer, which rejects with `onAbort()` once `signal` aborts.
 */
export async function attributionFor(
  config: ResolvedSsoOptions, req: Request, signal: AbortSignal, onAbort: () => Error,
): Promise<Attribution> {
  const { perRequest } = config.attribution;
  if (perRequest === undefined) return configuredAttribution(config, req);
  return untilAborted(requestAttribution(perRequest, req), signal, onAbort);
}

/**
 * A link to the bridge for templates: `<basePath>?next=<destination>&source=…&sub_source=…`.
 * `basePath` is where the bridge's start route answers, e.g. `/luminate/sso`. The destination is
 * checked by the bridge on the click (against `destinations.allow`); `source` / `sub_source` are
 * honoured only with `attribution: { fromQuery: true }`. `opts` values: 1–64 letters, digits, spaces or `._~:@+-`, no surrounding spaces.
 * @throws TypeError `luminateLink(): …` for an empty `basePath`, a non-string `destination`, or such a bad `source` / `subSource`.
 */
export function luminateLink(basePath: string, destination?: string, opts: Attribution = {}): string {
  if (typeof basePath !== 'string' || basePath === '') throw new TypeError('luminateLink(): basePath must be the bridge path, e.g. "/luminate/sso".');
  if (destination !== undefined && typeof destination !== 'string') throw new TypeError('luminateLink(): destination must be a URL string.');
  const query = new URLSearchParams();
  if (destination) query.set('next', destination);
  for (const key of ['source', 'subSource'] as const) {
    const value = opts?.[key];
    if (value === undefined) continue;
    if (!isQuerySourceValue(value)) {
      throw new TypeError(`luminateLink(): ${key} must be 1-64 letters, digits, spaces or ._~:@+- characters.`);
    }
    query.set(QUERY_PARAMS[key], value);
  }
  const text = query.toString().replace(/\+/g, '%20');
  return text === '' ? basePath : `${basePath}${basePath.includes('?') ? '&' : '?'}${text}`;
}
