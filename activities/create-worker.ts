import { defaultPayloadConverter } from '@temporalio/common';
import {
  type ActivityInterceptorsFactory,
  type NativeConnection,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type { Config } from '../api/config';
import type { Db } from '../api/db/knex';
import { createPayoutRailClient } from '../api/services/payout-rail.client';
import { REQUEST_ID_HEADER } from '../workflows/correlation.interceptors';
import { createActivities } from './index';

export const workflowsPath = require.resolve('../workflows');
/** Bundled beside the workflows: carries the API request id from a run's memo into its activities' headers. */
export const workflowInterceptorModules = [require.resolve('../workflows/correlation.interceptors')];

/**
 * The production build writes the bundle here, relative to the compiled worker (dist/activities/worker.js →
 * dist/workflow-bundle.js); the worker loads it with `workflowBundle: { codePath }` instead of running webpack.
 */
export const PREBUILT_WORKFLOW_BUNDLE = '../workflow-bundle.js';

/** Bundles the workflow code once; every Worker in a process (and every replay) reuses the result. */
export async function bundleWorkflows(): Promise<WorkflowBundleOption> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules,
    logger: { ...quietBundlerLogger },
  });
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

/**
 * Adds `requestId` (from the header the workflow interceptor sets) to every log line of an activity, beside the
 * SDK's own workflowId, activityType, attempt … The attributes are composed on each log call, so lines written
 * once `execute` began carry it.
 */
const requestIdInLogs: ActivityInterceptorsFactory = () => {
  let requestId: string | undefined;
  return {
    inbound: {
      execute(input, next) {
        const header = input.headers[REQUEST_ID_HEADER];
        const value: unknown = header && defaultPayloadConverter.fromPayload(header);
        if (typeof value === 'string') requestId = value;
        return next(input);
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next(requestId ? { ...attributes, requestId } : attributes),
    },
  };
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
    interceptors: { activity: [requestIdInLogs] },
    // Activities in flight get this long to finish on SIGTERM before Temporal retries them elsewhere.
    shutdownGraceTime: '10 seconds',
  });
}
