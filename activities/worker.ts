import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { loadConfig, loadDotEnvFile, reportFatal } from '../api/config';
import { createDb } from '../api/db/knex';
import { createTemporalClient } from '../api/temporal/client';
import { ensureSchedules } from '../api/temporal/schedules';
import { bundleWorkflows, createGigbitWorker } from './create-worker';

/** The Temporal worker process: runs GigBit's workflows and activities until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  loadDotEnvFile();
  const config = loadConfig();
  const level = config.LOG_LEVEL === 'silent' || config.LOG_LEVEL === 'fatal' ? 'ERROR' : config.LOG_LEVEL;
  // The runtime's default shutdown signals (SIGINT, SIGTERM) make worker.run() drain and resolve.
  Runtime.install({ logger: new DefaultLogger(level.toUpperCase() as LogLevel) });

  const db = createDb(config, 'gigbit-worker');
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = createTemporalClient(config);
  try {
    await ensureSchedules(temporal.client, config);
    const workflowBundle = await bundleWorkflows();
    const worker = await createGigbitWorker({ config, db, connection, workflowBundle });
    console.log(`Temporal worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}`);
    await worker.run();
  } finally {
    await temporal.close();
    await connection.close();
    await db.destroy();
  }
}

main().catch(reportFatal);
