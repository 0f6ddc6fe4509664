import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../api/db/knex';
import { testEnvironment, withDatabase } from './environment';

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testEnvironment().adminDatabaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database cloned from the migrated template: cheap, isolated, and safe to run beside other files. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const env = testEnvironment();
  const name = `gigbit_t_${env.runId}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${env.templateDatabase}`));
  const url = withDatabase(env.adminDatabaseUrl, name);
  const db = createDb({ DATABASE_URL: url, DATABASE_POOL_MAX: 10 }, 'gigbit-test');
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
