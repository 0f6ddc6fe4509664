import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { testEnvironment } from '../helpers/environment';
import { TEST_DATA_KEY, TEST_RAIL_SECRET, TEST_SECRET } from '../helpers/harness';
import { runEntry, waitFor, type Run } from '../helpers/processes';
import { freePort } from '../global-setup';

/**
 * The worker's metrics are the Temporal SDK's own, served by its runtime. Runtime.install happens once per process
 * (and the test harness installs its own), so the worker runs here as the real process entry.
 */
describe('Temporal worker metrics (WORKER_METRICS_ADDRESS)', () => {
  let database: TestDatabase;
  let worker: Run | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await database.drop();
  });

  it('serves the SDK metrics in Prometheus format once the worker polls', async () => {
    const port = await freePort();
    worker = runEntry('activities/worker.ts', {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
      TEMPORAL_TASK_QUEUE: `worker-metrics-test-${process.pid}`,
      ACCESS_TOKEN_SECRET: TEST_SECRET,
      PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
      DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
      LOG_LEVEL: 'info',
    });
    const running = worker;
    // Start-up bundles the workflow code (webpack): slow on a loaded 2-core machine.
    await waitFor(() => running.output().includes("state: 'RUNNING'"), 'worker RUNNING', 90_000).catch((err: Error) => {
      throw new Error(`${err.message}; the worker printed:\n${running.output().slice(-2000)}`);
    });
    expect(running.output()).toContain(`metrics at http://127.0.0.1:${port}/metrics`);
    let body = '';
    await waitFor(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
      body = response?.ok ? await response.text() : '';
      return /^temporal_num_pollers\{/m.test(body);
    }, 'temporal_num_pollers in the scrape');
    expect(body).toMatch(/^# TYPE temporal_\w+ (counter|gauge|histogram)/m);
    expect(body).toMatch(/^temporal_worker_task_slots_available\{[^}]*task_queue="worker-metrics-test-/m);
    expect(body).toMatch(/^temporal_long_request\{[^}]*operation="PollWorkflowTaskQueue"/m);
    expect(body).toMatch(/^temporal_worker_start\{[^}]*\} 1$/m);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  }, 120_000);
});
