/**
 * The visitor benchmark's delaying TCP proxy (bench/lib/delay-proxy.js): the round trips it adds,
 * the order of the bytes, half-close, and loopback only.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

interface Proxy {
  port: number;
  stats(): { connections: number };
  close(): Promise<void>;
}
const { startDelayProxy } = require('../../bench/lib/delay-proxy') as {
  startDelayProxy(options: { target: { host: string; port: number }; rttMs: number }): Promise<Proxy>;
};

/** An echo server on loopback: what it reads it writes back; it ends its side when the client does. */
async function startEcho(): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('end', () => socket.end('bye'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}

describe('bench: delaying TCP proxy', () => {
  let echo: net.Server;
  let proxy: Proxy | undefined;
  beforeAll(async () => {
    echo = await startEcho();
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });
  const echoPort = () => (echo.address() as net.AddressInfo).port;

  it('adds one round trip to the connection setup and one to every exchange', async () => {
    proxy = await startDelayProxy({ target: { host: '127.0.0.1', port: echoPort() }, rttMs: 100 });
    const socket = net.connect(proxy.port, '127.0.0.1');
    const t0 = performance.now();
    const replies: number[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', () => {
        replies.push(performance.now() - t0);
        if (replies.length < 3) socket.write('x');
        else resolve();
      });
      socket.write('x');
    });
    socket.destroy();
    // Handshake (one round trip) + the exchange (one more); then one round trip per exchange.
    expect(replies[0]).toBeGreaterThanOrEqual(195);
    expect(replies[1] - replies[0]).toBeGreaterThanOrEqual(98);
    expect(replies[2] - replies[1]).toBeGreaterThanOrEqual(98);
    expect(replies[2]).toBeLessThan(2_000);
    expect(proxy.stats().connections).toBe(1);
  });

  it('keeps the bytes in order and carries a half-close both ways, after the data', async () => {
    proxy = await startDelayProxy({ target: { host: '127.0.0.1', port: echoPort() }, rttMs: 20 });
    const socket = net.connect({ port: proxy.port, host: '127.0.0.1', allowHalfOpen: true });
    const sent = Array.from({ length: 200 }, (_, i) => `${i};`).join('');
    let received = '';
    const ended = new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => { received += chunk.toString('utf8'); });
      socket.on('end', () => resolve());
    });
    for (let i = 0; i < 200; i += 1) {
      socket.write(`${i};`);
      if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 3));
    }
    socket.end();
    await ended;
    expect(received).toBe(`${sent}bye`);
  });

  it('only forwards to loopback and refuses an unbounded delay', async () => {
    await expect(startDelayProxy({ target: { host: '192.0.2.1', port: 443 }, rttMs: 10 })).rejects.toThrow(/loopback/);
    await expect(startDelayProxy({ target: { host: '127.0.0.1', port: echoPort() }, rttMs: 60_000 })).rejects.toThrow(/rttMs/);
  });
});
