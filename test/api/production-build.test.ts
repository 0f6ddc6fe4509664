import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { FRONTS } from '../../scripts/fronts';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { baseProcessEnv, testEnvironment } from '../helpers/environment';
import { bearer, TEST_DATA_KEY, TEST_RAIL_SECRET, TEST_SECRET } from '../helpers/harness';
import { waitFor, type Run } from '../helpers/processes';
import { freePort } from '../global-setup';

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);
const METRICS_TOKEN = 'production-build-metrics-token';

/**
 * The production dependencies alone (`npm ci --omit=dev`, as the Dockerfile's `npm prune` leaves them), so a
 * compiled file that needs a development package (tsx, vite, typescript…) fails here and not in the image.
 */
const productionModules = path.join(mkdtempSync(path.join(os.tmpdir(), 'gigbit-prod-deps-')), 'node_modules');

/** A compiled entry as `npm run start:prod` runs it: plain node, no tsx. */
function runCompiled(entry: string, env: Record<string, string>, cwd = root): Run {
  const child = spawn(process.execPath, [entry], {
    cwd,
    // Its own process group, as in a terminal: Ctrl-C is a SIGINT to the whole group.
    detached: true,
    // The build sits in a temporary folder, outside the checkout: its requires find node_modules this way.
    env: { ...baseProcessEnv(), NODE_PATH: productionModules, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/**
 * `npm run build` then `npm run start:prod`: the compiled server, the prebundled workflows and the built fronts,
 * started against a test database and the test Temporal server, serving real requests.
 */
describe('production build', () => {
  const outDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'gigbit-build-')), 'dist');
  let database: TestDatabase;
  let smtp: ChildProcess;
  let mail: { smtpPort: number; httpPort: number };
  let prod: Run | undefined;

  beforeAll(async () => {
    const dependencies = path.dirname(productionModules);
    for (const file of ['package.json', 'package-lock.json']) {
      copyFileSync(path.join(root, file), path.join(dependencies, file));
    }
    // From npm's cache, which the checkout's own install filled.
    await run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: dependencies,
      env: { ...baseProcessEnv() },
      timeout: 180_000,
    });
    database = await createTestDatabase();
    smtp = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'simulators/smtp-server.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    mail = await new Promise((resolve, reject) => {
      smtp.stdout!.once('data', (chunk: Buffer) =>
        resolve(JSON.parse(chunk.toString().split('\n')[0]!) as typeof mail),
      );
      smtp.once('exit', (code) => reject(new Error(`SMTP server exited with ${code}`)));
    });
  }, 200_000);
  afterAll(async () => {
    if (prod && prod.child.exitCode === null) {
      prod.child.kill('SIGTERM');
      await prod.exited;
    }
    smtp.kill('SIGTERM');
    await database.drop();
    rmSync(path.dirname(productionModules), { recursive: true, force: true });
  });

  it('emits compiled JavaScript and the workflow bundle', async () => {
    // Without rebuilding the fronts: Vite empties admin-web/dist and worker-app/dist first, and the browser tests
    // running beside this file serve them (the suite's set-up already built them with the same scripts/fronts.ts).
    const { stdout } = await run('npm', ['run', 'build', '--', '--out-dir', outDir, '--skip-fronts'], {
      cwd: root,
      env: { ...baseProcessEnv() },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/\[build\] done in/);
    for (const entry of ['api/server.js', 'activities/worker.js', 'scripts/start-prod.js', 'scripts/gigbit.js']) {
      expect(existsSync(path.join(outDir, entry))).toBe(true);
    }
    const sources = readdirSync(path.join(root, 'migrations')).filter((f) => f.endsWith('.ts'));
    const compiled = readdirSync(path.join(outDir, 'migrations')).filter((f) => f.endsWith('.js'));
    expect(compiled.map((f) => f.replace(/\.js$/, ''))).toEqual(sources.map((f) => f.replace(/\.ts$/, '')));
    const bundle = readFileSync(path.join(outDir, 'workflow-bundle.js'), 'utf8');
    expect(bundle).toContain('withdrawalWorkflow');
    expect(existsSync(path.join(outDir, 'test'))).toBe(false);
  }, 120_000);

  it('start:prod runs the compiled API and worker: ready, a code by mail, a sign-in, a workflow run', async () => {
    const port = await freePort();
    const taskQueue = `production-build-${process.pid}`;
    prod = runCompiled(path.join(outDir, 'scripts', 'start-prod.js'), {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ACCESS_TOKEN_SECRET: TEST_SECRET,
      PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
      DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
      SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}`,
      METRICS_TOKEN,
      API_PORT: String(port),
      LOG_LEVEL: 'info',
    });
    const running = prod;
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true,
      '/readyz',
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; start:prod printed:\n${running.output().slice(-3000)}`);
    });
    await waitFor(() => running.output().includes('(prebuilt workflow bundle)'), 'worker polling', 30_000);
    expect(running.output()).not.toMatch(/tsx/);

    // Production: no dev mailbox; the code arrives by SMTP.
    expect((await fetch(`${url}/v1/dev/mailbox?to=x`)).status).toBe(404);
    const email = `prod.${Date.now()}@example.in`;
    const sent = await fetch(`${url}/v1/auth/codes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    expect(sent.status).toBe(202);
    const inbox = (await (await fetch(`http://127.0.0.1:${mail.httpPort}/messages?to=${email}`)).json()) as {
      messages: Array<{ body: string }>;
    };
    const code = /^(\d{6})/.exec(inbox.messages[0]!.body)![1];
    const signedIn = await fetch(`${url}/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, code }),
    });
    expect(signedIn.status).toBe(200);
    const { accessToken } = (await signedIn.json()) as { accessToken: string };

    // A workflow started through the compiled API runs on the compiled worker from the prebuilt bundle.
    const sync = await fetch(`${url}/v1/me/sync`, { method: 'POST', headers: bearer(accessToken) });
    expect(sync.status).toBe(202);
    const { workflowId } = (await sync.json()) as { workflowId: string };
    const connection = await Connection.connect({ address: testEnvironment().temporalAddress });
    try {
      const result = await new Client({ connection }).workflow.getHandle(workflowId).result();
      expect(result).toMatchObject({ accountsTotal: 0, accountsDone: 0, failedAccounts: 0 });
    } finally {
      await connection.close();
    }

    // The API's log line for the start carries the workflow id beside the request id.
    expect(running.output()).toMatch(
      new RegExp(`"reqId":"[^"]+".*"workflowId":"${workflowId}".*"msg":"workflow started"`),
    );

    // The built fronts are served: landing page, portal and worker app.
    for (const [front, page] of [
      ['admin-web', '/'],
      ['admin-web', '/admin/'],
      ['worker-app', '/app/'],
    ] as const) {
      // A front without a Vite config yet is not built (scripts/fronts.ts); every other one must be served.
      if (!FRONTS.includes(front) || !existsSync(path.join(root, front, 'vite.config.mts'))) continue;
      const response = await fetch(`${url}${page}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
    }
    // Production closes /metrics to anyone without the token.
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const metrics = await (await fetch(`${url}/metrics`, { headers: bearer(METRICS_TOKEN) })).text();
    expect(metrics).toMatch(/gigbit_http_request_duration_seconds_count\{[^}]*route="\/v1\/auth\/codes"/);

    // Ctrl-C in a terminal signals the whole foreground group: each process must still get one signal only (the
    // API exits at once, mid-drain, on a second one).
    process.kill(-running.child.pid!, 'SIGINT');
    expect(await running.exited).toBe(0);
    expect(running.output()).not.toMatch(/second SIG/);
    expect(running.output()).toMatch(/"msg":"shutting down"/);
    // Error level only for the one thing production lacks here on purpose: FCM.
    const errors = running
      .output()
      .split('\n')
      .filter((line) => line.includes('"level":50'));
    expect(errors.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'push notifications are OFF: set FCM_PROJECT_ID or FCM_SERVICE_ACCOUNT_JSON',
    ]);
  }, 120_000);

  it('start:prod refuses to start without the production settings, listing each', async () => {
    const bare = runCompiled(path.join(outDir, 'scripts', 'start-prod.js'), {}, os.tmpdir());
    expect(await bare.exited).toBe(1);
    for (const key of ['DATABASE_URL', 'ACCESS_TOKEN_SECRET', 'DATA_ENCRYPTION_KEY', 'SMTP_URL']) {
      expect(bare.output()).toContain(`${key}:`);
    }
    expect(bare.output()).toContain('nothing was started');
    expect(bare.output()).not.toContain('    at ');
  });
});
