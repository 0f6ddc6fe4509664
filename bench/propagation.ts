/**
 * Propagation latency (issue 5): from an admin's decision sent to the API to the worker's socket receiving the new
 * status, at 1, 10 and 50 decisions per second, on real components: Temporal dev server, PostgreSQL (scratch
 * database), the API (HTTP + Socket.IO + outbox relay) and a Temporal worker in this process, the payout-rail
 * simulator. In the same run, the floor: a bare Workflow Update round trip to the same running workflows (an Update
 * the validator refuses: client → Temporal → worker → client, no activity, no database).
 *
 *   node --import tsx bench/propagation.ts [seconds=5]
 *
 * Latency is measured from the moment the decision request leaves the admin's client (so it includes the HTTP
 * call, the Update, the decision's record, the approval's transaction, the relay and Socket.IO), to the moment the
 * worker's socket receives `approved`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import Fastify from 'fastify';
import { authenticator } from 'otplib';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { bundleWorkflows, createGigbitWorker } from '../activities/create-worker';
import gigbitApp, { fastifyOptions } from '../api/app';
import { loadConfig } from '../api/config';
import { createIdentityRepository } from '../api/db/identity.repository';
import { createLedgerRepository } from '../api/db/ledger.repository';
import type { EventEnvelope } from '../api/realtime/event-catalogue';
import { hashPassword } from '../api/security/password-hash';
import { adminAuthSettings } from '../api/services/admin-auth.service';
import { createLedgerService } from '../api/services/ledger.service';
import { createTemporalClient } from '../api/temporal/client';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { startDevServer } from '../scripts/temporal-dev-server';
import { startPayoutRailSimulator } from '../simulators/payout-rail';
import { decideRequestUpdate, withdrawalWorkflowId } from '../workflows/contracts';
import { inParallel, range, withScratchDatabase } from './scratch-database';

const [seconds = 5] = process.argv.slice(2).map(Number);
const RATES = [1, 10, 50];

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const cli = ensureTemporalCli();
  const devServer = await startDevServer({ cli, port: 17233 + Math.floor(Math.random() * 1000) });
  const rail = await startPayoutRailSimulator({ webhookUrl: 'http://127.0.0.1:1/', webhookSecret: 'x'.repeat(32) });
  const total = RATES.reduce((sum, rate) => sum + rate * seconds, 0);
  try {
    await withScratchDatabase('propagation', 20, async (db, databaseUrl) => {
      const config = loadConfig({
        NODE_ENV: 'development',
        LOG_LEVEL: 'silent',
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_MAX: '20',
        TEMPORAL_ADDRESS: devServer.address,
        TEMPORAL_TASK_QUEUE: `bench-${randomUUID()}`,
        ACCESS_TOKEN_SECRET: randomBytes(32).toString('hex'),
        PAYOUT_RAIL_WEBHOOK_SECRET: 'x'.repeat(32),
        DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        PAYOUT_RAIL_URL: rail.url,
        PAYOUT_STATUS_POLL_MS: '200',
        RATE_LIMIT_SIGN_IN_PER_IP: '1000000',
        RATE_LIMIT_MONEY_PER_MINUTE: '1000000',
        SIGN_IN_CODE_SENDS_PER_HOUR: '1000',
        SIGN_IN_CODE_RESEND_SECONDS: '0',
        UPLOAD_DIR: `/tmp/gigbit-bench-${process.pid}`,
      });
      const temporal = createTemporalClient(config);
      const app = Fastify(fastifyOptions(config));
      await app.register(gigbitApp, { config, db, temporal: temporal.client });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      rail.setWebhookUrl(`${url}/v1/webhooks/payout-rail`);
      const connection = await NativeConnection.connect({ address: devServer.address });
      const worker = await createGigbitWorker({ config, db, connection, workflowBundle: await bundleWorkflows() });
      const running = worker.run();

      // Set-up (not timed): riders with money and a Trio (two withdrawals a day each), each with a socket.
      const ledger = createLedgerService({ db, ledger: createLedgerRepository(db) });
      const riders = Math.ceil(total / 2);
      const arrivals = new Map<string, number>();
      const sockets: Socket[] = [];
      const pending: string[] = [];
      await inParallel(range(riders), 8, async (i) => {
        const phone = `+9171${String(i).padStart(8, '0')}`;
        await app.inject({ method: 'POST', url: '/v1/auth/codes', payload: { phone } });
        const mailbox = (await app.inject({ method: 'GET', url: '/v1/dev/mailbox' })).json<{
          messages: Array<{ to: string; text: string }>;
        }>();
        const code = /(\d{6})/.exec(mailbox.messages.filter((m) => m.to === phone).at(-1)!.text)![1];
        const signedIn = (
          await app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { phone, code } })
        ).json<{ accessToken: string; subjectId: string }>();
        const auth = { authorization: `Bearer ${signedIn.accessToken}` };
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
          headers: { ...auth, 'idempotency-key': `bench-plan-${i}` },
        });
        const socket = connectSocket(url, {
          auth: { token: signedIn.accessToken },
          transports: ['websocket'],
          reconnection: false,
        });
        socket.on('withdrawal.status_changed', (e: EventEnvelope) => {
          if (e.data.status === 'approved') arrivals.set(e.data.withdrawalId as string, performance.now());
        });
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        sockets.push(socket);
        for (const n of [0, 1]) {
          const created = await app.inject({
            method: 'POST',
            url: '/v1/withdrawals',
            headers: { ...auth, 'idempotency-key': `bench-w-${i}-${n}` },
            payload: { amountPaise: 600_000 },
          });
          pending.push(created.json<{ id: string }>().id);
        }
      });

      const identities = createIdentityRepository(db);
      const password = randomBytes(12).toString('base64url');
      const totpSecret = authenticator.generateSecret(20);
      await identities.createAdmin({
        username: 'bench.admin',
        role: 'approver',
        passwordHash: await hashPassword(password, config.PASSWORD_HASH_LOG2_COST),
        totpSecretEncrypted: adminAuthSettings(config).totpBox.seal(totpSecret),
      });
      const challenge = (
        await app.inject({
          method: 'POST',
          url: '/v1/admin/auth/sign-in',
          payload: { username: 'bench.admin', password },
        })
      ).json<{ challengeToken: string }>().challengeToken;
      const adminToken = (
        await app.inject({
          method: 'POST',
          url: '/v1/admin/auth/second-factor',
          payload: { challengeToken: challenge, code: authenticator.generate(totpSecret) },
        })
      ).json<{ accessToken: string }>().accessToken;

      // The floor first, on workflows still waiting: an Update refused by the validator (a reject without reason).
      const floorSamples: number[] = [];
      for (const id of pending.slice(0, 100)) {
        const started = performance.now();
        await temporal.client.workflow
          .getHandle(withdrawalWorkflowId(id))
          .executeUpdate(decideRequestUpdate, {
            args: [{ decision: 'reject', adminId: randomUUID(), adminRole: 'approver' }],
          })
          .catch(() => undefined);
        floorSamples.push(performance.now() - started);
      }

      console.log(
        `propagation benchmark: decision sent → worker socket receives "approved" (${riders} riders connected, ${seconds} s per rate)`,
      );
      console.log(
        `floor: bare Workflow Update round trip (validator refusal), 100 sequential: p50 ${percentile(floorSamples, 50).toFixed(1)} ms, p99 ${percentile(floorSamples, 99).toFixed(1)} ms`,
      );
      let next = 0;
      for (const rate of RATES) {
        const ids = pending.slice(next, next + rate * seconds);
        next += ids.length;
        const sentAt = new Map<string, number>();
        const httpMs: number[] = [];
        const started = performance.now();
        await Promise.all(
          ids.map(async (id, i) => {
            const due = started + (i * 1000) / rate;
            await sleep(Math.max(0, due - performance.now()));
            sentAt.set(id, performance.now());
            const response = await fetch(`${url}/v1/admin/requests/${id}/decision`, {
              method: 'POST',
              headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
              body: JSON.stringify({ decision: 'approve' }),
            });
            if (response.status !== 200) throw new Error(`decision ${id}: ${response.status} ${await response.text()}`);
            httpMs.push(performance.now() - sentAt.get(id)!);
          }),
        );
        const deadline = performance.now() + 30_000;
        while (ids.some((id) => !arrivals.has(id)) && performance.now() < deadline) await sleep(20);
        const latencies = ids.filter((id) => arrivals.has(id)).map((id) => arrivals.get(id)! - sentAt.get(id)!);
        const p50 = percentile(latencies, 50);
        const p99 = percentile(latencies, 99);
        console.log(
          `${String(rate).padStart(2)} decisions/s × ${seconds} s: ${latencies.length}/${ids.length} delivered; ` +
            `propagation p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; decision HTTP p50 ${percentile(httpMs, 50).toFixed(1)} ms; ` +
            `p99 / floor p50 = ${(p99 / percentile(floorSamples, 50)).toFixed(1)}×`,
        );
      }

      sockets.forEach((s) => s.disconnect());
      worker.shutdown();
      await running;
      await connection.close();
      await app.close();
      await temporal.close();
    });
  } finally {
    await rail.close();
    await devServer.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
