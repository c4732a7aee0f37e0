import { Agent, type Dispatcher } from 'undici';

/** The network settings a pooled agent is built from (validated elsewhere). */
export interface PoolSettings {
  connections: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  tls?: { ca?: string | Buffer | Array<string | Buffer>; rejectUnauthorized?: boolean; servername?: string };
  dispatcher?: Dispatcher;
}

/**
 * The dispatcher to send with: the injected one, or a keep-alive pool of our own. `ownAgent` is
 * set only in the second case: only what we created is ours to close.
 */
export function dispatcherFor(settings: PoolSettings): { dispatcher: Dispatcher; ownAgent: Agent | undefined } {
  if (settings.dispatcher !== undefined) return { dispatcher: settings.dispatcher, ownAgent: undefined };
  const ownAgent = new Agent({
    connections: settings.connections,
    headersTimeout: settings.headersTimeoutMs,
    bodyTimeout: settings.bodyTimeoutMs,
    connect: { timeout: settings.connectTimeoutMs, ...settings.tls },
  });
  return { dispatcher: ownAgent, ownAgent };
}
