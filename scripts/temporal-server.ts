/**
 * The full Temporal server on PostgreSQL, without Docker: the production engine on one machine. Builds
 * `go.temporal.io/server` (the version the pinned CLI embeds) and its SQL schema tool from Go modules into the same
 * per-version cache as the CLI, sets up the `temporal` and `temporal_visibility` schemas in a PostgreSQL server,
 * writes a one-node server config, starts it, registers the namespace and GigBit's search attributes; then the Web
 * UI (ui-server, the version the CLI embeds, built the same way).
 *
 *   npm run temporal:server            frontend on 127.0.0.1:7233 (GIGBIT_TEMPORAL_PORT), schema in the machine's
 *                                      PostgreSQL (TEMPORAL_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432),
 *                                      UI on 127.0.0.1:8233 (GIGBIT_TEMPORAL_UI_PORT)
 *
 * Tooling settings (GIGBIT_TEMPORAL_PORT, GIGBIT_TEMPORAL_UI_PORT, TEMPORAL_POSTGRES_URL, TEMPORAL_NAMESPACE,
 * GIGBIT_DATA_DIR) are read here, not in api/config.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { searchAttributes } from '../workflows/contracts';
import { cacheRoot, ensureTemporalCli } from './temporal-cli';

/** The server the pinned CLI v1.5.1 embeds (`temporal --version` says "Server 1.29.1"): one version everywhere. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = 'go.temporal.io/server';
const SCHEMA = path.join('schema', 'postgresql', 'v12');
/** The same dynamic config docker-compose.yml mounts into the official server image. */
const DYNAMIC_CONFIG = path.resolve(__dirname, '..', 'deploy', 'temporal', 'dynamicconfig.yaml');

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  /** Holds temporal/versioned and visibility/versioned, copied from the module the binaries were built from. */
  schemaDir: string;
}

function findGo(): string {
  for (const candidate of [process.env.GO, whichGo(), '/usr/local/go/bin/go']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error(
    `Go is not available to build the Temporal server ${TEMPORAL_SERVER_VERSION}. Install Go ≥ 1.25 (or use ` +
      'docker-compose.yml, which runs the official images).',
  );
}

function whichGo(): string | undefined {
  return spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).stdout.trim() || undefined;
}

