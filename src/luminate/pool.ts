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
 * How long an idle pooled connection is kept, in ms. Load balancers drop idle keep-alive
 * connections, often without telling the client (seen in the field); common ones wait from a
 * few seconds to several minutes. Closing ours first means a click after a quiet spell opens a
 * new connection instead of writing into a dead one. A server's `Keep-Alive: timeout=…` hint may
 * shorten this, never lengthen it (undici's keepAliveMaxTimeout).
 */
export const KEEP_ALIVE_MS = 4_000;

/** The dispatchers a client sends with. */
export interface Dispatchers {
  dispatcher: Dispatcher;
  /** Set only when the pool is our own: only what we created is ours to close. */
  ownAgent: Agent | undefined;
  /** Builds a one-off agent like the pool (its first request opens a new connection); undefined with an injected dispatcher. */
  oneOff: (() => Agent) | undefined;
}

function agentFor(settings: PoolSettings, connections: number): Agent {
  return new Agent({
    connections,
    headersTimeout: settings.headersTimeoutMs,
    bodyTimeout: settings.bodyTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MS,
    connect: { timeout: settings.connectTimeoutMs, ...settings.tls },
  });
}

/** The dispatcher to send with: the injected one, or a keep-alive pool of our own. */
export function dispatcherFor(settings: PoolSettings): Dispatchers {
  if (settings.dispatcher !== undefined) return { dispatcher: settings.dispatcher, ownAgent: undefined, oneOff: undefined };
  const ownAgent = agentFor(settings, settings.connections);
  return { dispatcher: ownAgent, ownAgent, oneOff: () => agentFor(settings, 1) };
}

/**
 * Runs `send` with the pool, or, for `freshConnection`, with a one-off agent whose only
 * connection is new, closed once `send` settles. An injected dispatcher cannot be told to open
 * a new connection, so it is used as it is: undici's pool gives a request to its first free
 * client, which after a reset is usually the one whose socket was just destroyed (it reconnects).
 */
export async function sendOn<T>(pool: Dispatchers, freshConnection: boolean, send: (dispatcher: Dispatcher) => Promise<T>): Promise<T> {
  if (!freshConnection || pool.oneOff === undefined) return send(pool.dispatcher);
  const agent = pool.oneOff();
  try {
    return await send(agent);
  } finally {
    agent.close().catch(() => undefined);
  }
}
