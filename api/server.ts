import closeWithGrace from 'close-with-grace';
import Fastify from 'fastify';
import gigbitApp, { fastifyOptions } from './app';
import { assertApiConfig, loadConfig, loadDotEnvFile, reportFatal } from './config';
import { createDb } from './db/knex';
import { closeRedis, createRedis } from './realtime/redis';
import { createTemporalClient } from './temporal/client';

/** The API process: HTTP + Socket.IO + outbox relay. Shuts down gracefully on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  loadDotEnvFile();
  const config = loadConfig();
  assertApiConfig(config);
  const db = createDb(config, 'gigbit-api');
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL) : undefined;
  const temporal = createTemporalClient(config);

  const app = Fastify(fastifyOptions(config));
  await app.register(gigbitApp, { config, db, temporal: temporal.client, redis });

  closeWithGrace({ delay: 10_000, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
    await temporal.close();
    if (redis) await closeRedis(redis);
    await db.destroy();
  });

  await app.listen({ host: config.HOST, port: config.API_PORT });
}

main().catch(reportFatal);
