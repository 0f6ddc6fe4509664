import pg from 'pg';
import { testEnvironment } from './helpers/environment';

export default async function globalTeardown(): Promise<void> {
  const env = testEnvironment();
  await globalThis.gigbitDevServer?.stop();
  const admin = new pg.Client({ connectionString: env.adminDatabaseUrl });
  await admin.connect();
  try {
    // Test files drop their own databases; this catches any a crashed file left behind.
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
      [`gigbit_t_${env.runId}_%`, env.templateDatabase],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
