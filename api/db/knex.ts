import { readdirSync } from 'node:fs';
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

// Compiled builds ship .js migrations; development and tests run the .ts sources.
const migrationExtension = path.extname(__filename);

/**
 * Migrations are recorded under their source name (`….ts`) whichever form runs them, so a database migrated from
 * the sources is up to date for the compiled build (`npm run start:prod`) and back; knex's own file source records
 * the running file's extension and would call the other form's history corrupt.
 */
const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () =>
    readdirSync(migrationsDirectory)
      .filter((file) => file.endsWith(migrationExtension) && !file.endsWith('.d.ts'))
      .sort(),
  getMigrationName: (file) => file.replace(/\.js$/, '.ts'),
  getMigration: async (file) => (await import(path.join(migrationsDirectory, file))) as Knex.Migration,
};

export const migrationConfig: Knex.MigratorConfig = {
  migrationSource,
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
