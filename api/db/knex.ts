import path from 'node:path';
import knex, { type Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config';

export type Db = Knex;

// bigint columns hold paise. JSON has no 64-bit integers, so they travel as JS numbers, which are exact up to
// 2^53 paise (₹90 trillion); anything larger is refused loudly rather than rounded.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`bigint ${value} exceeds the safe integer range`);
  return parsed;
});

export const migrationsDirectory = path.resolve(__dirname, '../../migrations');

export const migrationConfig: Knex.MigratorConfig = {
  directory: migrationsDirectory,
  // Compiled builds ship .js migrations; development and tests run the .ts sources.
  loadExtensions: [path.extname(__filename)],
  tableName: 'knex_migrations',
};

export function createDb(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>, applicationName = 'gigbit'): Db {
  return knex({
    client: 'pg',
    connection: { connectionString: config.DATABASE_URL, application_name: applicationName },
    pool: { min: 0, max: config.DATABASE_POOL_MAX },
    migrations: migrationConfig,
  });
}
