import { Agent, type Dispatcher } from 'undici';
import type { NetworkSettings } from '../config/network';

/**
 * How long an idle pooled connection is kept, in ms. Load balancers drop idle keep-alive connections
 * without telling the client (seen in the field), after a few seconds to minutes: closing ours first
 * means a click after a quiet spell does not write into a dead one. A server's `Keep-Alive: timeout=…`
 * may shorten this, never lengthen it.
 */
export const KEEP_ALIVE_MS = 4_000;

type PoolSettings = Pick<NetworkSettings, 'tls' | 'dispatcher' | 'connections' | 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs'>;

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

/**
 * The dispatcher to send with: the injected one, or a keep-alive pool of our own (`ownAgent`: only what
 * we created is ours to close; `oneOff` builds an agent like it whose first request opens a new connection).
 */
export function dispatcherFor(settings: PoolSettings) {
  if (settings.dispatcher !== undefined) return { dispatcher: settings.dispatcher, ownAgent: undefined, oneOff: undefined };
  const ownAgent = agentFor(settings, settings.connections);
  return { dispatcher: ownAgent, ownAgent, oneOff: () => agentFor(settings, 1) };
}

export type Dispatchers = ReturnType<typeof dispatcherFor>;

/**
 * Runs `send` with the pool, or, for `freshConnection`, with a one-off agent whose only connection is
 * new, closed once `send` settles. An injected dispatcher cannot be told to open a new connection, so
 * it is used as it is (undici's pool usually picks the client whose socket was just destroyed).
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
