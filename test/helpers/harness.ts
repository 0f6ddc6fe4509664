import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import Fastify, { type FastifyInstance } from 'fastify';
import gigbitApp, { fastifyOptions } from '../../api/app';
import { loadConfig, type Config } from '../../api/config';
import { createTemporalClient } from '../../api/temporal/client';
import { createGigbitWorker } from '../../activities/create-worker';
import { startPayoutRailSimulator, type PayoutRailSimulator } from '../../simulators/payout-rail';
import { authenticator } from 'otplib';
import { createIdentityRepository, type AdminRole } from '../../api/db/identity.repository';
import { createLedgerRepository } from '../../api/db/ledger.repository';
import { hashPassword } from '../../api/security/password-hash';
import { adminAuthSettings } from '../../api/services/admin-auth.service';
import { createLedgerService } from '../../api/services/ledger.service';
import { createTestDatabase, type TestDatabase } from './database';
import { testEnvironment } from './environment';
import { closeRedis, createRedis } from '../../api/realtime/redis';

// Fresh per test process: no key material is ever written into the repository (test/unit/secrets-scan.test.ts).
export const TEST_SECRET = randomBytes(32).toString('hex');
export const TEST_RAIL_SECRET = randomBytes(32).toString('hex');
export const TEST_DATA_KEY = randomBytes(32).toString('hex');

export function testConfig(database: TestDatabase, overrides: Record<string, string> = {}): Config {
  const env = testEnvironment();
  return loadConfig({
    // Development mode: sign-in codes are read from the dev mailbox, as a developer would.
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    API_PORT: '0',
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: env.temporalAddress,
    // A task queue of its own keeps parallel test files from running each other's workflows.
    TEMPORAL_TASK_QUEUE: `gigbit-test-${randomUUID()}`,
    ACCESS_TOKEN_SECRET: TEST_SECRET,
    PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
    DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
    // Every test request comes from 127.0.0.1 and the concurrency tests fire 50 requests at once; the limits
    // themselves are tested with their own small values (test/api/identity.test.ts).
    RATE_LIMIT_SIGN_IN_PER_IP: '100000',
    RATE_LIMIT_MONEY_PER_MINUTE: '100000',
    PAYOUT_STATUS_POLL_MS: '200',
    UPLOAD_DIR: mkdtempSync(path.join(os.tmpdir(), 'gigbit-uploads-')),
    OUTBOX_POLL_INTERVAL_MS: '200',
    ...overrides,
  });
}

export interface ApiInstance {
  app: FastifyInstance;
  temporal: Client;
  /** Set when started with listen: true. */
  url: string;
  close(): Promise<void>;
}

export interface StartApiOptions {
  listen?: boolean;
  /** false: no outbox relay, push relay or recovery sweep on this instance (another instance runs them). */
  background?: boolean;
  /** Runs on the bare Fastify instance before the app registers (e.g. to observe every route). */
  beforeRegister?: (app: FastifyInstance) => void;
}

/** What the sign-in helpers need to know about an app they are handed. */
const appContexts = new WeakMap<FastifyInstance, { config: Config; database: TestDatabase }>();

export async function startApi(
  config: Config,
  database: TestDatabase,
  options: StartApiOptions = {},
): Promise<ApiInstance> {
  const temporal = createTemporalClient(config);
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL) : undefined;
  const app = Fastify(fastifyOptions(config));
  options.beforeRegister?.(app);
  await app.register(gigbitApp, {
    config,
    db: database.db,
    temporal: temporal.client,
    redis,
    background: options.background,
  });
  appContexts.set(app, { config, database });
  let url = '';
  if (options.listen) url = await app.listen({ host: '127.0.0.1', port: 0 });
  else await app.ready();
  return {
    app,
    temporal: temporal.client,
    url,
    async close() {
      await app.close();
      await temporal.close();
      if (redis) await closeRedis(redis);
    },
  };
}

let runtimeInstalled = false;

