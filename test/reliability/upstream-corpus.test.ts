import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LuminateClient } from '../../src/luminate/luminate-client';
import { parseLuminateResponse } from '../../src/luminate/parse-response';
import { isLuminateError, LuminateError, type LuminateErrorCode } from '../../src/errors';
import type { FakeFaults } from '../../src/testing';
import { TestBrowser } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';
import { reportCounts } from './counts';
import { recordUnhandledRejections, type RejectionRecorder } from './guards';

/**
 * The hostile upstream corpus (test/fixtures/upstream/manifest.json): every body is served by the
 * stand-in Luminate over loopback, to a LuminateClient and to a real Express app with luminateSso(),
 * and must end in its typed error and the failure policy's answer.
 */

type Format = 'xml' | 'json';

interface CorpusEntry {
  file?: string;
  generate?: 'ten-megabytes-declared' | 'ten-megabytes-chunked' | 'never-ending' | 'gzip-bomb' | 'deep-nesting';
  contentType: string;
  status?: number;
  ask?: Format;
  expect: LuminateErrorCode;
  luminateCode?: number;
  headers?: Record<string, string>;
  why: string;
}

const DIR = join(__dirname, '../fixtures/upstream');
const MANIFEST = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { bodies: CorpusEntry[] };
const ENTRIES = MANIFEST.bodies;
/** Text every fixture carrying a token uses; it must never surface in an error or a page. */
const TOKEN_MARKER = 'CORPUS-SECRET-TOKEN-9f3a';
const TEN_MB = 10 * 1024 * 1024;
const ROOT = 'getSingleSignOnTokenResponse';
const TIMEOUT_MS = 1500;

const nameOf = (e: CorpusEntry): string => `${e.file ?? e.generate} (${e.ask ?? 'xml'} asked)`;

