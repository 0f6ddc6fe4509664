import { randomBytes } from 'node:crypto';
import { workerSyncWorkflowId } from '../../workflows/contracts';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { testEnvironment } from '../helpers/environment';
import {
  bearer,
  signInWorker,
  startApi,
  testConfig,
  TEST_DATA_KEY,
  TEST_RAIL_SECRET,
  TEST_SECRET,
  type ApiInstance,
} from '../helpers/harness';
import { runEntry, waitFor, type Run } from '../helpers/processes';
import { freePort } from '../global-setup';

/**
 * The worker's metrics are the Temporal SDK's own, served by its runtime, and its logs are the runtime's logger.
 * Runtime.install happens once per process (and the test harness installs its own), so the worker runs here as
 * the real process entry.
 */
describe('the Temporal worker process: metrics (WORKER_METRICS_ADDRESS) and correlated activity logs', () => {
  const taskQueue = `worker-metrics-test-${process.pid}`;
  let database: TestDatabase;
  let worker: Run;
  let port: number;
  beforeAll(async () => {
    database = await createTestDatabase();
    port = await freePort();
    worker = runEntry('activities/worker.ts', {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ACCESS_TOKEN_SECRET: TEST_SECRET,
      PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
      DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
      LOG_LEVEL: 'debug',
    });
    // Start-up bundles the workflow code (webpack): slow on a loaded 2-core machine.
    await waitFor(() => worker.output().includes('"state":"RUNNING"'), 'worker RUNNING', 90_000).catch((err: Error) => {
      throw new Error(`${err.message}; the worker printed:\n${worker.output().slice(-2000)}`);
    });
  }, 120_000);
  afterAll(async () => {
    if (worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await database.drop();
  });

  it('serves the SDK metrics in Prometheus format once the worker polls', async () => {
    expect(worker.output()).toContain(`metrics at http://127.0.0.1:${port}/metrics`);
    let body = '';
    await waitFor(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
      body = response?.ok ? await response.text() : '';
      return /^temporal_num_pollers\{/m.test(body);
    }, 'temporal_num_pollers in the scrape');
    expect(body).toMatch(/^# TYPE temporal_\w+ (counter|gauge|histogram)/m);
    expect(body).toMatch(new RegExp(`^temporal_worker_task_slots_available\\{[^}]*task_queue="${taskQueue}"`, 'm'));
    expect(body).toMatch(/^temporal_long_request\{[^}]*operation="PollWorkflowTaskQueue"/m);
    expect(body).toMatch(/^temporal_worker_start\{[^}]*\} 1$/m);
    // Durations in seconds, like the API's histograms (the SDK's default would be milliseconds: le="10000").
    expect(body).toMatch(/^temporal_request_latency_bucket\{[^}]*le="0\.05"\}/m);
    expect(body).not.toMatch(/_latency_bucket\{[^}]*le="10000"\}/);
  });

  it('logs activities with their workflowId, activityType and the API request id that started the workflow', async () => {
    let api: ApiInstance | undefined;
    try {
      api = await startApi(testConfig(database, { TEMPORAL_TASK_QUEUE: taskQueue }), database);
      const rider = await signInWorker(api.app);
      const requestId = `trace-${randomBytes(6).toString('hex')}`;
      const started = await api.app.inject({
        method: 'POST',
        url: '/v1/me/sync',
        headers: { ...bearer(rider.token), 'x-request-id': requestId },
      });
      expect(started.statusCode).toBe(202);
      const workflowId = workerSyncWorkflowId(rider.workerId);
      await api.temporal.workflow.getHandle(workflowId).result();
      // One JSON object per line (pino), like the API's log lines, so the two join on requestId.
      // Complete lines only: the worker may be writing the last one.
      const entries = worker
        .output()
        .split('\n')
        .slice(0, -1)
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(entries.every((entry) => entry.process === 'worker' && typeof entry.time === 'number')).toBe(true);
      const activityLines = entries.filter((entry) => entry.requestId === requestId);
      expect(activityLines.length).toBeGreaterThan(0);
      for (const entry of activityLines) {
        expect(entry).toMatchObject({ workflowId, activityType: expect.stringMatching(/^\w+$/) as unknown });
      }
      expect(activityLines.map((entry) => entry.activityType)).toContain('listSyncableConnections');
    } finally {
      await api?.close();
    }
  });

  it('drains and exits cleanly on SIGTERM', async () => {
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
