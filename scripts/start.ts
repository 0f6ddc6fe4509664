/**
 * `npm start`: the whole platform on one machine on embedded defaults. Temporal dev server with its Web UI (unless
 * TEMPORAL_ADDRESS is set), embedded PostgreSQL (unless DATABASE_URL is set), migrations, the API and the Temporal
 * worker. Ctrl-C stops everything in order; data lives in .data/ and is found again on the next start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import { loadConfig, loadDotEnvFile } from '../api/config';
import { migrateLatest } from './db';
import { buildFronts } from './fronts';
import { ensureTemporalCli } from './temporal-cli';
import { startDevServer, type DevServer } from './temporal-dev-server';

const root = path.resolve(__dirname, '..');
const dataDir = path.resolve(root, process.env.GIGBIT_DATA_DIR ?? '.data');
const startedAt = performance.now();
const RAIL_PORT = Number(process.env.PAYOUT_RAIL_PORT ?? 4100);
const PLATFORM_PORT = Number(process.env.PLATFORM_SIMULATOR_PORT ?? 4200);
const FCM_PORT = Number(process.env.FCM_SIMULATOR_PORT ?? 4300);
const say = (line: string) => console.log(`[gigbit] ${line}`);

interface LocalSecrets {
  accessTokenSecret: string;
  dataEncryptionKey: string;
  postgresPassword: string;
  payoutRailWebhookSecret: string;
  /** Web Push (the worker PWA): one VAPID key pair per data directory, so browser subscriptions survive restarts. */
  vapidPublicKey: string;
  vapidPrivateKey: string;
}

