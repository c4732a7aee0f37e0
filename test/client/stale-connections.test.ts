import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KEEP_ALIVE_MS } from '../../src/luminate/pool';
import type { LuminateClient } from '../../src/luminate/luminate-client';
import { LuminateWebServices } from '../../src/web-services';
import { createFakeLuminate, createSelfSignedCertificate } from '../../src/testing';
import { clientFor, rejection, send, startServer, TOKEN, waitFor, xmlToken, type TestServer } from './helpers';

/**
 * Issue 16 §1: a request written on a reused pooled connection that is reset or closed before
 * any reply byte (a load balancer dropped the idle connection, seen in the field) is sent once
 * more, on a new connection, for methods that may be repeated; nothing else is retried.
 */

/** What the upstream does with the n-th request (1-based) on one connection. */
type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse, nth: number) => void;

const tokenReply = (res: http.ServerResponse): void => send(res, 200, xmlToken(`<token>${TOKEN}</token><cons_id>1001641</cons_id>`));
const reset = (req: http.IncomingMessage): void => {
  (req.socket as Socket).resetAndDestroy();
};

/** Lets the last call's connection go back to the pool, as it has between two clicks. */
const idle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

async function upstream(behaviour: Behaviour): Promise<TestServer> {
  const counts = new WeakMap<object, number>();
  return startServer((req, res) => {
    const nth = (counts.get(req.socket) ?? 0) + 1;
    counts.set(req.socket, nth);
    behaviour(req, res, nth);
  });
}

describe('stale pooled connections', () => {
  let server: TestServer | undefined;
  let client: LuminateClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  it('a reset of the second request on a connection is retried once, on a new connection', async () => {
    server = await upstream((req, res, nth) => (nth === 1 ? tokenReply(res) : reset(req)));
    client = clientFor(server.secureUrl);
    for (let i = 0; i < 3; i += 1) {
      await idle();
      await expect(client.getSingleSignOnToken({ consId: '1001641' })).resolves.toMatchObject({ token: TOKEN });
    }
    // call 1; call 2 reset on the reused connection, then sent again on a new one; call 3 on a new pooled one.
    expect(server.requests).toHaveLength(4);
    expect(server.connectionCount()).toBe(3);
  });

  it('"other side closed" (a FIN instead of a reset) is retried the same way', async () => {
    server = await upstream((req, res, nth) => (nth === 1 ? tokenReply(res) : req.socket.destroy()));
    client = clientFor(server.secureUrl);
    await client.getSingleSignOnToken({ consId: '1001641' });
    await idle();
    await expect(client.getSingleSignOnToken({ consId: '1001641' })).resolves.toMatchObject({ token: TOKEN });
    expect(server.requests).toHaveLength(3);
  });

  it('a reset on a new connection is not retried', async () => {
    server = await upstream((req) => reset(req));
    client = clientFor(server.secureUrl);
    const err = await rejection(client.getSingleSignOnToken({ consId: '1001641' }));
    expect(err.code).toBe('LUMINATE_CONNECTION_RESET');
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['the headers and part of the body', (req: http.IncomingMessage, res: http.ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': '500' });
      res.write('<?xml version="1.0"?><getSingleSignOnTokenResponse>');
      setTimeout(() => reset(req), 30);
    }],
    ['part of the status line and headers', (req: http.IncomingMessage) => {
      req.socket.write('HTTP/1.1 200 OK\r\ncontent-ty');
      setTimeout(() => reset(req), 30);
    }],
  ])('a reset after %s came is not retried, even on a reused connection', async (_what, partial) => {
    server = await upstream((req, res, nth) => (nth === 1 ? tokenReply(res) : partial(req, res)));
    client = clientFor(server.secureUrl);
    await client.getSingleSignOnToken({ consId: '1001641' });
    await idle();
    const err = await rejection(client.getSingleSignOnToken({ consId: '1001641' }));
    expect(err.code).toBe('LUMINATE_CONNECTION_RESET');
    expect(server.requests).toHaveLength(2);
  });

  it('the retry runs within the call\'s deadline', async () => {
    // The new connection never answers: the call ends at timeoutMs, not later.
    server = await upstream((req, res, nth) => {
      if (server!.requests.length === 1) return tokenReply(res);
      if (nth > 1) reset(req);
    });
    client = clientFor(server.secureUrl, { timeoutMs: 800 });
    await client.getSingleSignOnToken({ consId: '1001641' });
    await idle();
    const started = Date.now();
    const err = await rejection(client.getSingleSignOnToken({ consId: '1001641' }));
    const elapsed = Date.now() - started;
    expect(err.code).toBe('LUMINATE_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(700);
    expect(elapsed).toBeLessThan(800 + 500);
    expect(server.requests).toHaveLength(3);
  });

  it('the retry respects the caller\'s abort signal', async () => {
    const caller = new AbortController();
    server = await upstream((req, res, nth) => {
      if (server!.requests.length === 1) return tokenReply(res);
      if (nth > 1) reset(req);
      else setTimeout(() => caller.abort(), 50); // the retry is on its way: the visitor left
    });
    client = clientFor(server.secureUrl);
    await client.getSingleSignOnToken({ consId: '1001641' });
    await idle();
    const err = await rejection(client.getSingleSignOnToken({ consId: '1001641' }, { signal: caller.signal }));
    expect(err.code).toBe('LUMINATE_ABORTED');
    expect(server.requests).toHaveLength(3);
  });

  it('create is never sent twice; getUser, authenticateUser and login are', async () => {
    const replies: Record<string, string> = {
      create: '<createConsResponse><cons_id>1001642</cons_id></createConsResponse>',
      getUser: '<getConsResponse><cons_id>1001641</cons_id></getConsResponse>',
      authenticateUser: '<loginResponse><cons_id>1001641</cons_id></loginResponse>',
      login: '<loginResponse><cons_id>1001641</cons_id></loginResponse>',
    };
    server = await upstream((req, res, nth) => {
      if (nth > 1) return reset(req);
      const method = server!.requests[server!.requests.length - 1]!.form.get('method')!;
      send(res, 200, replies[method]!);
    });
    client = clientFor(server.secureUrl);
    const roots: Record<string, string> = { create: 'createConsResponse', getUser: 'getConsResponse', authenticateUser: 'loginResponse', login: 'loginResponse' };
    await client.callServerApi('getUser', { cons_id: '1001641' }, 'getConsResponse'); // the pool now holds a used connection
    await idle();
    const err = await rejection(client.callServerApi('create', { primary_email: 'a@example.org' }, 'createConsResponse'));
    expect(err.code).toBe('LUMINATE_CONNECTION_RESET');
    expect(server.requests.filter((r) => r.form.get('method') === 'create')).toHaveLength(1);
    for (const method of ['getUser', 'authenticateUser', 'login']) {
      await idle();
      await client.callServerApi(method, {}, roots[method]!); // a new pooled connection, used once
      await idle();
      const before = server.requests.length;
      await expect(client.callServerApi(method, {}, roots[method]!)).resolves.toMatchObject({ cons_id: '1001641' });
      expect(server.requests.length - before).toBe(2);
    }
  });

  it(`idle pooled connections are closed after ${KEEP_ALIVE_MS} ms, even when the server hints at minutes`, async () => {
    // A server that keeps idle connections for minutes and says so: only the client can close them.
    const sockets = new Set<Socket>();
    const patient = http.createServer((_req, res) => {
      res.setHeader('keep-alive', 'timeout=600');
      tokenReply(res);
    });
    patient.keepAliveTimeout = 600_000;
    patient.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => patient.listen(0, '127.0.0.1', resolve));
    const pool = clientFor(`http://127.0.0.1:${(patient.address() as AddressInfo).port}/testorg`);
    try {
      await pool.getSingleSignOnToken({ consId: '1001641' });
      expect(sockets.size).toBe(1);
      const started = Date.now();
      expect(await waitFor(() => sockets.size === 0, KEEP_ALIVE_MS + 3000)).toBe(true);
      expect(Date.now() - started).toBeLessThan(KEEP_ALIVE_MS + 1000);
    } finally {
      await pool.close();
      patient.closeAllConnections();
      await new Promise<void>((resolve) => patient.close(() => resolve()));
    }
  }, 20_000);
});

