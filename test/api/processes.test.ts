import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { testEnvironment } from '../helpers/environment';
import { TEST_DATA_KEY, TEST_RAIL_SECRET, TEST_SECRET } from '../helpers/harness';
import { runEntry as run, waitFor } from '../helpers/processes';
import { freePort } from '../global-setup';

describe('process entries', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it.each(['api/server.ts', 'activities/worker.ts'])(
    '%s refuses to start on bad configuration, listing every problem',
    async (entry) => {
      const proc = run(entry, { API_PORT: 'eighty', REDIS_URL: 'localhost:6379', ACCESS_TOKEN_SECRET: 'short' });
      expect(await proc.exited).toBe(1);
      const output = proc.output();
      expect(output).toContain('Invalid configuration:');
      for (const key of ['DATABASE_URL', 'API_PORT', 'REDIS_URL', 'ACCESS_TOKEN_SECRET']) {
        expect(output).toContain(`${key}:`);
      }
      expect(output).not.toContain('    at '); // a list for a human, not a stack trace
    },
  );

  it('the API serves, then shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const api = run('api/server.ts', {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
      ACCESS_TOKEN_SECRET: TEST_SECRET,
      PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
      DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
      API_PORT: String(port),
      NODE_ENV: 'development',
    });
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok === true,
      'readyz',
    );
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(api.output()).toContain('"signal":"SIGTERM"');
    expect(api.output()).not.toMatch(/"level":50/); // nothing logged at error level
  });

  it('the Temporal worker polls, then drains and exits cleanly on SIGTERM', async () => {
    const worker = run('activities/worker.ts', {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
      TEMPORAL_TASK_QUEUE: `process-test-${process.pid}`,
      ACCESS_TOKEN_SECRET: TEST_SECRET,
      PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
      DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
      LOG_LEVEL: 'info',
    });
    // Start-up bundles the workflow code (webpack): seconds alone, much longer on a loaded 2-core machine.
    await waitFor(() => worker.output().includes('"state":"RUNNING"'), 'worker RUNNING', 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; the worker printed:\n${worker.output().slice(-2000)}`);
    });
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('"state":"STOPPED"');
  }, 90_000);
});
