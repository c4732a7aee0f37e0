import net from 'node:net';
import { Agent, errors, type Dispatcher } from 'undici';
import type { LuminateClientOptions } from '../../src/luminate/types';
import {
  clientFor, freePort, rejection, send, startServer, TOKEN, waitFor, xmlToken, type Handler, type TestServer,
} from './helpers';

let server: TestServer;
let handler: Handler;
const pending: Array<() => void> = [];

beforeAll(async () => {
  server = await startServer((req, res, recorded) => handler(req, res, recorded));
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});
afterEach(() => {
  for (const stop of pending.splice(0)) stop();
});

/** A margin for timer and scheduling slack: a correctness bound, not a performance claim. */
const MARGIN_MS = 1500;

async function timed(options: Partial<LuminateClientOptions>, signal?: AbortSignal) {
  const client = clientFor(server.secureUrl, options);
  const started = Date.now();
  try {
    const err = await rejection(client.getSingleSignOnToken({ consId: '1001641' }, signal ? { signal } : {}));
    return { err, elapsed: Date.now() - started };
  } finally {
    await client.close();
  }
}

/** Writes a few bytes every 50 ms until the response closes. */
function drip(res: import('node:http').ServerResponse, chunk: string): void {
  const interval = setInterval(() => res.write(chunk), 50);
  const stop = (): void => clearInterval(interval);
  res.on('close', stop);
  pending.push(stop);
}

class CountingAgent extends Agent {
  dispatches = 0;
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.dispatches += 1;
    return super.dispatch(options, handler);
  }
}

describe('LuminateClient: timeouts and the deadline', () => {
  it('times out waiting for headers (headersTimeoutMs)', async () => {
    handler = () => undefined;
    const { err, elapsed } = await timed({ headersTimeoutMs: 300, timeoutMs: 5000 });
    expect(err.code).toBe('LUMINATE_TIMEOUT');
    expect(err.message).toContain('headersTimeoutMs');
    expect(elapsed).toBeLessThan(300 + MARGIN_MS);
    expect(server.requests).toHaveLength(1);
  });

  it('times out when the body stalls (bodyTimeoutMs)', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<getSingleSignOnTokenResponse><token>');
    };
    const { err, elapsed } = await timed({ bodyTimeoutMs: 300, timeoutMs: 5000 });
    expect(err.code).toBe('LUMINATE_TIMEOUT');
    expect(err.message).toContain('bodyTimeoutMs');
    expect(elapsed).toBeLessThan(300 + MARGIN_MS);
  });

  it('honours the overall deadline while headers never come', async () => {
    handler = () => undefined;
    const { err, elapsed } = await timed({ headersTimeoutMs: 30000, timeoutMs: 400 });
    expect(err.code).toBe('LUMINATE_TIMEOUT');
    expect(err.message).toContain('timeoutMs (400 ms)');
    expect(elapsed).toBeLessThan(400 + MARGIN_MS);
  });

  it('honours the overall deadline on a body that never ends', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<getSingleSignOnTokenResponse>');
      drip(res, ' ');
    };
    const { err, elapsed } = await timed({ bodyTimeoutMs: 30000, timeoutMs: 600 });
    expect(err.code).toBe('LUMINATE_TIMEOUT');
    expect(elapsed).toBeLessThan(600 + MARGIN_MS);
  });
});

describe('LuminateClient: oversized replies', () => {
  it('refuses early on a Content-Length over maxResponseBytes', async () => {
    handler = (_req, res) => send(res, 200, xmlToken(`<token>${'x'.repeat(5000)}</token>`));
    const { err } = await timed({ maxResponseBytes: 1000 });
    expect(err.code).toBe('LUMINATE_RESPONSE_TOO_LARGE');
  });

  it('counts bytes when there is no Content-Length', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(xmlToken(`<token>${'x'.repeat(5000)}</token>`));
    };
    const { err } = await timed({ maxResponseBytes: 1000 });
    expect(err.code).toBe('LUMINATE_RESPONSE_TOO_LARGE');
  });

  it('stops reading a never-ending body once over the cap', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      drip(res, 'y'.repeat(400));
    };
    const { err, elapsed } = await timed({ maxResponseBytes: 1000, timeoutMs: 5000 });
    expect(err.code).toBe('LUMINATE_RESPONSE_TOO_LARGE');
    expect(elapsed).toBeLessThan(2000);
  });
});

