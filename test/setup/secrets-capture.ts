import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import { format, inspect } from 'node:util';
import createDebug from 'debug';
import { ERROR_CHANNEL_NAME } from '../../src/errors';
import { FAKE_LUMINATE_CHANNEL_NAME } from '../../src/testing/fake-luminate/context';
import type { FakeIssuedToken, FakeLuminate } from '../../src/testing/fake-luminate/types';
import { findLeaks, type Captured, type Leak, type ResponseRecord, type Secret, type SecretKind } from './secrets-scanner';

/**
 * Captures what a test process says — console, stdout/stderr, the library's debug output, the
 * LuminateErrors it creates, errors passed to Express error handlers, and every HTTP response its
 * servers send — and learns the secrets to look for from the stand-in Luminate (its passwords and
 * secret key, each token and nonce it issues) and from the POSTs the library sends to Luminate.
 *
 * Luminate's side of the wire is left out: responses of a stand-in, and responses to requests the
 * library's own client made (a test's hand-written Luminate, e.g. one that echoes the password).
 */

const DEBUG_NAMESPACES = 'luminate-sso-bridge:*';
/** The library's client says who it is; anything answering it plays Luminate. */
const CLIENT_USER_AGENT = 'luminate-sso-bridge/';
const MAX_BODY_CHARS = 256 * 1024;

type Undo = () => void;

interface Pending {
  record?: ResponseRecord;
}

/** Replaces `obj[key]` with `make(original)`; the returned function puts the original back. */
function patch<T extends object, K extends keyof T>(obj: T, key: K, make: (original: T[K]) => T[K]): Undo {
  const own = Object.getOwnPropertyDescriptor(obj, key);
  const original = obj[key];
  Object.defineProperty(obj, key, { value: make(original), writable: true, configurable: true, enumerable: own?.enumerable ?? false });
  return () => {
    if (own) Object.defineProperty(obj, key, own);
    else delete obj[key];
  };
}

function chunkText(chunk: unknown, encoding: unknown): string {
  if (typeof chunk === 'string') {
    return typeof encoding === 'string' && !/^utf-?8$/i.test(encoding) ? Buffer.from(chunk, encoding as BufferEncoding).toString('utf8') : chunk;
  }
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
  return '';
}

function xmlText(value: string): string {
  return value.replace(/&(lt|gt|quot|apos|amp);/g, (_m, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name]!);
}

export interface SecretsCaptureOptions {
  /** Name of the running test, to say where a leak happened. */
  currentTest?: () => string | undefined;
}

export class SecretsCapture {
  readonly records: Captured[] = [];
  private readonly secrets = new Map<string, SecretKind>();
  private readonly fakes = new Set<FakeLuminate>();
  private readonly fakePorts = new Set<number>();
  private readonly seenErrors = new WeakSet<object>();
  private readonly responses = new WeakMap<http.ServerResponse, Pending>();
  private undo: Undo[] = [];
  /**
   * False once stopped: a wrapper someone else kept a reference to (jest's in-band reporter wraps
   * process.stderr too, and may hold ours) then only passes calls through.
   */
  private active = false;

  constructor(private readonly options: SecretsCaptureOptions = {}) {}

  /** A secret to look for, in addition to those learned. */
  addSecret(kind: SecretKind, value: string | undefined): void {
    if (typeof value === 'string' && value !== '' && !this.secrets.has(value)) this.secrets.set(value, kind);
  }

  /** Every secret known so far, tokens of the stand-ins included. */
  knownSecrets(): Secret[] {
    for (const fake of this.fakes) {
      for (const issued of fake.issuedTokens) this.learnToken(issued);
      for (const id of fake.webServicesSessions.keys()) this.addSecret('Web Services SessionId', id);
    }
    return [...this.secrets].map(([value, kind]) => ({ kind, value }));
  }

  leaks(): Leak[] {
    return findLeaks(this.knownSecrets(), this.records);
  }

  start(): this {
    if (this.undo.length > 0) throw new Error('SecretsCapture: already started');
    this.active = true;
    this.undo = [
      this.captureDebug(),
      this.captureConsole(),
      this.captureStream('stdout'),
      this.captureStream('stderr'),
      this.captureResponses(),
      this.subscribe(ERROR_CHANNEL_NAME, (err) => this.captureError(err, 'LuminateError')),
      this.subscribe(FAKE_LUMINATE_CHANNEL_NAME, (fake) => this.learnFake(fake as FakeLuminate)),
      ...this.captureExpressErrors(),
      this.learnUpstreamPasswords(),
    ];
    return this;
  }