/** Secrets generated once per data directory, so a fresh machine needs no .env and restarts keep sessions valid. */
function localSecrets(): LocalSecrets {
  const file = path.join(dataDir, 'secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>) : {};
  const secrets: LocalSecrets = {
    accessTokenSecret: stored.accessTokenSecret ?? randomBytes(32).toString('hex'),
    dataEncryptionKey: stored.dataEncryptionKey ?? randomBytes(32).toString('hex'),
    postgresPassword: stored.postgresPassword ?? randomBytes(16).toString('hex'),
    payoutRailWebhookSecret: stored.payoutRailWebhookSecret ?? randomBytes(32).toString('hex'),
    ...(stored.vapidPublicKey && stored.vapidPrivateKey
      ? { vapidPublicKey: stored.vapidPublicKey, vapidPrivateKey: stored.vapidPrivateKey }
      : (({ publicKey, privateKey }) => ({ vapidPublicKey: publicKey, vapidPrivateKey: privateKey }))(
          webpush.generateVAPIDKeys(),
        )),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function main(): Promise<void> {
  loadDotEnvFile(path.join(root, '.env'));
  mkdirSync(dataDir, { recursive: true });
  const secrets = localSecrets();
  const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' };
  env.ACCESS_TOKEN_SECRET ??= secrets.accessTokenSecret;
  env.DATA_ENCRYPTION_KEY ??= secrets.dataEncryptionKey;
  env.PAYOUT_RAIL_WEBHOOK_SECRET ??= secrets.payoutRailWebhookSecret;
  if (!env.VAPID_PUBLIC_KEY && !env.VAPID_PRIVATE_KEY) {
    env.VAPID_PUBLIC_KEY = secrets.vapidPublicKey;
    env.VAPID_PRIVATE_KEY = secrets.vapidPrivateKey;
  }
  env.VAPID_SUBJECT ??= 'mailto:ops@gigbit.local';
  // Without a real rail configured, the simulated bank/UPI rail runs beside the platform.
  const simulateRail = !env.PAYOUT_RAIL_URL;
  env.PAYOUT_RAIL_URL ??= `http://127.0.0.1:${RAIL_PORT}`;
  // Likewise the gig platforms: one simulator serves the whole catalog under /platforms/{slug}.
  const simulatePlatforms = !env.PLATFORM_CONNECTOR_URL;
  env.PLATFORM_CONNECTOR_URL ??= `http://127.0.0.1:${PLATFORM_PORT}`;
  // And push: without a Firebase project, pushes go to the fake FCM server (never in production, where the config
  // refuses an emulator: push is simply off there until FCM is configured).
  const simulateFcm =
    env.NODE_ENV !== 'production' && !env.FCM_EMULATOR_URL && !env.FCM_PROJECT_ID && !env.FCM_SERVICE_ACCOUNT_JSON;
  if (simulateFcm) {
    env.FCM_EMULATOR_URL = `http://127.0.0.1:${FCM_PORT}`;
  }

  let temporal: DevServer | undefined;
  let database: ChildProcess | undefined;
  const children: ChildProcess[] = [];
  let stopping = false;

  async function stopAll(code: number): Promise<never> {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    say('stopping…');
    // Order matters: requests and activities drain while PostgreSQL and Temporal still answer.
    await Promise.all(children.map((child) => terminate(child)));
    await Promise.all([temporal?.stop(), database && terminate(database)]);
    say('stopped');
    process.exit(code);
  }
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    if (!env.TEMPORAL_ADDRESS) {
      const cli = ensureTemporalCli(say);
      temporal = await startDevServer({ cli, port: 7233, uiPort: 8233, dbFile: path.join(dataDir, 'temporal.sqlite') });
      env.TEMPORAL_ADDRESS = temporal.address;
      env.TEMPORAL_UI_URL ??= 'http://127.0.0.1:8233';
      say(`Temporal dev server on ${temporal.address}`);
    }
    if (!env.DATABASE_URL) {
      const options = {
        dataDir: path.join(dataDir, 'postgres'),
        port: Number(env.GIGBIT_EMBEDDED_PG_PORT ?? 54329),
        password: secrets.postgresPassword,
        database: 'gigbit',
      };
      database = spawn(process.execPath, ['--import', 'tsx', 'scripts/embedded-postgres.ts', JSON.stringify(options)], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true,
      });
      env.DATABASE_URL = await firstLine(database).then((line) => (JSON.parse(line) as { url: string }).url);
      say(
        `embedded PostgreSQL on 127.0.0.1:${env.GIGBIT_EMBEDDED_PG_PORT ?? 54329} (data in ${path.relative(root, dataDir)}/postgres)`,
      );
    }
    // Fail here, with every problem listed, rather than in two child processes at once.
    const config = loadConfig(env);
    // The ops CLI (`npm run gigbit`) reads this to reach the same embedded database with the same keys.
    const localKeys = ['NODE_ENV', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'ACCESS_TOKEN_SECRET', 'DATA_ENCRYPTION_KEY'];
    writeFileSync(
      path.join(dataDir, 'local.env'),
      [...localKeys, 'PAYOUT_RAIL_WEBHOOK_SECRET'].map((key) => `${key}=${env[key] ?? ''}`).join('\n') + '\n',
      { mode: 0o600 },
    );
    const applied = await migrateLatest(config.DATABASE_URL);
    // The API serves the landing page, admin portal and worker app from their builds: make them current.
    await buildFronts(say).catch((err: unknown) => {
      say(`a front did not build, the API serves the previous build if any: ${(err as Error).message}`);
    });
    if (applied.length) say(`migrations applied: ${applied.length}`);

    const apiUrl = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.API_PORT}`;
    const processes: Array<[string, string, Record<string, string | undefined>]> = [
      ['api', 'api/server.ts', env],
      ['worker', 'activities/worker.ts', env],
    ];
    if (simulateRail) {
      processes.push([
        'payout rail simulator',
        'simulators/payout-rail.ts',
        { ...env, PAYOUT_RAIL_PORT: String(RAIL_PORT), PAYOUT_RAIL_WEBHOOK_URL: `${apiUrl}/v1/webhooks/payout-rail` },
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
      const child = spawn(process.execPath, ['--import', 'tsx', entry], {
        cwd: root,
        env: childEnv,
        stdio: 'inherit',
        detached: true,
      });
      child.once('exit', (code, signal) => {
        if (!stopping) {
          say(`${name} exited unexpectedly (${signal ?? code}); stopping the platform`);
          void stopAll(1);
        }
      });
      children.push(child);
    }

    await waitForReady(`${apiUrl}/readyz`);
    say(`ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    say(`Landing page  ${apiUrl}/`);
    say(`Admin portal  ${apiUrl}/admin/`);
    say(`Worker app    ${apiUrl}/app/`);
    say(`API           ${apiUrl}`);
    say(`OpenAPI UI    ${apiUrl}/docs`);
    say(`Temporal UI   ${config.TEMPORAL_UI_URL}`);
    if (simulateRail) {
      say(`Payout rail   ${config.PAYOUT_RAIL_URL} (simulator; POST /control to make payouts fail or lag)`);
    }
    if (simulatePlatforms) {
      say(`Platforms     ${config.PLATFORM_CONNECTOR_URL}/platforms/{slug} (simulator; codes at …/dev/otp/{phone})`);
    }
    if (simulateFcm) {
      say(`Push (FCM)    ${env.FCM_EMULATOR_URL} (fake FCM server; pushes sent are listed at /messages)`);
    }
    say('Ctrl-C stops everything.');
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stopAll(1);
  }
}

/** The embedded database host prints its URL as one JSON line once PostgreSQL accepts connections. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline >= 0) resolve(buffered.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited during start-up (${code})`)));
  });
}

async function waitForReady(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not report ready within 120 s`);
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