describe('stale pooled connections over HTTPS', () => {
  it('the one-off connection of the retry uses the same TLS settings', async () => {
    const tls = createSelfSignedCertificate();
    const fake = await createFakeLuminate({ tls });
    const client = clientFor(fake.secureUrl, { apiKey: fake.apiKey, apiLogin: fake.apiLogin, tls: { ca: tls.cert } });
    try {
      fake.faults.resetReusedConnections = true;
      for (let i = 0; i < 3; i += 1) {
        await idle();
        await expect(client.getSingleSignOnToken({ consId: '1001641' })).resolves.toMatchObject({ consId: '1001641' });
      }
      expect(fake.requests.map((r) => r.outcome)).toEqual(['ok', 'fault resetReusedConnections', 'ok', 'ok']);
    } finally {
      await client.close();
      await fake.close();
    }
  });
});

describe('stale pooled connections, Web Services', () => {
  it('Login and queries are sent again on a new connection after a reset on a reused one', async () => {
    const fake = await createFakeLuminate();
    const ws = new LuminateWebServices({ url: fake.webServicesUrl, userName: fake.webServicesLogin.userName, password: fake.webServicesLogin.password, timeoutMs: 2000 }, {});
    try {
      fake.faults.resetReusedConnections = true;
      await ws.login();
      await idle();
      await expect(ws.getServerTime()).resolves.toMatch(/^\d{4}-/); // reset, then sent again
      await idle();
      await ws.login(); // on a new pooled connection
      await idle();
      await ws.login(); // reset, then sent again
      expect(fake.requests.map((r) => r.outcome)).toEqual(['ok', 'fault resetReusedConnections', 'ok', 'ok', 'fault resetReusedConnections', 'ok']);
    } finally {
      await ws.close();
      await fake.close();
    }
  });
});