  /** Puts everything back (in reverse order), so captures can nest. */
  stop(): void {
    this.active = false;
    for (const undo of this.undo.reverse()) undo();
    this.undo = [];
  }

  private text(channel: 'console' | 'stdout' | 'stderr' | 'debug' | 'error message', where: string, text: string): void {
    if (!this.active) return;
    const test = this.options.currentTest?.();
    this.records.push({ channel, where, text, ...(test ? { test } : {}) });
  }

  private subscribe(name: string, listener: (message: unknown) => void): Undo {
    diagnostics.subscribe(name, listener);
    return () => diagnostics.unsubscribe(name, listener);
  }

  /**
   * Turns the library's debug output on and records each line where every line passes (after
   * formatting, before writing), so a test replacing `createDebug.log` does not hide it. The lines
   * are not printed unless DEBUG was already set by whoever runs the tests.
   */
  private captureDebug(): Undo {
    const previous = createDebug.disable();
    const previousEnv = process.env.DEBUG;
    createDebug.enable(previous ? `${previous},${DEBUG_NAMESPACES}` : DEBUG_NAMESPACES);
    // enable() also writes process.env.DEBUG: put it back, or child processes (the CLI tests)
    // would inherit it and print debug lines into the output they check.
    if (previousEnv === undefined) delete process.env.DEBUG;
    else process.env.DEBUG = previousEnv;
    const self = this;
    const undoFormat = patch(createDebug, 'formatArgs', (original) =>
      function formatArgs(this: createDebug.Debugger, args: unknown[]) {
        original.call(this, args);
        self.text('debug', this.namespace, format(...args));
      });
    const undoLog = previous ? () => undefined : patch(createDebug, 'log', () => () => undefined);
    return () => {
      undoLog();
      undoFormat();
      createDebug.disable();
      if (previous) createDebug.enable(previous);
      if (previousEnv === undefined) delete process.env.DEBUG;
      else process.env.DEBUG = previousEnv;
    };
  }

  /**
   * Jest's console in a worker buffers each message (formatted) for the file; the new messages are
   * read from that buffer when the capture stops. Wrapping console.log instead would make jest
   * print the wrapper as every message's origin. Jest's other consoles (verbose, in band) write to
   * process.stdout/stderr, captured there.
   */
  private captureConsole(): Undo {
    const buffer = (console as unknown as { _buffer?: unknown })._buffer;
    if (!Array.isArray(buffer)) return () => undefined;
    const from = buffer.length;
    return () => {
      for (const entry of buffer.slice(from) as Array<{ type?: unknown; message?: unknown; origin?: unknown }>) {
        const origin = typeof entry.origin === 'string' ? entry.origin.split('\n')[0]!.trim() : '';
        this.records.push({ channel: 'console', where: `console.${String(entry.type)} ${origin}`.trim(), text: String(entry.message) });
      }
    };
  }