/** Worker state changes are logged at INFO; tests only want warnings. Install once, before the first worker. */
export function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed in this process by an earlier test file: its logger stays.
  }
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/** A real Temporal worker for this test's task queue, with the workflow bundle built once by global-setup. */
export async function startWorker(config: Config, database: TestDatabase): Promise<RunningWorker> {
  quietTemporalRuntime();
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createGigbitWorker({
    config,
    db: database.db,
    connection,
    workflowBundle: { code: readFileSync(testEnvironment().workflowBundlePath, 'utf8') },
  });
  const running = worker.run();
  let stopped: Promise<void> | undefined;
  return {
    worker,
    // Idempotent: a test may stop its worker on purpose before the harness closes.
    stop() {
      stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await connection.close();
      })();
      return stopped;
    },
  };
}

export interface Harness {
  config: Config;
  database: TestDatabase;
  api: ApiInstance;
  worker?: RunningWorker;
  /** A real payout-rail simulator; its webhooks reach the API when the API listens. */
  rail: PayoutRailSimulator;
  close(): Promise<void>;
}

/** Database + API (+ Temporal worker): the whole backend of one test file, on real components. */
export async function createHarness(
  options: StartApiOptions & { worker?: boolean; env?: Record<string, string> } = {},
): Promise<Harness> {
  const database = await createTestDatabase();
  const rail = await startPayoutRailSimulator({
    webhookUrl: 'http://127.0.0.1:1/not-listening',
    webhookSecret: TEST_RAIL_SECRET,
  });
  const config = testConfig(database, { PAYOUT_RAIL_URL: rail.url, ...options.env });
  const api = await startApi(config, database, options);
  if (api.url) rail.setWebhookUrl(`${api.url}/v1/webhooks/payout-rail`);
  const worker = options.worker ? await startWorker(config, database) : undefined;
  return {
    config,
    database,
    api,
    worker,
    rail,
    async close() {
      await api.close();
      await worker?.stop();
      await rail.close();
      await database.drop();
    },
  };
}

let phoneCounter = 0;

/** An Indian mobile number (+91 and 10 digits) no other test process uses. */
export function uniquePhone(): string {
  return `+919${String(process.pid % 1000).padStart(3, '0')}${String(++phoneCounter).padStart(6, '0')}`;
}

/** The newest one-time code the dev mailbox holds for an address or phone number. */
export async function codeFromMailbox(app: FastifyInstance, to: string): Promise<string> {
  const response = await app.inject({ method: 'GET', url: `/v1/dev/mailbox?to=${encodeURIComponent(to)}` });
  const text = response.json<{ messages: Array<{ text: string }> }>().messages[0]?.text ?? '';
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`no sign-in code in the dev mailbox for ${to}: ${response.body}`);
  return code;
}

export interface SignedInWorker {
  token: string;
  workerId: string;
  refreshToken: string;
  phone: string;
}

/** The real one-time-code sign-in: ask for a code, read it from the dev mailbox, sign in. */
export async function signInWorker(app: FastifyInstance, phone = uniquePhone()): Promise<SignedInWorker> {
  const sent = await app.inject({ method: 'POST', url: '/v1/auth/codes', payload: { phone } });
  if (sent.statusCode !== 202) throw new Error(`code request failed: ${sent.body}`);
  const code = await codeFromMailbox(app, phone);
  const response = await app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { phone, code } });
  if (response.statusCode !== 200) throw new Error(`worker sign-in failed: ${response.body}`);
  const body = response.json<{ accessToken: string; subjectId: string; refreshToken: string }>();
  return { token: body.accessToken, workerId: body.subjectId, refreshToken: body.refreshToken, phone };
}

export interface AdminAccount {
  adminId: string;
  username: string;
  password: string;
  totpSecret: string;
}