describe('LuminateClient: connection failures and the single retry', () => {
  it('reports a reset before any reply, without retrying (the request may have been processed)', async () => {
    handler = (req) => req.socket.destroy();
    const { err } = await timed({});
    expect(err.code).toBe('LUMINATE_CONNECTION_RESET');
    expect(err.cause).toBeDefined();
    expect(server.requests).toHaveLength(1);
  });

  it('reports a reset in the middle of the body, without retrying', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write(`<getSingleSignOnTokenResponse><token>${TOKEN}`);
      setTimeout(() => req.socket.destroy(), 30);
    };
    const { err } = await timed({});
    expect(err.code).toBe('LUMINATE_CONNECTION_RESET');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a refused connection exactly once', async () => {
    const dispatcher = new CountingAgent();
    const client = clientFor(`http://127.0.0.1:${await freePort()}/org`, { dispatcher });
    const err = await rejection(client.getSingleSignOnToken({ consId: '1' }));
    expect(err.code).toBe('LUMINATE_CONNECTION_REFUSED');
    expect(dispatcher.dispatches).toBe(2);
    await client.close();
    await dispatcher.close();
  });

  it('does not retry when too little of the deadline is left', async () => {
    const dispatcher = new CountingAgent();
    const client = clientFor(`http://127.0.0.1:${await freePort()}/org`, { dispatcher, timeoutMs: 200 });
    expect((await rejection(client.getSingleSignOnToken({ consId: '1' }))).code).toBe('LUMINATE_CONNECTION_REFUSED');
    expect(dispatcher.dispatches).toBe(1);
    await client.close();
    await dispatcher.close();
  });

  it('retries a connect timeout once, then reports a timeout', async () => {
    let attempts = 0;
    const dispatcher = new Agent({
      connect: (_opts, callback) => {
        attempts += 1;
        callback(new errors.ConnectTimeoutError(), null);
      },
    });
    const client = clientFor(server.secureUrl, { dispatcher });
    const err = await rejection(client.getSingleSignOnToken({ consId: '1' }));
    expect(err.code).toBe('LUMINATE_TIMEOUT');
    expect(err.message).toContain('connectTimeoutMs');
    expect(attempts).toBe(2);
    await client.close();
    await dispatcher.close();
  });

  it('succeeds when the retry connects', async () => {
    let attempts = 0;
    const dispatcher = new Agent({
      connect: (opts, callback) => {
        attempts += 1;
        if (attempts === 1) {
          callback(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), null);
          return;
        }
        const socket = net.connect(Number(opts.port), opts.hostname, () => callback(null, socket));
        socket.once('error', (e) => callback(e, null));
      },
    });
    handler = (_req, res) => send(res, 200, xmlToken(`<token>${TOKEN}</token><cons_id>1</cons_id>`));
    const client = clientFor(server.secureUrl, { dispatcher });
    await expect(client.getSingleSignOnToken({ consId: '1' })).resolves.toEqual({ token: TOKEN, consId: '1' });
    expect(attempts).toBe(2);
    expect(server.requests).toHaveLength(1);
    await client.close();
    await dispatcher.close();
  });
});

describe('LuminateClient: informational replies', () => {
  it('reads the final reply after a 103, whatever the 103 carries', async () => {
    // A raw server: a 103 Early Hints with a Content-Length far over the cap, then the real reply.
    const body = xmlToken(`<token>${TOKEN}</token><cons_id>1001641</cons_id>`);
    const raw = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 103 Early Hints\r\nContent-Length: 999999999\r\nLink: </x.css>; rel=preload\r\n\r\n');
        socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const client = clientFor(`http://127.0.0.1:${(raw.address() as net.AddressInfo).port}/testorg`, { maxResponseBytes: 4096 });
    try {
      const token = await client.getSingleSignOnToken({ consId: '1001641' });
      expect(token.token).toBe(TOKEN);
    } finally {
      await client.close();
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
  });
});

describe('LuminateClient: caller aborts', () => {
  it('reports LUMINATE_ABORTED when the caller aborts mid-call', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { err, elapsed } = await timed({ timeoutMs: 5000 }, controller.signal);
    expect(err.code).toBe('LUMINATE_ABORTED');
    expect(elapsed).toBeLessThan(100 + MARGIN_MS);
  });

  it('answers a call still waiting for a free connection as soon as its caller aborts', async () => {
    handler = () => undefined; // the first call holds the only connection until it is aborted
    const client = clientFor(server.secureUrl, { connections: 1, timeoutMs: 5000 });
    const holder = new AbortController();
    const first = rejection(client.getSingleSignOnToken({ consId: '1001641' }, { signal: holder.signal }));
    try {
      expect(await waitFor(() => server.requests.length === 1)).toBe(true);
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 100);
      const err = await rejection(client.getSingleSignOnToken({ consId: '1001642' }, { signal: controller.signal }));
      expect(err.code).toBe('LUMINATE_ABORTED');
      expect(Date.now() - started).toBeLessThan(100 + MARGIN_MS); // not when the first call's 5 s are up
      expect(server.requests).toHaveLength(1); // the waiting call never reached Luminate
    } finally {
      holder.abort();
      expect((await first).code).toBe('LUMINATE_ABORTED');
      await client.close();
    }
  });

  it('does not call Luminate with an already aborted signal', async () => {
    const { err } = await timed({}, AbortSignal.abort());
    expect(err.code).toBe('LUMINATE_ABORTED');
    expect(server.requests).toHaveLength(0);
  });
});