  private captureStream(name: 'stdout' | 'stderr'): Undo {
    const stream = process[name];
    const self = this;
    return patch(stream, 'write', (original) =>
      function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
        self.text(name, `process.${name}`, chunkText(chunk, rest[0]));
        return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      } as typeof stream.write);
  }

  /** Error messages, stacks and causes, once per error object. */
  private captureError(value: unknown, where: string): void {
    if (typeof value !== 'object' || value === null || this.seenErrors.has(value)) return;
    this.seenErrors.add(value);
    const parts: string[] = [];
    let current: unknown = value;
    for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
      const err = current as { message?: unknown; stack?: unknown; cause?: unknown };
      parts.push(String(err.message), String(err.stack));
      current = err.cause;
    }
    const code = (value as { code?: unknown }).code;
    this.text('error message', `${where}${typeof code === 'string' ? ` ${code}` : ''}`, parts.join('\n'));
  }

  /** Errors given to Express error handlers (Express 5's `router`, Express 4's own router). */
  private captureExpressErrors(): Undo[] {
    const self = this;
    const undos: Undo[] = [];
    for (const [id, method] of [['router/lib/layer', 'handleError'], ['express/lib/router/layer', 'handle_error']] as const) {
      let Layer: { prototype: Record<string, unknown> } | undefined;
      try {
        Layer = require(id) as { prototype: Record<string, unknown> };
      } catch {
        continue; // that Express version is not installed
      }
      if (typeof Layer.prototype[method] !== 'function') continue;
      undos.push(
        patch(Layer.prototype, method, (original) =>
          function (this: unknown, error: unknown, ...rest: unknown[]) {
            self.captureError(error, 'Express error handler');
            return (original as (...a: unknown[]) => unknown).call(this, error, ...rest);
          }),
      );
    }
    if (undos.length === 0) throw new Error('SecretsCapture: found no Express router layer to watch');
    return undos;
  }

  /** What is kept of a response: a record, or none when it is Luminate's side (or the capture stopped). */
  private pendingFor(res: http.ServerResponse): Pending {
    let pending = this.responses.get(res);
    if (pending) return pending;
    pending = {};
    if (!this.active) return pending;
    const req = res.req as http.IncomingMessage | undefined;
    const agent = req?.headers['user-agent'];
    const luminateSide = (typeof agent === 'string' && agent.startsWith(CLIENT_USER_AGENT)) || this.fakePorts.has(res.socket?.localPort ?? -1);
    if (!luminateSide) {
      const test = this.options.currentTest?.();
      pending.record = { channel: 'response', where: `${req?.method ?? '?'} ${req?.url ?? '?'}`, head: '', body: '', ...(test ? { test } : {}) };
      this.records.push(pending.record);
    }
    this.responses.set(res, pending);
    return pending;
  }

  private captureResponses(): Undo {
    const self = this;
    const proto = http.ServerResponse.prototype as unknown as Record<'writeHead' | 'write' | 'end', (...args: unknown[]) => unknown>;
    const body = (res: http.ServerResponse, chunk: unknown, encoding: unknown): void => {
      const record = self.pendingFor(res).record;
      if (!record || chunk === undefined || chunk === null || typeof chunk === 'function') return;
      if (record.body.length < MAX_BODY_CHARS) record.body += chunkText(chunk, encoding).slice(0, MAX_BODY_CHARS - record.body.length);
    };
    const undos = [
      patch(proto, 'writeHead', (original) =>
        function (this: http.ServerResponse, ...args: unknown[]) {
          const record = self.pendingFor(this).record;
          const result = original.apply(this, args);
          // `_header` is the status line and headers exactly as sent, those given to writeHead too.
          const sent = (this as unknown as { _header?: unknown })._header;
          if (record) record.head = typeof sent === 'string' ? sent : `${this.statusCode}\n${inspect(this.getHeaders())}`;
          return result;
        }),
      patch(proto, 'write', (original) =>
        function (this: http.ServerResponse, chunk: unknown, encoding?: unknown, ...rest: unknown[]) {
          body(this, chunk, encoding);
          return original.call(this, chunk, encoding, ...rest);
        }),
      patch(proto, 'end', (original) =>
        function (this: http.ServerResponse, chunk?: unknown, encoding?: unknown, ...rest: unknown[]) {
          body(this, chunk, encoding);
          return original.call(this, chunk, encoding, ...rest);
        }),
    ];
    return () => undos.reverse().forEach((u) => u());
  }

  private learnToken(issued: FakeIssuedToken): void {
    this.addSecret('SSO token', issued.token);
    this.addSecret('SSO nonce', issued.nonce);
  }

  /**
   * A stand-in's configured secrets, its port (its answers are Luminate's), and each token it
   * issues from now on: recorded as it is issued, since `fake.reset()` empties the list.
   */
  private learnFake(fake: FakeLuminate): void {
    this.fakes.add(fake);
    this.fakePorts.add(fake.port);
    this.addSecret('API password', fake.apiLogin.password);
    this.addSecret('API secret key', fake.apiSecretKey);
    this.addSecret('Web Services password', fake.webServicesLogin.password);
    const self = this;
    const tokens = fake.issuedTokens;
    const push = tokens.push;
    tokens.push = function (...items: FakeIssuedToken[]) {
      for (const issued of items) self.learnToken(issued);
      return push.apply(this, items);
    };
    const sessions = fake.webServicesSessions as Map<string, number>;
    const set = sessions.set;
    sessions.set = function (key: string, value: number) {
      self.addSecret('Web Services SessionId', key);
      return set.call(this, key, value);
    };
  }

  /**
   * The passwords the library actually sends (whatever a test configured, right or wrong): read
   * from the POST to Luminate, the one place they must go, as undici creates it.
   */
  private learnUpstreamPasswords(): Undo {
    return this.subscribe('undici:request:create', (message) => {
      const body = (message as { request?: { body?: unknown } }).request?.body;
      if (!Buffer.isBuffer(body) || body.length > 64 * 1024) return;
      const text = body.toString('utf8');
      if (text.includes('login_password=')) this.addSecret('API password', new URLSearchParams(text).get('login_password') ?? undefined);
      const password = /<Password>([^<]*)<\/Password>/.exec(text)?.[1];
      if (password !== undefined) this.addSecret('Web Services password', xmlText(password));
    });
  }
}