/** Serialises concurrent builds (a test run and `npm run topology` at once) with an atomic mkdir lock. */
function withLock<T>(lockDir: string, fn: () => T): T {
  const staleAfterMs = 20 * 60_000;
  const deadline = Date.now() + staleAfterMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      // A lock older than the longest plausible build was left by a killed process.
      if (existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > staleAfterMs) {
        rmSync(lockDir, { recursive: true, force: true });
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir}`);
      execFileSync('sleep', ['1']);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function binariesIn(dir: string): TemporalServerBinaries {
  return {
    server: path.join(dir, 'temporal-server'),
    sqlTool: path.join(dir, 'temporal-sql-tool'),
    schemaDir: path.join(dir, SCHEMA),
  };
}

function isSuitable(binaries: TemporalServerBinaries): boolean {
  const expected = TEMPORAL_SERVER_VERSION.slice(1);
  const version = (binary: string) =>
    existsSync(binary) ? spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 }).stdout : '';
  return (
    version(binaries.server).includes(`version ${expected}`) &&
    version(binaries.sqlTool).includes(`version ${expected}`) &&
    existsSync(path.join(binaries.schemaDir, 'temporal', 'versioned')) &&
    existsSync(path.join(binaries.schemaDir, 'visibility', 'versioned'))
  );
}

/** Returns the cached server, schema tool and schema files, building them first when missing (minutes, once). */
export function ensureTemporalServer(log: (line: string) => void = console.log): TemporalServerBinaries {
  const cacheDir = path.join(cacheRoot(), 'temporal-server', TEMPORAL_SERVER_VERSION);
  const cached = binariesIn(cacheDir);
  if (isSuitable(cached)) return cached;
  mkdirSync(cacheDir, { recursive: true });
  return withLock(`${cacheDir}.lock`, () => {
    if (isSuitable(cached)) return cached; // another process built it while we waited
    const go = findGo();
    const staging = path.join(cacheDir, `build-${process.pid}`);
    const started = Date.now();
    log(
      `Building the Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool from Go modules into ${cacheDir} ` +
        '(first run only; ~1.5 min with a warm Go build cache, several minutes cold)…',
    );
    try {
      // `go install pkg@version` builds with the module's own go.mod (no replace directives in v1.29.1), outside any
      // module of ours; both commands in one invocation share the compile work.
      const built = spawnSync(
        go,
        [
          'install',
          `${MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
          `${MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
        ],
        { env: { ...process.env, GOBIN: staging, GOFLAGS: '-trimpath' }, stdio: ['ignore', 'inherit', 'inherit'] },
      );
      if (built.status !== 0) throw new Error(`go install of ${MODULE} failed (exit ${built.status ?? built.signal})`);
      // The schema files ship in the module, not in the binaries: take them from the module cache.
      const download = spawnSync(go, ['mod', 'download', '-json', `${MODULE}@${TEMPORAL_SERVER_VERSION}`], {
        encoding: 'utf8',
        env: process.env,
      });
      if (download.status !== 0) throw new Error(`go mod download failed: ${download.stderr}`);
      const { Dir: moduleDir } = JSON.parse(download.stdout) as { Dir: string };
      cpSync(path.join(moduleDir, SCHEMA), path.join(staging, SCHEMA), { recursive: true });
      // Module cache files are read-only; the cache copy must be removable by a later rebuild.
      spawnSync('chmod', ['-R', 'u+w', path.join(staging, 'schema')]);
      rmSync(path.join(cacheDir, 'schema'), { recursive: true, force: true });
      renameSync(path.join(staging, 'schema'), path.join(cacheDir, 'schema'));
      renameSync(path.join(staging, 'server'), cached.server);
      renameSync(path.join(staging, 'sql'), cached.sqlTool);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    log(`Temporal server built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${cached.server}`);
    return cached;
  });
}

export interface SchemaTarget {
  /** Any database URL on the PostgreSQL server, with a role that may create databases. */
  postgresUrl: string;
  database: string;
  visibilityDatabase: string;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Creates the two databases when missing and brings both schemas to the newest version with temporal-sql-tool (its
 * update-schema applies only what the database lacks, so a re-run or an upgrade of the server is the same call).
 */
export async function setupTemporalSchema(binaries: TemporalServerBinaries, target: SchemaTarget): Promise<void> {
  const url = new URL(target.postgresUrl);
  const toolArgs = (database: string) => [
    '--plugin',
    'postgres12',
    '--ep',
    url.hostname,
    '--port',
    url.port || '5432',
    '--user',
    decodeURIComponent(url.username || 'postgres'),
    '--db',
    database,
  ];
  const env = { ...process.env, SQL_PASSWORD: decodeURIComponent(url.password) };
  for (const [database, kind] of [
    [target.database, 'temporal'],
    [target.visibilityDatabase, 'visibility'],
  ] as const) {
    const exists = await withClient(target.postgresUrl, (client) =>
      client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]).then((r) => r.rowCount === 1),
    );
    if (!exists) await withClient(target.postgresUrl, (client) => client.query(`CREATE DATABASE "${database}"`));
    const versioned = await withClient(databaseUrl(target.postgresUrl, database), (client) =>
      client.query("SELECT 1 FROM pg_tables WHERE tablename = 'schema_version'").then((r) => r.rowCount === 1),
    );
    const run = (args: string[]) => {
      const result = spawnSync(binaries.sqlTool, [...toolArgs(database), ...args], { encoding: 'utf8', env });
      if (result.status !== 0) {
        throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed:\n${result.stdout}${result.stderr}`);
      }
    };
    if (!versioned) run(['setup-schema', '-v', '0.0']);
    run(['update-schema', '-d', path.join(binaries.schemaDir, kind, 'versioned')]);
  }
}

export interface TemporalServerOptions extends SchemaTarget {
  binaries: TemporalServerBinaries;
  /** The CLI (for health checks and namespace/search-attribute registration). */
  cli: string;
  /** Frontend gRPC port; the server also takes the next 8 ports (membership, HTTP, history, matching, worker). */
  port: number;
  /** Where the generated server config is written. */
  configDir: string;
  namespaces: string[];
  logFile?: NodeJS.WritableStream;
}

export interface TemporalServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The ports one server takes, from `port` upwards: frontend gRPC first, so its address is `127.0.0.1:port`. */
export function serverPorts(port: number): number[] {
  return Array.from({ length: 9 }, (_, i) => port + i);
}