/** A well-formed token reply padded with spaces to exactly `size` bytes. */
function paddedReply(size: number): Buffer {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<${ROOT}><token>${TOKEN_MARKER}</token><cons_id>1001641</cons_id>`;
  const tail = `</${ROOT}>`;
  return Buffer.concat([Buffer.from(head), Buffer.alloc(size - head.length - tail.length, 0x20), Buffer.from(tail)]);
}

const generatedBodies = new Map<string, Buffer>();
function generatedBody(kind: NonNullable<CorpusEntry['generate']>): Buffer {
  let body = generatedBodies.get(kind);
  if (body === undefined) {
    if (kind === 'ten-megabytes-declared') body = paddedReply(TEN_MB);
    else if (kind === 'gzip-bomb') body = gzipSync(paddedReply(TEN_MB)); // about 10 KB on the wire
    else if (kind === 'deep-nesting') body = Buffer.from(`<${ROOT}>${'<a>'.repeat(9000)}${'</a>'.repeat(9000)}</${ROOT}>`);
    else throw new Error(`${kind} is served by a stand-in switch, not a body`);
    generatedBodies.set(kind, body);
  }
  return body;
}

/** The stand-in fault switches that serve this entry. */
function faultsFor(e: CorpusEntry): FakeFaults {
  if (e.generate === 'never-ending') return { neverEndingBody: true };
  if (e.generate === 'ten-megabytes-chunked') return { oversizedBodyBytes: TEN_MB };
  const body = e.file !== undefined ? readFileSync(join(DIR, e.file)) : generatedBody(e.generate!);
  return { rawReply: { status: e.status ?? 200, headers: { 'content-type': e.contentType, ...e.headers }, body } };
}

const protoNames = (): string[] => [Object.prototype, Array.prototype, Function.prototype].flatMap((p) => Object.getOwnPropertyNames(p)).sort();
const PROTO_BEFORE = protoNames();

/** Nothing in the corpus may have reached a shared prototype. */
function expectNoPollution(): void {
  expect(protoNames()).toEqual(PROTO_BEFORE);
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(probe.token).toBeUndefined();
}

const fake = useFakeLuminate();
let rejections: RejectionRecorder;
beforeAll(() => {
  rejections = recordUnhandledRejections();
});
afterEach(() => {
  expect(rejections.seen).toEqual([]); // a body cut short must not leave a promise rejected unhandled
});
afterAll(() => rejections.stop());

function serve(e: CorpusEntry): void {
  fake.reset();
  Object.assign(fake.faults, faultsFor(e));
}

/** The one server-API call went to the stand-in's fault (the fixture), and was not repeated. */
function expectServedOnce(): void {
  const calls = fake.requests.filter((r) => r.apiMethod === 'getSingleSignOnToken');
  expect(calls).toHaveLength(1);
  expect(calls[0]!.outcome).toMatch(/^fault /);
  expect(fake.requests).toHaveLength(1); // a redirect in the corpus is never followed
}

describe('the upstream corpus itself', () => {
  it('lists every fixture file exactly once', () => {
    const files = readdirSync(DIR).filter((f) => f !== 'manifest.json').sort();
    const listed = ENTRIES.flatMap((e) => (e.file === undefined ? [] : [e.file])).sort();
    expect(listed).toEqual(files);
    expect(new Set(ENTRIES.map(nameOf)).size).toBe(ENTRIES.length);
  });

  it('covers each kind of hostile body the release checklist names', () => {
    const all = ENTRIES.map((e) => `${e.file ?? e.generate} ${e.why}`).join('\n');
    for (const kind of [/DOCTYPE|doctype/, /billion laughs/, /external entity/, /ten-megabytes/, /never-ending/, /truncated/, /HTML/,
      /JSON .*where XML was asked/, /XML .*where JSON was asked/, /__proto__/, /constructor/, /duplicate/, /leading zero/, /Latin-1|UTF-16|overlong/]) {
      expect(all).toMatch(kind);
    }
  });
});

describe('LuminateClient against every hostile body', () => {
  const clients = new Map<Format, LuminateClient>();
  beforeAll(() => {
    for (const format of ['xml', 'json'] as const) {
      clients.set(format, new LuminateClient({
        secureUrl: fake.secureUrl, apiKey: fake.apiKey, apiLogin: fake.apiLogin, responseFormat: format, timeoutMs: TIMEOUT_MS,
      }));
    }
  });
  afterAll(async () => {
    for (const c of clients.values()) await c.close();
  });

  it.each(ENTRIES.map((e) => [nameOf(e), e.expect, e] as const))('%s → %s', async (_name, _code, e) => {
    serve(e);
    const outcome = await clients.get(e.ask ?? 'xml')!.getSingleSignOnToken({ consId: '1001641' }).then(
      (token) => ({ resolved: token }),
      (err: unknown) => ({ rejected: err }),
    );
    expect(outcome).not.toHaveProperty('resolved');
    const err = (outcome as { rejected: unknown }).rejected;
    // A LuminateError made by this library, not a plain Error nor an object with another prototype.
    expect(isLuminateError(err)).toBe(true);
    expect(Object.getPrototypeOf(err)).toBe(LuminateError.prototype);
    const typed = err as LuminateError;
    expect(typed.code).toBe(e.expect);
    expect(typed.name).toBe('LuminateError');
    if (e.luminateCode !== undefined) expect(typed.luminateCode).toBe(e.luminateCode);
    if (e.expect === 'LUMINATE_HTTP_ERROR') expect(typed.upstreamStatus).toBe(e.status);
    // Error text is for logs: no token, no API password, no control or bidi characters from upstream.
    expect(typed.message).not.toContain(TOKEN_MARKER);
    expect(typed.message).not.toContain(fake.apiLogin.password);
    expect(typed.message).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
    expectNoPollution();
    expectServedOnce();
  });
});

describe.each(['continue', 'error'] as const)("a visitor through luminateSso(), onFailure '%s'", (onFailure) => {
  const apps = new Map<Format, HostApp>();
  const destination = (): string => `${fake.secureUrl}/site/Donation2?df_id=42`;
  beforeAll(async () => {
    for (const format of ['xml', 'json'] as const) {
      apps.set(format, await startHostApp(fake, {
        constituent: () => ({ consId: '1001641' }),
        onFailure,
        throttle: false, // one visitor, many clicks: the token throttle is not what is tested here
        luminate: { responseFormat: format, timeoutMs: TIMEOUT_MS },
      }));
    }
  });
  afterAll(async () => {
    for (const a of apps.values()) await a.close();
  });

  it.each(ENTRIES.map((e) => [nameOf(e), e.expect, e] as const))('%s → %s', async (_name, code, e) => {
    const app = apps.get(e.ask ?? 'xml')!;
    app.errors.length = 0;
    app.handoffs.length = 0;
    serve(e);
    const res = await new TestBrowser().fetch('GET', `${app.url}/luminate/sso?next=${encodeURIComponent(destination())}`);
    if (onFailure === 'continue') {
      // On to the destination as a guest: a gift is never blocked by trouble upstream.
      expect(res.status).toBe(302);
      expect(res.location).toBe(destination());
    } else {
      expect(res.status).toBe(code === 'LUMINATE_TIMEOUT' ? 504 : 502);
      expect(JSON.parse(res.text)).toEqual({ code });
    }
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toContain(TOKEN_MARKER);
    expect(app.errors.map((err) => err.code)).toEqual([code]);
    expect(app.handoffs).toEqual([]);
    expectNoPollution();
    expectServedOnce();
  });
});

describe('JSON keys named twice', () => {
  const parse = (body: string) => () => parseLuminateResponse(body, 'json', 'getConsResponse');
  it('are refused at any depth, also when one is written with an escape', () => {
    for (const body of [
      '{"getConsResponse":{"a":"1","a":"2"}}',
      '{"getConsResponse":{"name":{"first":"A","fir\\u0073t":"B"}}}',
      '{"getConsResponse":{"list":[{"k":"1"},{"k":"2","k":"3"}]}}',
    ]) {
      expect(parse(body)).toThrow(expect.objectContaining({ code: 'LUMINATE_MALFORMED_RESPONSE' }));
    }
  });
  it('are fine in sibling objects, in arrays and inside string values', () => {
    const record = parse('{"getConsResponse":{"a":{"k":"1"},"b":{"k":"2"},"list":[{"k":"1"},{"k":"2"}],"text":"\\"a\\":1,\\"a\\":2"}}')();
    expect(JSON.parse(JSON.stringify(record))).toEqual({ a: { k: '1' }, b: { k: '2' }, list: [{ k: '1' }, { k: '2' }], text: '"a":1,"a":2' });
  });
});

afterAll(() => {
  reportCounts('upstream-corpus', {
    bodies: ENTRIES.length,
    fixtureFiles: ENTRIES.filter((e) => e.file !== undefined).length,
    generatedBodies: ENTRIES.filter((e) => e.generate !== undefined).length,
    // each body goes to the client and to a visitor under both policies
    deliveries: ENTRIES.length * 3,
  });
});
