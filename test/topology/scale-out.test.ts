/**
 * Scale-out on the production engine: the full Temporal server on PostgreSQL (built from Go modules by
 * scripts/temporal-server.ts, cached per version), two API instances sharing Redis and one database, two Temporal
 * worker processes on one task queue. A withdrawal that needs approval is requested through API 1 and decided
 * through API 2, the worker sees it on a socket connected to API 1 (which runs no outbox relay, so only Redis can
 * carry the events to it), and the worker process running the payout request is SIGKILLed while the rail holds its
 * answer: the bank has taken the payout, the caller never hears back. The other worker must retry it after the
 * activity's start-to-close timeout, the rail's idempotency must make that retry the same payout, and every status
 * must arrive once, in order.
 *
 * No timing is guessed: the process killed is the one Temporal names as running the activity, at a moment the rail
 * has observed, and every wait is on an observable state.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { EventEnvelope } from '../../api/realtime/event-catalogue';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { ensureTemporalServer, startTemporalServer, type TemporalServer } from '../../scripts/temporal-server';
import { startPayoutRailSimulator, type PayoutRailSimulator } from '../../simulators/payout-rail';
import { withdrawalWorkflowId } from '../../workflows/contracts';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { testEnvironment } from '../helpers/environment';
import {
  fundWorker,
  signInAdmin,
  signInWorker,
  startApi,
  TEST_DATA_KEY,
  TEST_RAIL_SECRET,
  TEST_SECRET,
  testConfig,
  type ApiInstance,
} from '../helpers/harness';
import { runEntry, waitFor, type Run } from '../helpers/processes';

const progress = (line: string) => process.stderr.write(`[scale-out] ${line}\n`);
const NAMESPACE = 'gigbit-scale-out';

describe('scale-out on the full Temporal server on PostgreSQL', () => {
  const suffix = `${testEnvironment().runId}_${randomBytes(3).toString('hex')}`;
  // Named like the test databases, so the global teardown also drops them if this file crashes.
  const temporalDatabases = [`gigbit_t_${suffix}_temporal`, `gigbit_t_${suffix}_visibility`] as const;
  const configDir = mkdtempSync(path.join(os.tmpdir(), 'gigbit-temporal-server-'));
  let server: TemporalServer | undefined;
  let database: TestDatabase | undefined;
  let rail: PayoutRailSimulator | undefined;
  const apis: ApiInstance[] = [];
  const workers: Run[] = [];
  let socket: Socket | undefined;
  let taskQueue = '';

  beforeAll(async () => {
    // The first run on a machine builds the server (about 1.5 min with a warm Go build cache, longer cold).
    const binaries = ensureTemporalServer(progress);
    const cli = ensureTemporalCli(progress);
    for (let attempt = 0; !server; attempt++) {
      // The server takes 9 consecutive ports; another test run may hold some of a random block: try another.
      const port = 20_000 + Math.floor(Math.random() * 250) * 50;
      try {
        progress(`schema in ${temporalDatabases.join(', ')}; starting the server on 127.0.0.1:${port}…`);
        server = await startTemporalServer({
          binaries,
          cli,
          port,
          postgresUrl: testEnvironment().adminDatabaseUrl,
          database: temporalDatabases[0],
          visibilityDatabase: temporalDatabases[1],
          configDir,
          namespaces: [NAMESPACE],
        });
      } catch (err) {
        if (attempt >= 4 || !/port \d+ is in use/.test((err as Error).message)) throw err;
      }
    }
    progress(`Temporal server ready at ${server.address}`);

    database = await createTestDatabase();
    rail = await startPayoutRailSimulator({ webhookUrl: 'http://127.0.0.1:1/', webhookSecret: TEST_RAIL_SECRET });
    const config = testConfig(database, {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      REDIS_URL: testEnvironment().redisUrl,
      // Other test files share this Redis: a channel prefix of our own.
      REDIS_KEY_PREFIX: `scale-out-${randomUUID()}`,
      PAYOUT_RAIL_URL: rail.url,
    });
    taskQueue = config.TEMPORAL_TASK_QUEUE;
    // API 2 runs the outbox relay and the sweep; API 1 serves the socket only, so the events it delivers can only
    // have come through Redis.
    apis.push(
      await startApi(config, database, { listen: true, background: false }),
      await startApi(config, database, { listen: true }),
    );
    rail.setWebhookUrl(`${apis[1]!.url}/v1/webhooks/payout-rail`);

    for (let i = 0; i < 2; i++) {
      workers.push(
        runEntry('activities/worker.ts', {
          NODE_ENV: 'development',
          DATABASE_URL: database.url,
          TEMPORAL_ADDRESS: server.address,
          TEMPORAL_NAMESPACE: NAMESPACE,
          TEMPORAL_TASK_QUEUE: taskQueue,
          PAYOUT_RAIL_URL: rail.url,
          PAYOUT_STATUS_POLL_MS: '200',
          ACCESS_TOKEN_SECRET: TEST_SECRET,
          PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
          DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
          LOG_LEVEL: 'info',
        }),
      );
    }
    progress('2 API instances up; waiting for 2 worker processes (each bundles the workflow code)…');
    for (const worker of workers) {
      await waitFor(() => worker.output().includes('"state":"RUNNING"'), 'worker RUNNING', 180_000).catch(
        (err: Error) => {
          throw new Error(`${err.message}; the worker printed:\n${worker.output().slice(-2000)}`);
        },
      );
    }
    progress('workers polling; running the scenario');
  }, 20 * 60_000);

  afterAll(async () => {
    socket?.disconnect();
    await Promise.all(apis.map((api) => api.close()));
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await rail?.close();
    await server?.stop();
    await database?.drop();
    const admin = new pg.Client({ connectionString: testEnvironment().adminDatabaseUrl });
    await admin.connect();
    try {
      for (const name of temporalDatabases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    rmSync(configDir, { recursive: true, force: true });
  }, 60_000);

  it('requests through API 1, decides through API 2, delivers to a socket on API 1, survives a killed worker', async () => {
    const [api1, api2] = [apis[0]!, apis[1]!];
    const rider = await signInWorker(api1.app);
    await fundWorker({ api: api1, database: database! }, rider, { earningsPaise: 5_000_000 });
    const admin = await signInAdmin(api2.app);

    socket = connectSocket(api1.url, { auth: { token: rider.token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket!.once('connect', resolve);
      socket!.once('connect_error', reject);
    });
    const received: EventEnvelope[] = [];
    socket.on('withdrawal.status_changed', (e: EventEnvelope) => received.push(e));

    // Above the auto-approval threshold (₹5,000): the run waits for an admin.
    const created = await fetch(`${api1.url}/v1/withdrawals`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${rider.token}`,
        'content-type': 'application/json',
        'idempotency-key': `scale-out-${randomUUID()}`,
      },
      body: JSON.stringify({ amountPaise: 650_000 }),
    });
    expect(created.status).toBe(201);
    const { id, status } = (await created.json()) as { id: string; status: string };
    expect(status).toBe('pending_approval');

    // The rail will take the payout at once but hold its answer longer than the activity's start-to-close timeout.
    rail!.setBehaviour({ answerDelayMs: 10 * 60_000 });
    const decided = await fetch(`${api2.url}/v1/admin/withdrawals/${id}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(decided.status).toBe(200);

    // The payout request reached the rail: the activity is running; Temporal names the worker that runs it.
    const handle = api1.temporal.workflow.getHandle(withdrawalWorkflowId(id));
    await waitFor(() => [...rail!.payouts.values()].some((p) => p.reference === id), 'the payout at the rail', 60_000);
    let runner: string | undefined;
    await waitFor(
      async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        runner = pending.find((a) => a.activityType?.name === 'requestPayout')?.lastWorkerIdentity ?? undefined;
        return Boolean(runner);
      },
      'requestPayout pending with its worker',
      30_000,
    );
    const victim = workers.find((w) => runner?.startsWith(`${w.child.pid}@`));
    expect(victim).toBeDefined();
    const survivor = workers.find((w) => w !== victim)!;
    progress(`killing worker ${victim!.child.pid} inside requestPayout; ${survivor.child.pid} remains`);
    victim!.child.kill('SIGKILL');
    await victim!.exited;
    rail!.setBehaviour({ answerDelayMs: 0 });
    const killedAt = Date.now();

    await waitFor(() => received.some((e) => e.data.withdrawalId === id && e.data.status === 'paid'), 'paid', 120_000);
    progress(`paid ${Date.now() - killedAt} ms after the kill (the activity's start-to-close timeout is 30 s)`);
    // Every event of this worker published by some relay, and a beat for a duplicate to arrive if one were sent.
    await waitFor(
      async () =>
        (await database!.db('outbox_events').where({ worker_id: rider.workerId }).whereNull('published_at')).length ===
        0,
      'every event published',
    );
    await new Promise((r) => setTimeout(r, 500));

    const mine = received.filter((e) => e.data.withdrawalId === id);
    expect(mine.map((e) => e.data.status)).toEqual(['pending_approval', 'approved', 'paying', 'paid']);
    const seqs = mine.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(mine.map((e) => e.eventId)).size).toBe(mine.length);

    // The money moved once: one payout at the rail, one posting journal, and the request ends paid everywhere.
    expect([...rail!.payouts.values()].filter((p) => p.reference === id)).toHaveLength(1);
    const journals = await database!.db('ledger_journals').whereRaw(`metadata->>'withdrawalId' = ?`, [id]);
    expect(journals).toHaveLength(1);
    const viaApi2 = await fetch(`${api2.url}/v1/withdrawals/${id}`, {
      headers: { authorization: `Bearer ${rider.token}` },
    });
    expect(((await viaApi2.json()) as { status: string }).status).toBe('paid');
    await expect(handle.result()).resolves.toMatchObject({ status: 'paid' });
    // The survivor did the rest: the payout request's second attempt and the run's later workflow tasks name it.
    const history = (await handle.fetchHistory()).events ?? [];
    const payoutAttempts = history
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'requestPayout')
      .map((scheduled) =>
        history.find(
          (e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.eventId),
        ),
      )
      .map((started) => started?.activityTaskStartedEventAttributes);
    expect(payoutAttempts).toHaveLength(1);
    expect(payoutAttempts[0]).toMatchObject({
      attempt: 2,
      identity: expect.stringMatching(new RegExp(`^${survivor.child.pid}@`)) as unknown,
    });
    const identities = history.map((e) => e.workflowTaskStartedEventAttributes?.identity).filter(Boolean);
    expect(identities.at(-1)).toMatch(new RegExp(`^${survivor.child.pid}@`));
  }, 240_000);
});
