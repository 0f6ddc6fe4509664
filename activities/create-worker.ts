import { type NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import type { Config } from '../api/config';
import type { Db } from '../api/db/knex';
import { createPayoutRailClient } from '../api/services/payout-rail.client';
import { createActivities } from './index';

export const workflowsPath = require.resolve('../workflows');

/**
 * The production build writes the bundle here, relative to the compiled worker (dist/activities/worker.js →
 * dist/workflow-bundle.js); the worker loads it with `workflowBundle: { codePath }` instead of running webpack.
 */
export const PREBUILT_WORKFLOW_BUNDLE = '../workflow-bundle.js';

/** Bundles the workflow code once; every Worker in a process (and every replay) reuses the result. */
export async function bundleWorkflows(): Promise<WorkflowBundleOption> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: { ...quietBundlerLogger } });
  return { code };
}

const noop = () => undefined;
const quietBundlerLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: console.warn,
  error: console.error,
  log: noop,
};

export interface GigbitWorkerOptions {
  config: Config;
  db: Db;
  connection: NativeConnection;
  workflowBundle: WorkflowBundleOption;
}

export function createGigbitWorker(options: GigbitWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.config.TEMPORAL_NAMESPACE,
    taskQueue: options.config.TEMPORAL_TASK_QUEUE,
    workflowBundle: options.workflowBundle,
    activities: createActivities({
      db: options.db,
      rail: createPayoutRailClient({ baseUrl: options.config.PAYOUT_RAIL_URL }),
      config: options.config,
    }),
    // Activities in flight get this long to finish on SIGTERM before Temporal retries them elsewhere.
    shutdownGraceTime: '10 seconds',
  });
}
