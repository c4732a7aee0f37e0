'use strict';
/**
 * With REDIS_URL set, the site can run as several processes behind a load balancer: sessions go
 * to Redis through connect-redis, and the bridge's state (callback replay guard, throttle
 * counters, provisioning locks) through its RedisStore. Both share one node-redis client.
 */
const { RedisStore } = require('../dist');

const CONNECT_LIMIT_MS = 5000;

/** `{ sessionStore, bridgeStore, close }`, or undefined when REDIS_URL is not set. */
async function connectSharedState(redisUrl, log) {
  if (!redisUrl) return undefined;
  // Required only here: a site without Redis does not need these packages.
  const { createClient } = require('redis');
  const { RedisStore: RedisSessionStore } = require('connect-redis');
  const client = createClient({
    url: redisUrl,
    // While Redis is down, commands fail at once instead of queueing: the bridge then answers
    // with its failure policy and express-session with the error handler, without waiting.
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000 },
  });
  // node-redis reports every failed reconnect; one line per outage is enough.
  let down = false;
  client.on('error', (err) => {
    if (down) return;
    down = true;
    log.warn(`example-app: Redis unavailable (${err.code || err.constructor.name}); retrying in the background.`);
  });
  client.on('ready', () => {
    if (down) log.warn('example-app: Redis is back.');
    down = false;
  });
  let timer;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`could not connect to Redis (REDIS_URL) within ${CONNECT_LIMIT_MS / 1000} s`)), CONNECT_LIMIT_MS);
      }),
    ]);
  } catch (err) {
    client.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    sessionStore: new RedisSessionStore({ client, prefix: 'example:sess:' }),
    bridgeStore: new RedisStore({ client, prefix: 'example:sso:' }),
    async close() {
      if (client.isOpen) client.destroy();
    },
  };
}

module.exports = { connectSharedState };
