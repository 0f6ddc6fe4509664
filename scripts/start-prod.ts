/**
 * `npm run start:prod`: the production build (`npm run build`) on one host: migrations, then the compiled API and
 * Temporal worker as two plain `node` processes (no tsx, no webpack at start-up), NODE_ENV=production, settings from
 * the environment and `.env` in the working directory (the environment wins). Every missing or bad setting is
 * listed before anything starts. SIGINT/SIGTERM stop both gracefully; if one dies, the other is stopped too, so a
 * supervisor (systemd, a container runtime) sees the failure and restarts the pair.
 *
 * For more than one instance, run the two entries on their own (node dist/api/server.js, node
 * dist/activities/worker.js) under the supervisor of your choice: see docs/runbook.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { assertApiConfig, ConfigError, loadConfig, loadDotEnvFile, type Config } from '../api/config';
import { createDb } from '../api/db/knex';

const dist = path.resolve(__dirname, '..');
const entries = { api: path.join(dist, 'api', 'server.js'), worker: path.join(dist, 'activities', 'worker.js') };
const say = (line: string) => console.log(`[start:prod] ${line}`);
/** util-linux; setpriv execs the command, so the child's pid stays the entry's. */
const SETPRIV = '/usr/bin/setpriv';

/** Every problem at once: the schema's (missing secrets, bad URLs) and what only production requires. */
function productionConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(env);
    assertApiConfig(config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (!config && !env.SMTP_URL) problems.push('SMTP_URL: required in production (sign-in codes must be delivered)');
  if (problems.length > 0 || !config) {
    // The schema can report one key twice (missing, and not a string): once per key is enough for a human.
    const byKey = new Map<string, string>();
    for (const problem of problems) {
      const key = problem.split(':')[0]!;
      if (!byKey.has(key)) byKey.set(key, problem);
    }
    throw new ConfigError([
      ...byKey.values(),
      'Set them in the environment or in .env (see .env.example and docs/runbook.md); nothing was started.',
    ]);
  }
  return config;
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // The API drains for up to 10 s and the worker gives activities 10 s: a little more, then no more waiting.
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function main(): Promise<void> {
  for (const entry of Object.values(entries)) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  }
  loadDotEnvFile();
  const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'production' };
  const config = productionConfig(env);
  if (!config.REDIS_URL) say('REDIS_URL is unset: fine for one API instance; several need Redis for socket fan-out');
  if (!config.METRICS_TOKEN && config.METRICS_ENABLED) {
    say('METRICS_TOKEN is unset: /metrics refuses every scrape (401) until it is set');
  }

  const db = createDb(config, 'gigbit-migrate');
  try {
    // Concurrent starts are safe: knex holds a lock table while it migrates.
    const [, applied] = (await db.migrate.latest()) as [number, string[]];
    say(applied.length > 0 ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');
  } finally {
    await db.destroy();
  }

  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(children.map((child) => terminate(child)));
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  for (const [name, entry] of Object.entries(entries)) {
    // Own process group: a terminal's Ctrl-C reaches only this script, which sends each child one SIGTERM (the API
    // takes a second signal as "exit now" and would cut its drain short). The parent-death signal stops a child
    // when this script is killed outright, so no orphan keeps a port.
    const command = [process.execPath, '--enable-source-maps', entry];
    const child = existsSync(SETPRIV)
      ? spawn(SETPRIV, ['--pdeathsig', 'SIGTERM', '--', ...command], { env, stdio: 'inherit', detached: true })
      : spawn(command[0]!, command.slice(1), { env, stdio: 'inherit', detached: true });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      say(`${name} exited (${signal ?? code}); stopping`);
      void stopAll(1);
    });
    children.push(child);
  }
  say(`API on http://${config.HOST}:${config.API_PORT} and a Temporal worker on ${config.TEMPORAL_ADDRESS}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