/** An admin as the CLI or a superadmin would create one: password and authenticator seed. */
export async function createAdminAccount(
  app: FastifyInstance,
  role: AdminRole = 'approver',
  extra: { email?: string; phone?: string } = {},
): Promise<AdminAccount> {
  const context = appContexts.get(app);
  if (!context) throw new Error('createAdminAccount needs an app started by startApi');
  const username = `ops.${randomUUID().slice(0, 8)}`;
  const password = randomBytes(12).toString('base64url');
  const totpSecret = authenticator.generateSecret(20);
  const admin = await createIdentityRepository(context.database.db).createAdmin({
    username,
    role,
    passwordHash: await hashPassword(password, context.config.PASSWORD_HASH_LOG2_COST),
    totpSecretEncrypted: adminAuthSettings(context.config).totpBox.seal(totpSecret),
    ...extra,
  });
  if (!admin) throw new Error('admin creation failed');
  return { adminId: admin.id, username, password, totpSecret };
}

/** The real two-step admin sign-in: password, then the current authenticator code. */
export async function signInAs(
  app: FastifyInstance,
  account: AdminAccount,
): Promise<{ token: string; adminId: string; refreshToken: string }> {
  const first = await app.inject({
    method: 'POST',
    url: '/v1/admin/auth/sign-in',
    payload: { username: account.username, password: account.password },
  });
  if (first.statusCode !== 200) throw new Error(`admin password step failed: ${first.body}`);
  const response = await app.inject({
    method: 'POST',
    url: '/v1/admin/auth/second-factor',
    payload: {
      challengeToken: first.json<{ challengeToken: string }>().challengeToken,
      code: authenticator.generate(account.totpSecret),
    },
  });
  if (response.statusCode !== 200) throw new Error(`admin second factor failed: ${response.body}`);
  const body = response.json<{ accessToken: string; subjectId: string; refreshToken: string }>();
  return { token: body.accessToken, adminId: body.subjectId, refreshToken: body.refreshToken };
}

/** A new admin with the role, signed in through password and TOTP. */
export async function signInAdmin(
  app: FastifyInstance,
  role: AdminRole = 'approver',
): Promise<{ token: string; adminId: string }> {
  return signInAs(app, await createAdminAccount(app, role));
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** POST /v1/withdrawals as a worker; the key and body are the caller's, so bad input can be sent too. */
export function postWithdrawal(
  app: FastifyInstance,
  token: string | undefined,
  key: string | undefined,
  payload: unknown,
) {
  return app.inject({
    method: 'POST',
    url: '/v1/withdrawals',
    headers: { ...(token ? bearer(token) : {}), ...(key ? { 'idempotency-key': key } : {}) },
    payload: payload as Record<string, unknown>,
  });
}

/**
 * Gives a worker money and withdrawals the way production does: earnings credited through the ledger (as a sync
 * would) and plans bought through the API.
 */
export async function fundWorker(
  h: Pick<Harness, 'api' | 'database'>,
  worker: { token: string; workerId: string },
  options: { earningsPaise: number; plans?: Array<'solo' | 'duo' | 'trio'> },
): Promise<void> {
  const ledger = createLedgerService({ db: h.database.db, ledger: createLedgerRepository(h.database.db) });
  const wallet = await ledger.walletOf(worker.workerId);
  const platform = await ledger.platformSettlementOf(randomUUID());
  await ledger.postJournal({
    idempotencyKey: `test-earnings-${randomUUID()}`,
    kind: 'earning',
    postings: [
      { accountId: platform.id, amountPaise: -options.earningsPaise },
      { accountId: wallet.id, amountPaise: options.earningsPaise },
    ],
  });
  for (const plan of options.plans ?? ['trio']) {
    const response = await h.api.app.inject({
      method: 'POST',
      url: `/v1/plans/${plan}/purchases`,
      headers: { ...bearer(worker.token), 'idempotency-key': `fund-${randomUUID()}` },
    });
    if (response.statusCode !== 201) throw new Error(`plan purchase failed: ${response.body}`);
  }
}

/** A signed-in worker with ₹50,000 earned and a Trio plan: money, and two withdrawals today. */
export async function signInFundedWorker(
  h: Pick<Harness, 'api' | 'database'>,
): Promise<{ token: string; workerId: string }> {
  const worker = await signInWorker(h.api.app);
  await fundWorker(h, worker, { earningsPaise: 5_000_000 });
  return worker;
}