function writeServerConfig(options: TemporalServerOptions): void {
  const url = new URL(options.postgresUrl);
  const [
    frontend,
    frontendMembership,
    frontendHttp,
    history,
    historyMembership,
    matching,
    matchingMembership,
    worker,
    workerMembership,
  ] = serverPorts(options.port);
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${url.hostname}:${url.port || '5432'}`,
      connectProtocol: 'tcp',
      user: decodeURIComponent(url.username || 'postgres'),
      password: decodeURIComponent(url.password),
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      // Shards bound history throughput and cannot change after the first start; 4 suits one small node.
      numHistoryShards: 4,
      datastores: {
        default: store(options.database, 20),
        visibility: store(options.visibilityDatabase, 10),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: rpc(frontend!, frontendMembership!, { httpPort: frontendHttp }),
      history: rpc(history!, historyMembership!),
      matching: rpc(matching!, matchingMembership!),
      worker: rpc(worker!, workerMembership!),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${frontend}`,
          httpAddress: `127.0.0.1:${frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: DYNAMIC_CONFIG, pollInterval: '10s' },
  };
  mkdirSync(options.configDir, { recursive: true });
  writeFileSync(path.join(options.configDir, 'gigbit.yaml'), stringify(config), { mode: 0o600 });
}

// The SDK names types KEYWORD, INT, …; the CLI wants Keyword, Int, ….
const cliTypeName: Record<string, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

function cli(options: { cli: string }, args: string[]): { ok: boolean; output: string } {
  const result = spawnSync(options.cli, args, { encoding: 'utf8', timeout: 15_000 });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

async function until(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Temporal server: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Registers a namespace (3-day retention) and GigBit's search attributes in it; idempotent. */
export async function registerNamespace(options: { cli: string; address: string }, namespace: string): Promise<void> {
  const base = ['--address', options.address, '--namespace', namespace];
  if (!cli(options, ['operator', 'namespace', 'describe', ...base]).ok) {
    const created = cli(options, ['operator', 'namespace', 'create', ...base, '--retention', '72h']);
    if (!created.ok && !created.output.includes('already')) {
      throw new Error(`namespace create ${namespace}: ${created.output}`);
    }
  }
  // The frontend's namespace cache refreshes on its own period: wait until the namespace answers there.
  await until(`namespace ${namespace}`, 60_000, () => cli(options, ['workflow', 'count', ...base]).ok);
  const wanted = Object.values(searchAttributes);
  const listed = () => cli(options, ['operator', 'search-attribute', 'list', ...base]).output;
  const missing = wanted.filter((key) => !listed().includes(key.name));
  if (missing.length) {
    const created = cli(options, [
      'operator',
      'search-attribute',
      'create',
      ...base,
      ...missing.flatMap((key) => ['--name', key.name, '--type', cliTypeName[key.type]!]),
    ]);
    if (!created.ok) throw new Error(`search-attribute create in ${namespace}: ${created.output}`);
  }
  await until(`search attributes in ${namespace}`, 60_000, () => {
    const list = listed();
    return wanted.every((key) => list.includes(key.name));
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Sets up the schema, starts the server, waits until healthy and registers the namespaces. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  // Temporal stores membership ports in a smallint column: a port above 32767 fails the start (seen in 1.29.1).
  if (options.port < 1024 || options.port + 8 > 32_767) {
    throw new Error(`Temporal server: ports ${options.port}–${options.port + 8} must lie within 1024–32767`);
  }
  // A server already on these ports would answer the health check below in place of ours.
  for (const port of serverPorts(options.port)) {
    if (!(await portIsFree(port))) {
      throw new Error(`Temporal server: port ${port} is in use (ports ${options.port}–${options.port + 8} are needed)`);
    }
  }
  await setupTemporalSchema(options.binaries, options);
  writeServerConfig(options);
  const address = `127.0.0.1:${options.port}`;
  const service = spawnService(
    options.binaries.server,
    ['--root', options.configDir, '--config', '.', '--env', 'gigbit', '--allow-no-auth', 'start'],
    options.logFile,
  );
  try {
    await until('cluster health', 120_000, () => {
      if (service.exited()) throw new Error(`Temporal server exited during start-up:\n${service.output()}`);
      return cli(options, ['operator', 'cluster', 'health', '--address', address]).ok;
    });
    for (const namespace of options.namespaces) await registerNamespace({ cli: options.cli, address }, namespace);
  } catch (err) {
    await service.stop();
    throw err;
  }
  return { address, process: service.process, stop: service.stop };
}

const SETPRIV = '/usr/bin/setpriv';

interface SpawnedService {
  process: ChildProcess;
  output: () => string;
  exited: () => boolean;
  stop: () => Promise<void>;
}

function spawnService(binary: string, args: string[], logFile?: NodeJS.WritableStream): SpawnedService {
  // Its own process group: Ctrl-C in a terminal reaches the caller, which stops the service after its clients. And
  // a parent-death signal (setpriv execs the binary, so the pid stays the service's): a caller killed outright (a
  // test runner, `kill -9`) leaves no server behind on a port and a dropped database.
  const [command, commandArgs] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'SIGTERM', '--', binary, ...args]]
    : [binary, args];
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  if (logFile) {
    child.stdout.pipe(logFile, { end: false });
    child.stderr.pipe(logFile, { end: false });
  }
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  return {
    process: child,
    output: () => output,
    exited: () => exited,
    stop: async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

/** The Web UI the pinned CLI embeds in its dev server (ui-server v2.42.1), as its own server for the full cluster. */
export const TEMPORAL_UI_VERSION = 'v2.42.1';
const UI_MODULE = 'github.com/temporalio/ui-server/v2';

/** Returns the cached Temporal UI server, building it from Go modules first when missing (~30 s warm). */
export function ensureTemporalUi(log: (line: string) => void = console.log): string {
  const cacheDir = path.join(cacheRoot(), 'temporal-ui', TEMPORAL_UI_VERSION);
  const binary = path.join(cacheDir, 'temporal-ui');
  const suitable = () =>
    existsSync(binary) &&
    spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 }).stdout.includes(
      TEMPORAL_UI_VERSION.slice(1),
    );
  if (suitable()) return binary;
  mkdirSync(cacheDir, { recursive: true });
  return withLock(`${cacheDir}.lock`, () => {
    if (suitable()) return binary;
    const staging = path.join(cacheDir, `build-${process.pid}`);
    const started = Date.now();
    log(`Building the Temporal UI server ${TEMPORAL_UI_VERSION} from Go modules into ${cacheDir} (first run only)…`);
    try {
      const built = spawnSync(findGo(), ['install', `${UI_MODULE}/cmd/server@${TEMPORAL_UI_VERSION}`], {
        env: { ...process.env, GOBIN: staging, GOFLAGS: '-trimpath' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      if (built.status !== 0) {
        throw new Error(`go install of ${UI_MODULE} failed (exit ${built.status ?? built.signal})`);
      }
      renameSync(path.join(staging, 'server'), binary);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    log(`Temporal UI built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${binary}`);
    return binary;
  });
}

export interface TemporalUi {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the Web UI against a Temporal frontend and waits until it serves its page. */
export async function startTemporalUi(options: {
  binary: string;
  port: number;
  temporalAddress: string;
  namespace: string;
  configDir: string;
  logFile?: NodeJS.WritableStream;
}): Promise<TemporalUi> {
  if (!(await portIsFree(options.port))) throw new Error(`Temporal UI: port ${options.port} is in use`);
  mkdirSync(options.configDir, { recursive: true });
  writeFileSync(
    path.join(options.configDir, 'gigbit.yaml'),
    stringify({
      temporalGrpcAddress: options.temporalAddress,
      host: '127.0.0.1',
      port: options.port,
      enableUi: true,
      defaultNamespace: options.namespace,
      notifyOnNewVersion: false,
      refreshInterval: '1m',
      cors: { cookieInsecure: true, allowOrigins: [`http://127.0.0.1:${options.port}`] },
    }),
  );
  const service = spawnService(
    options.binary,
    ['--root', options.configDir, '--config', '.', '--env', 'gigbit', 'start'],
    options.logFile,
  );
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (service.exited()) throw new Error(`Temporal UI exited during start-up:\n${service.output()}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error('Temporal UI did not answer within 60 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, process: service.process, stop: service.stop };
}

async function main(): Promise<void> {
  const port = Number(process.env.GIGBIT_TEMPORAL_PORT ?? 7233);
  const postgresUrl = process.env.TEMPORAL_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dataDir = path.resolve(__dirname, '..', process.env.GIGBIT_DATA_DIR ?? '.data');
  const say = (line: string) => console.log(`[temporal] ${line}`);
  const binaries = ensureTemporalServer(say);
  const server = await startTemporalServer({
    binaries,
    cli: ensureTemporalCli(say),
    port,
    postgresUrl,
    database: 'temporal',
    visibilityDatabase: 'temporal_visibility',
    configDir: path.join(dataDir, 'temporal-server'),
    namespaces: [process.env.TEMPORAL_NAMESPACE ?? 'default'],
    logFile: process.stdout,
  });
  const ui = await startTemporalUi({
    binary: ensureTemporalUi(say),
    port: Number(process.env.GIGBIT_TEMPORAL_UI_PORT ?? 8233),
    temporalAddress: server.address,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    configDir: path.join(dataDir, 'temporal-ui'),
  }).catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  say(`Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL is up at ${server.address}, its UI at ${ui.url}`);
  say('Ctrl-C stops both.');
  let stopping = false;
  const shutdown = () => {
    stopping = true;
    void Promise.all([ui.stop(), server.stop()]).then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  server.process.once('exit', (code) => {
    if (stopping) return;
    say(`Temporal server exited on its own (${code}); stopping the UI`);
    void ui.stop().then(() => process.exit(code ?? 1));
  });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
