/**
 * Withdrawal pipeline throughput (issue 9): request → automatic approval → payout at the rail → posting → the
 * worker's socket receives `paid`, per second, on the full Temporal server on PostgreSQL and on the dev server
 * (SQLite file, as `npm start` runs it). In the same run on each server, the floor: a bare workflow with the same
 * number of activities (4, each a no-op; bench/pipeline-floor.workflows.ts) started and awaited by a client.
 *
 *   node --import tsx bench/pipeline.ts [withdrawals=120] [concurrency=12]
 *
 * Everything runs on this machine: the Temporal server, PostgreSQL, the API (HTTP, Socket.IO, outbox relay) and a
 * Temporal worker in this process, the payout-rail simulator (settling 50 ms after a payout, then its webhook). A withdrawal counts when its `paid` event reaches the socket; set-up (riders, money, plans) is not timed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import Fastify from 'fastify';
import pg from 'pg';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { bundleWorkflows, createGigbitWorker } from '../activities/create-worker';
import gigbitApp, { fastifyOptions } from '../api/app';
import { loadConfig } from '../api/config';
import { createLedgerRepository } from '../api/db/ledger.repository';
import type { EventEnvelope } from '../api/realtime/event-catalogue';
import { createLedgerService } from '../api/services/ledger.service';
import { createTemporalClient } from '../api/temporal/client';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { startDevServer } from '../scripts/temporal-dev-server';
import { ensureTemporalServer, startTemporalServer } from '../scripts/temporal-server';
import { startPayoutRailSimulator, type PayoutRailSimulator } from '../simulators/payout-rail';
import type { floorWorkflow } from './pipeline-floor.workflows';
import { inParallel, range, serverUrl, withScratchDatabase } from './scratch-database';

const [withdrawals = 120, concurrency = 12] = process.argv.slice(2).map(Number);
const WARM_UP = 6;
/**
 * The rail settles this long after accepting a payout, as a real rail would not settle at once (a webhook that beats
 * the payout activity's return is remembered by the workflow since the early-settlement-hint patch).
 */
const RAIL_DELAY_MS = 50;
const RAIL_SECRET = randomBytes(32).toString('hex');

interface Figures {
  server: string;
  pipelinePerSecond: number;
  floorPerSecond: number;
}

