/**
 * `npm run topology`: docker-compose.yml's production-like topology without Docker, on one machine. The full
 * Temporal server on the machine's PostgreSQL with its Web UI (scripts/temporal-server.ts), the machine's Redis for
 * the Socket.IO adapter, then 2 API processes and 2 Temporal worker processes (GIGBIT_API_INSTANCES,
 * GIGBIT_WORKER_INSTANCES) on one database and one task queue, and the simulators `npm start` runs. No leader: every
 * API instance runs the outbox relay (one at a time under an advisory lock) and the recovery sweep; every worker
 * polls the same queue.
 *
 * Tooling settings read here (not in api/config): GIGBIT_API_INSTANCES, GIGBIT_WORKER_INSTANCES,
 * GIGBIT_TEMPORAL_PORT, GIGBIT_TEMPORAL_UI_PORT, TEMPORAL_POSTGRES_URL, GIGBIT_DATA_DIR, PAYOUT_RAIL_PORT,
 * PLATFORM_SIMULATOR_PORT, FCM_SIMULATOR_PORT. DATABASE_URL, REDIS_URL and the secrets come from the environment or
 * .env like any process; secrets missing there are generated once into GIGBIT_DATA_DIR/secrets.json (the file
 * `npm start` uses).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, loadDotEnvFile } from '../api/config';
import { migrateLatest } from './db';
import { ensureTemporalCli } from './temporal-cli';
import {
  ensureTemporalServer,
  ensureTemporalUi,
  startTemporalServer,
  startTemporalUi,
  type TemporalServer,
  type TemporalUi,
} from './temporal-server';

const root = path.resolve(__dirname, '..');
const dataDir = path.resolve(root, process.env.GIGBIT_DATA_DIR ?? '.data');
const API_INSTANCES = Number(process.env.GIGBIT_API_INSTANCES ?? 2);
const WORKER_INSTANCES = Number(process.env.GIGBIT_WORKER_INSTANCES ?? 2);
const RAIL_PORT = Number(process.env.PAYOUT_RAIL_PORT ?? 4100);
const PLATFORM_PORT = Number(process.env.PLATFORM_SIMULATOR_PORT ?? 4200);
const FCM_PORT = Number(process.env.FCM_SIMULATOR_PORT ?? 4300);
const startedAt = performance.now();
const say = (line: string) => console.log(`[topology] ${line}`);
const SETPRIV = '/usr/bin/setpriv';

/** Same file and shape as `npm start`'s, so both keep one set of local keys and sessions stay valid across them. */
function localSecrets(): Record<string, string> {
  const file = path.join(dataDir, 'secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const secrets = {
    ...stored,
    accessTokenSecret: stored.accessTokenSecret ?? randomBytes(32).toString('hex'),
    dataEncryptionKey: stored.dataEncryptionKey ?? randomBytes(32).toString('hex'),
    payoutRailWebhookSecret: stored.payoutRailWebhookSecret ?? randomBytes(32).toString('hex'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const client = new pg.Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  loadDotEnvFile(path.join(root, '.env'));
  mkdirSync(dataDir, { recursive: true });
  const secrets = localSecrets();
  const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' };
  env.ACCESS_TOKEN_SECRET ??= secrets.accessTokenSecret;
  env.DATA_ENCRYPTION_KEY ??= secrets.dataEncryptionKey;
  env.PAYOUT_RAIL_WEBHOOK_SECRET ??= secrets.payoutRailWebhookSecret;
  env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/gigbit_topology';
  env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  const simulateRail = !env.PAYOUT_RAIL_URL;
  env.PAYOUT_RAIL_URL ??= `http://127.0.0.1:${RAIL_PORT}`;
  const simulatePlatforms = !env.PLATFORM_CONNECTOR_URL;
  env.PLATFORM_CONNECTOR_URL ??= `http://127.0.0.1:${PLATFORM_PORT}`;
  const simulateFcm =
    env.NODE_ENV !== 'production' && !env.FCM_EMULATOR_URL && !env.FCM_PROJECT_ID && !env.FCM_SERVICE_ACCOUNT_JSON;
  if (simulateFcm) env.FCM_EMULATOR_URL = `http://127.0.0.1:${FCM_PORT}`;

  let temporal: TemporalServer | undefined;
  let ui: TemporalUi | undefined;
  const children: ChildProcess[] = [];
  let stopping = false;
  async function stopAll(code: number): Promise<never> {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    say('stopping…');
    // Clients first: requests and activities drain while Temporal still answers.
    await Promise.all(children.map((child) => terminate(child)));
    await ui?.stop();
    await temporal?.stop();
    say('stopped');
    process.exit(code);
  }
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    if (!env.TEMPORAL_ADDRESS) {
      const binaries = ensureTemporalServer(say);
      temporal = await startTemporalServer({
        binaries,
        cli: ensureTemporalCli(say),
        port: Number(process.env.GIGBIT_TEMPORAL_PORT ?? 7233),
        postgresUrl: process.env.TEMPORAL_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
        database: 'temporal',
        visibilityDatabase: 'temporal_visibility',
        configDir: path.join(dataDir, 'temporal-server'),
        namespaces: [env.TEMPORAL_NAMESPACE ?? 'default'],
      });
      env.TEMPORAL_ADDRESS = temporal.address;
      say(`Temporal server on PostgreSQL at ${temporal.address}`);
      ui = await startTemporalUi({
        binary: ensureTemporalUi(say),
        port: Number(process.env.GIGBIT_TEMPORAL_UI_PORT ?? 8233),
        temporalAddress: temporal.address,
        namespace: env.TEMPORAL_NAMESPACE ?? 'default',
        configDir: path.join(dataDir, 'temporal-ui'),
      });
      env.TEMPORAL_UI_URL ??= ui.url;
    }
    const config = loadConfig(env);
    await ensureDatabase(config.DATABASE_URL);
    const applied = await migrateLatest(config.DATABASE_URL);
    if (applied.length) say(`migrations applied: ${applied.length}`);

    const apiUrls = Array.from({ length: API_INSTANCES }, (_, i) => `http://127.0.0.1:${config.API_PORT + i}`);
    const processes: Array<[string, string, Record<string, string | undefined>]> = [];
    apiUrls.forEach((_, i) =>
      processes.push([`api ${i + 1}`, 'api/server.ts', { ...env, API_PORT: String(config.API_PORT + i) }]),
    );
    for (let i = 0; i < WORKER_INSTANCES; i++) processes.push([`worker ${i + 1}`, 'activities/worker.ts', env]);
    if (simulateRail) {
      processes.push([
        'payout rail simulator',
        'simulators/payout-rail.ts',
        {
          ...env,
          PAYOUT_RAIL_PORT: String(RAIL_PORT),
          PAYOUT_RAIL_WEBHOOK_URL: `${apiUrls[0]}/v1/webhooks/payout-rail`,
        },
      ]);
    }
    if (simulatePlatforms) {
      processes.push([
        'platform simulator',
        'simulators/platform.ts',
        { ...env, PLATFORM_SIMULATOR_PORT: String(PLATFORM_PORT) },
      ]);
    }
    if (simulateFcm) {
      processes.push(['FCM simulator', 'simulators/fcm-server.ts', { ...env, FCM_SIMULATOR_PORT: String(FCM_PORT) }]);
    }
    for (const [name, entry, childEnv] of processes) {
      // Detached: Ctrl-C reaches this script only, which stops them in order. The parent-death signal (setpriv execs
      // node, so the pid stays the entry's) stops them too if this script is killed outright.
      const command = [process.execPath, '--import', 'tsx', entry];
      const options = { cwd: root, env: childEnv, stdio: 'inherit', detached: true } as const;
      const child = existsSync(SETPRIV)
        ? spawn(SETPRIV, ['--pdeathsig', 'SIGTERM', '--', ...command], options)
        : spawn(command[0]!, command.slice(1), options);
      child.once('exit', (code, signal) => {
        if (!stopping) say(`${name} exited (${signal ?? code}); the other instances keep serving`);
      });
      children.push(child);
    }
    await Promise.all(apiUrls.map((url) => waitForReady(`${url}/readyz`)));
    say(`ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    apiUrls.forEach((url, i) => say(`API ${i + 1}         ${url}`));
    say(
      `workers       ${WORKER_INSTANCES} on task queue "${config.TEMPORAL_TASK_QUEUE}" at ${config.TEMPORAL_ADDRESS}`,
    );
    say(`Socket.IO     Redis adapter on ${config.REDIS_URL} (prefix ${config.REDIS_KEY_PREFIX})`);
    say(`Temporal UI   ${config.TEMPORAL_UI_URL}`);
    say('Ctrl-C stops everything.');
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stopAll(1);
  }
}

async function waitForReady(url: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not report ready within 180 s`);
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

void main();
