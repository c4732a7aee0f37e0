import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';

export interface ListeningApp {
  server: Server;
  port: number;
  /** Drops the open keep-alive connections, then waits for the server to close. */
  close(): Promise<void>;
}

/** Starts `app` on a free loopback port. */
export async function listenOnLoopback(app: express.Express): Promise<ListeningApp> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