async function measure(
  server: string,
  address: string,
  rail: PayoutRailSimulator,
  bundles: { gigbit: { code: string }; floor: { code: string } },
): Promise<Figures> {
  let figures: Figures | undefined;
  await withScratchDatabase('pipeline', 30, async (db, databaseUrl) => {
    const config = loadConfig({
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: '30',
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: `bench-pipeline-${randomUUID()}`,
      ACCESS_TOKEN_SECRET: randomBytes(32).toString('hex'),
      PAYOUT_RAIL_WEBHOOK_SECRET: RAIL_SECRET,
      DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      PAYOUT_RAIL_URL: rail.url,
      // The webhook settles payouts; the status poll is only the safety net.
      PAYOUT_STATUS_POLL_MS: '2000',
      RATE_LIMIT_SIGN_IN_PER_IP: '1000000',
      RATE_LIMIT_MONEY_PER_MINUTE: '1000000',
      SIGN_IN_CODE_SENDS_PER_HOUR: '1000',
      SIGN_IN_CODE_RESEND_SECONDS: '0',
      UPLOAD_DIR: path.join(os.tmpdir(), `gigbit-bench-${process.pid}`),
    });
    const temporal = createTemporalClient(config);
    const app = Fastify(fastifyOptions(config));
    await app.register(gigbitApp, { config, db, temporal: temporal.client });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    rail.setWebhookUrl(`${url}/v1/webhooks/payout-rail`);

    const connection = await NativeConnection.connect({ address });
    const worker = await createGigbitWorker({ config, db, connection, workflowBundle: bundles.gigbit });
    const floorQueue = `bench-floor-${randomUUID()}`;
    const floorWorker = await Worker.create({
      connection,
      taskQueue: floorQueue,
      workflowBundle: bundles.floor,
      activities: { step: (n: number) => Promise.resolve(n) },
    });
    const running = [worker.run(), floorWorker.run()];
    const floorClient = new Client({ connection: await Connection.connect({ address }) });

    // Set-up, not timed: riders with money and a Trio plan (two withdrawals a day each), each with a socket.
    const ledger = createLedgerService({ db, ledger: createLedgerRepository(db) });
    const total = withdrawals + WARM_UP;
    const riders: Array<{ token: string; socket: Socket }> = [];
    const paid = new Map<string, () => void>();
    const paidEarly = new Set<string>();
    await inParallel(range(Math.ceil(total / 2)), 6, async (i) => {
      const phone = `+9172${String(i).padStart(8, '0')}`;
      await app.inject({ method: 'POST', url: '/v1/auth/codes', payload: { phone } });
      const mailbox = (await app.inject({ method: 'GET', url: '/v1/dev/mailbox' })).json<{
        messages: Array<{ to: string; text: string }>;
      }>();
      const code = /(\d{6})/.exec(mailbox.messages.filter((m) => m.to === phone).at(-1)!.text)![1];
      const signedIn = (await app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { phone, code } })).json<{
        accessToken: string;
        subjectId: string;
      }>();
      const wallet = await ledger.walletOf(signedIn.subjectId);
      const settlement = await ledger.platformSettlementOf(randomUUID());
      await ledger.postJournal({
        idempotencyKey: `bench-fund-${i}`,
        kind: 'earning',
        postings: [
          { accountId: settlement.id, amountPaise: -5_000_000 },
          { accountId: wallet.id, amountPaise: 5_000_000 },
        ],
      });
      await app.inject({
        method: 'POST',
        url: '/v1/plans/trio/purchases',
        headers: { authorization: `Bearer ${signedIn.accessToken}`, 'idempotency-key': `bench-plan-${i}` },
      });
      const socket = connectSocket(url, {
        auth: { token: signedIn.accessToken },
        transports: ['websocket'],
        reconnection: false,
      });
      socket.on('withdrawal.status_changed', (e: EventEnvelope) => {
        if (e.data.status !== 'paid') return;
        const id = e.data.withdrawalId as string;
        const done = paid.get(id);
        if (done) done();
        else paidEarly.add(id);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      riders.push({ token: signedIn.accessToken, socket }, { token: signedIn.accessToken, socket });
    });

    // One withdrawal below the automatic-approval threshold, from its HTTP request to its `paid` on the socket.
    const pipeline = async (n: number) => {
      const response = await fetch(`${url}/v1/withdrawals`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${riders[n]!.token}`,
          'content-type': 'application/json',
          'idempotency-key': `bench-w-${n}`,
        },
        body: JSON.stringify({ amountPaise: 300_000 }),
      });
      if (response.status !== 201) throw new Error(`withdrawal ${n}: ${response.status} ${await response.text()}`);
      const { id } = (await response.json()) as { id: string };
      if (paidEarly.has(id)) return;
      await new Promise<void>((resolve) => paid.set(id, resolve));
    };
    const floor = (n: number) =>
      floorClient.workflow.execute<typeof floorWorkflow>('floorWorkflow', {
        taskQueue: floorQueue,
        workflowId: `bench-floor-${floorQueue}-${n}`,
      });

    // Warm both paths (bundles loaded, connections and caches filled), then time them one after the other.
    await inParallel(range(WARM_UP), WARM_UP, (n) => Promise.all([pipeline(n), floor(n)]));
    const floorMs = await inParallel(range(withdrawals), concurrency, (n) => floor(WARM_UP + n));
    const pipelineMs = await inParallel(range(withdrawals), concurrency, (n) => pipeline(WARM_UP + n));
    figures = {
      server,
      pipelinePerSecond: withdrawals / (pipelineMs / 1000),
      floorPerSecond: withdrawals / (floorMs / 1000),
    };

    riders.forEach((r) => r.socket.disconnect());
    worker.shutdown();
    floorWorker.shutdown();
    await Promise.all(running);
    await floorClient.connection.close();
    await connection.close();
    await app.close();
    await temporal.close();
  });
  return figures!;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const say = (line: string) => console.error(`[bench] ${line}`);
  const cli = ensureTemporalCli(say);
  const binaries = ensureTemporalServer(say);
  const rail = await startPayoutRailSimulator({
    webhookUrl: 'http://127.0.0.1:1/',
    webhookSecret: RAIL_SECRET,
    behaviour: { delayMs: RAIL_DELAY_MS },
  });
  const [gigbit, floor] = await Promise.all([
    bundleWorkflows() as Promise<{ code: string }>,
    bundleWorkflowCode({
      workflowsPath: require.resolve('./pipeline-floor.workflows'),
      logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
    }),
  ]);
  const bundles = { gigbit, floor };
  const results: Figures[] = [];
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'gigbit-bench-pipeline-'));
  const temporalDatabases = [`gigbit_bench_temporal_${process.pid}`, `gigbit_bench_visibility_${process.pid}`];
  try {
    say('full Temporal server on PostgreSQL: schema, start…');
    const full = await startTemporalServer({
      binaries,
      cli,
      port: 21_000 + (process.pid % 200) * 50,
      postgresUrl: serverUrl,
      database: temporalDatabases[0]!,
      visibilityDatabase: temporalDatabases[1]!,
      configDir: path.join(scratch, 'server'),
      namespaces: ['default'],
    });
    try {
      say(`measuring (${withdrawals} withdrawals and ${withdrawals} floor workflows, ${concurrency} in flight)…`);
      results.push(await measure('full server 1.29.1, PostgreSQL 15', full.address, rail, bundles));
    } finally {
      await full.stop();
    }
    say('dev server (SQLite file, WAL): start…');
    const dev = await startDevServer({
      cli,
      port: 22_000 + (process.pid % 200) * 50,
      dbFile: path.join(scratch, 'temporal.sqlite'),
    });
    try {
      say('measuring…');
      results.push(await measure('dev server (CLI 1.5.1, SQLite)', dev.address, rail, bundles));
    } finally {
      await dev.stop();
    }
  } finally {
    await rail.close();
    rmSync(scratch, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    for (const name of temporalDatabases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }

  console.log(
    `withdrawal pipeline (request → auto-approve → payout → post → socket "paid"), ${withdrawals} withdrawals, ` +
      `${concurrency} in flight; floor: bare workflow with 4 no-op activities, same count and concurrency`,
  );
  for (const r of results) {
    console.log(
      `${r.server.padEnd(34)} pipeline ${r.pipelinePerSecond.toFixed(1).padStart(6)}/s   floor ` +
        `${r.floorPerSecond.toFixed(1).padStart(6)}/s   pipeline/floor ${(r.pipelinePerSecond / r.floorPerSecond).toFixed(2)}×`,
    );
  }
  if (results.length === 2) {
    console.log(
      `full server / dev server: pipeline ${(results[0]!.pipelinePerSecond / results[1]!.pipelinePerSecond).toFixed(2)}×, ` +
        `floor ${(results[0]!.floorPerSecond / results[1]!.floorPerSecond).toFixed(2)}×`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
