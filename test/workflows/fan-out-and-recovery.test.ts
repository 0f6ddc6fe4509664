import { randomUUID } from 'node:crypto';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { EventEnvelope } from '../../api/realtime/event-catalogue';
import { withdrawalWorkflowId } from '../../workflows/contracts';
import { startPayoutRailSimulator, type PayoutRailSimulator } from '../../simulators/payout-rail';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { testEnvironment } from '../helpers/environment';
import {
  bearer,
  postWithdrawal,
  signInAdmin,
  fundWorker,
  signInWorker,
  TEST_RAIL_SECRET,
  startApi,
  startWorker,
  testConfig,
  type ApiInstance,
  type RunningWorker,
} from '../helpers/harness';

describe('two API instances with Redis', () => {
  let database: TestDatabase;
  let a: ApiInstance;
  let b: ApiInstance;
  let worker: RunningWorker;
  let socket: Socket | undefined;
  let rail: PayoutRailSimulator;

  beforeAll(async () => {
    database = await createTestDatabase();
    rail = await startPayoutRailSimulator({ webhookUrl: 'http://127.0.0.1:1/', webhookSecret: TEST_RAIL_SECRET });
    // Both instances share the task queue and a Redis channel prefix of their own (other files use the same Redis).
    const config = testConfig(database, {
      REDIS_URL: testEnvironment().redisUrl,
      REDIS_KEY_PREFIX: `test-${randomUUID()}`,
      PAYOUT_RAIL_URL: rail.url,
    });
    // Only A publishes (B runs no relay), so an event reaching a socket on B can only have come through Redis.
    [a, b] = await Promise.all([
      startApi(config, database, { listen: true }),
      startApi(config, database, { listen: true, background: false }),
    ]);
    // The rail reports to instance B; the decision goes through A: the event must still reach everyone.
    rail.setWebhookUrl(`${b.url}/v1/webhooks/payout-rail`);
    worker = await startWorker(config, database);
  });
  afterAll(async () => {
    socket?.disconnect();
    await Promise.all([a.close(), b.close()]);
    await worker.stop();
    await rail.close();
    await database.drop();
  });

  it('delivers a decision taken through instance A to a worker connected to instance B', async () => {
    const rider = await signInWorker(a.app);
    await fundWorker({ api: a, database }, rider, { earningsPaise: 5_000_000 });
    const admin = await signInAdmin(a.app);
    socket = connectSocket(b.url, { auth: { token: rider.token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket!.once('connect', resolve);
      socket!.once('connect_error', reject);
    });
    const received: EventEnvelope[] = [];
    socket.on('withdrawal.status_changed', (e: EventEnvelope) => received.push(e));

    const created = await postWithdrawal(a.app, rider.token, 'fan-out-key-1', { amountPaise: 650_000 });
    const { id } = created.json<{ id: string }>();
    const decided = await a.app.inject({
      method: 'POST',
      url: `/v1/admin/withdrawals/${id}/decision`,
      headers: bearer(admin.token),
      payload: { decision: 'approve' },
    });
    expect(decided.statusCode).toBe(200);

    const deadline = Date.now() + 10_000;
    while (!received.some((e) => e.data.status === 'paid') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // Each event once, in publication order.
    expect(received.map((e) => e.data.status)).toEqual(['pending_approval', 'approved', 'paying', 'paid']);
    const seqs = received.map((e) => e.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(new Set(received.map((e) => e.eventId)).size).toBe(received.length);
  });
});

describe('Temporal unreachable when a withdrawal is requested', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('answers 503 without losing the request, and a retry with the same key starts its workflow', async () => {
    const down = await startApi(testConfig(database, { TEMPORAL_ADDRESS: '127.0.0.1:1' }), database);
    const up = await startApi(testConfig(database), database);
    try {
      const rider = await signInWorker(up.app);
      await fundWorker({ api: up, database }, rider, { earningsPaise: 5_000_000 });
      const request = (api: ApiInstance) =>
        postWithdrawal(api.app, rider.token, 'outage-key-01', { amountPaise: 210_000 });

      const failed = await request(down);
      expect(failed.statusCode).toBe(503);
      expect(failed.json()).toMatchObject({
        error: { code: 'DEPENDENCY_UNAVAILABLE', details: { withdrawalId: expect.any(String) } },
      });
      const { withdrawalId } = failed.json<{ error: { details: { withdrawalId: string } } }>().error.details;

      const retried = await request(up);
      expect(retried.statusCode).toBe(200);
      expect(retried.json()).toMatchObject({ id: withdrawalId, status: 'pending_approval' });
      const description = await up.temporal.workflow.getHandle(withdrawalWorkflowId(withdrawalId)).describe();
      expect(description.status.name).toBe('RUNNING');
      expect(await database.db('withdrawals').count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
    } finally {
      await Promise.all([down.close(), up.close()]);
    }
  });

  it('a request whose client never retries is started by the recovery sweep once Temporal is back', async () => {
    const down = await startApi(testConfig(database, { TEMPORAL_ADDRESS: '127.0.0.1:1' }), database);
    const rider = await signInWorker(down.app);
    await fundWorker({ api: down, database }, rider, { earningsPaise: 5_000_000 });
    const failed = await postWithdrawal(down.app, rider.token, 'orphan-key-01', { amountPaise: 230_000 });
    expect(failed.statusCode).toBe(503);
    const { withdrawalId } = failed.json<{ error: { details: { withdrawalId: string } } }>().error.details;
    await down.close();
    expect(await database.db('requests').where({ id: withdrawalId }).first('workflow_started_at')).toEqual({
      workflow_started_at: null,
    });

    // An API instance with Temporal reachable finds it on its own and starts it; the request then completes.
    const rail = await startPayoutRailSimulator({ webhookUrl: 'http://127.0.0.1:1/', webhookSecret: TEST_RAIL_SECRET });
    const config = testConfig(database, {
      REQUEST_RECOVERY_INTERVAL_MS: '200',
      REQUEST_START_GRACE_MS: '0',
      PAYOUT_RAIL_URL: rail.url,
    });
    const up = await startApi(config, database);
    const worker = await startWorker(config, database);
    try {
      const handle = up.temporal.workflow.getHandle(withdrawalWorkflowId(withdrawalId));
      const deadline = Date.now() + 10_000;
      for (;;) {
        const started = await handle.describe().then(
          () => true,
          () => false,
        );
        if (started) break;
        if (Date.now() > deadline) throw new Error('the recovery sweep did not start the workflow');
        await new Promise((r) => setTimeout(r, 100));
      }
      await expect(handle.result()).resolves.toMatchObject({ status: 'paid' });
      expect(await database.db('requests').where({ id: withdrawalId }).first('workflow_started_at')).toEqual({
        workflow_started_at: expect.any(Date),
      });
    } finally {
      await worker.stop();
      await up.close();
      await rail.close();
    }
  });
});
