import { Client, Connection } from '@temporalio/client';
import closeWithGrace from 'close-with-grace';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import gigbitApp, { fastifyOptions } from './app';
import { loadConfig, loadDotEnvFile } from './config';
import { createDb } from './db/knex';

/** The API process: HTTP + Socket.IO + outbox relay. Shuts down gracefully on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  loadDotEnvFile();
  const config = loadConfig();
  const db = createDb(config, 'gigbit-api');
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 }) : undefined;
  // Lazy: the API boots (and /readyz explains) even while Temporal is still starting.
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });

  const app = Fastify(fastifyOptions(config));
  await app.register(gigbitApp, { config, db, temporal, redis });

  closeWithGrace({ delay: 10_000, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
    await connection.close();
    await redis?.quit();
    await db.destroy();
  });

  await app.listen({ host: config.HOST, port: config.API_PORT });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
