import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { Config } from '../config';
import { correlationInterceptor } from './correlation';

export interface TemporalClient {
  client: Client;
  /** Closes the connection once no retry scheduled by the SDK can fire any more. */
  close(): Promise<void>;
}

/**
 * The API's Temporal client. Lazy, so the API boots (and /readyz explains) while Temporal is still starting.
 *
 * The SDK's gRPC retry interceptor schedules each retry with a timer; if the connection is closed before that
 * timer fires, the retry throws "Channel has been shut down" outside any promise and takes the process down.
 * So the retry policy here stops scheduling retries once closing starts, remembers when the last scheduled one
 * fires, and close() waits for that moment before closing the channel.
 */
export function createTemporalClient(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): TemporalClient {
  const defaults = defaultGrpcRetryOptions();
  let closing = false;
  let lastRetryAt = 0;

  const connection = Connection.lazy({
    address: config.TEMPORAL_ADDRESS,
    interceptors: [
      makeGrpcRetryInterceptor({
        retryableDecider: (attempt, status) => !closing && defaults.retryableDecider(attempt, status),
        delayFunction: (attempt, status) => {
          const delay = defaults.delayFunction(attempt, status);
          lastRetryAt = Math.max(lastRetryAt, Date.now() + delay);
          return delay;
        },
      }),
    ],
  });

  return {
    client: new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      interceptors: { workflow: [correlationInterceptor()] },
    }),
    async close() {
      closing = true;
      const wait = lastRetryAt - Date.now();
      // The margin lets a retry that fires right at lastRetryAt start its call before the channel closes.
      if (wait > -50) await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 0) + 50));
      await connection.close();
    },
  };
}
