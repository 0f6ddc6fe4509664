import { Redis } from 'ioredis';

/**
 * The API's Redis connection (rate limits, Socket.IO fan-out). A command waits through at most two reconnect
 * attempts, then fails: with Redis down, rate limits are skipped (skipOnError) and the outbox relay holds events
 * until fan-out is back, so no API request waits on Redis for long or fails because of it.
 */
export function createRedis(url: string): Redis {
  return quietOnErrors(new Redis(url, { maxRetriesPerRequest: 2 }));
}

/**
 * ioredis reports each failed reconnect as an 'error' event and warns when nobody listens. The outage itself is
 * reported where it matters (the relay logs when it starts and stops holding events; /readyz shows Redis).
 */
export function quietOnErrors(redis: Redis): Redis {
  redis.on('error', () => undefined);
  return redis;
}

/** Closes without waiting on a Redis that is not there. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
