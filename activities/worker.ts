import { existsSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, loadDotEnvFile, reportFatal } from '../api/config';
import { createDb } from '../api/db/knex';
import { createTemporalClient } from '../api/temporal/client';
import { ensureSchedules } from '../api/temporal/schedules';
import { bundleWorkflows, createGigbitWorker, PREBUILT_WORKFLOW_BUNDLE } from './create-worker';
import { createWorkerLogger } from './worker-logger';

/** The Temporal worker process: runs GigBit's workflows and activities until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  loadDotEnvFile();
  const config = loadConfig();
  const logger = createWorkerLogger(config.LOG_LEVEL);
  // The runtime's default shutdown signals (SIGINT, SIGTERM) make worker.run() drain and resolve.
  Runtime.install({
    logger,
    // The SDK's own metrics (task slots, schedule-to-start latency, poll results, workflow/activity outcomes),
    // served by the runtime for Prometheus; the process has no HTTP server of its own.
    ...(config.WORKER_METRICS_ADDRESS && {
      // Durations in seconds like the API's histograms (the SDK's default is milliseconds), so alert thresholds
      // read the same on both (docs/runbook.md §6).
      telemetryOptions: {
        metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS, useSecondsForDurations: true } },
      },
    }),
  });

  const db = createDb(config, 'gigbit-worker');
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = createTemporalClient(config);
  try {
    await ensureSchedules(temporal.client, config);
    // A production build ships the workflow code prebundled next to this file (npm run build); from sources the
    // worker bundles it at start-up.
    const prebuilt = path.join(__dirname, PREBUILT_WORKFLOW_BUNDLE);
    const workflowBundle = existsSync(prebuilt) ? { codePath: prebuilt } : await bundleWorkflows();
    const worker = await createGigbitWorker({ config, db, connection, workflowBundle });
    logger.info(
      `Temporal worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}` +
        ('codePath' in workflowBundle ? ' (prebuilt workflow bundle)' : '') +
        (config.WORKER_METRICS_ADDRESS ? `; metrics at http://${config.WORKER_METRICS_ADDRESS}/metrics` : ''),
    );
    await worker.run();
  } finally {
    await temporal.close();
    await connection.close();
    await db.destroy();
  }
}

main().catch(reportFatal);
