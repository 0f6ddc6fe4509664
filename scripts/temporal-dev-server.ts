/** Starts the Temporal dev server (with GigBit's search attributes registered) and waits until it answers. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { searchAttributes } from '../workflows/contracts';

export interface DevServerOptions {
  cli: string;
  port: number;
  /** Omitted: in-memory (tests). Given: persisted SQLite file (npm start). */
  dbFile?: string;
  /** Web UI port; omitted runs headless. */
  uiPort?: number;
  namespace?: string;
  logFile?: NodeJS.WritableStream;
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
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

function searchAttributeArgs(): string[] {
  return Object.values(searchAttributes).flatMap((key) => [
    '--search-attribute',
    `${key.name}=${cliTypeName[key.type]}`,
  ]);
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace ?? 'default',
    '--log-level',
    'error',
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.dbFile
      ? [
          '--db-filename',
          options.dbFile,
          '--sqlite-pragma',
          'journal_mode=WAL',
          '--sqlite-pragma',
          'synchronous=NORMAL',
        ]
      : []),
    // Slow 2-core machines can stall a workflow task past the 10 s default.
    '--dynamic-config-value',
    'history.defaultWorkflowTaskTimeout="60s"',
    ...searchAttributeArgs(),
  ];
  const child = spawn(options.cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (options.logFile) {
    child.stdout?.pipe(options.logFile, { end: false });
    child.stderr?.pipe(options.logFile, { end: false });
  } else {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const deadline = Date.now() + 60_000;
  while (!isHealthy(options.cli, address)) {
    if (exited) throw new Error(`Temporal dev server exited during start-up (port ${options.port} in use?)`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('Temporal dev server did not become healthy within 60 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

function isHealthy(cli: string, address: string): boolean {
  return spawnSync(cli, ['operator', 'cluster', 'health', '--address', address], { timeout: 5000 }).status === 0;
}
