/** What every benchmark needs: a migrated scratch database (dropped afterwards) and a bounded-parallel runner. */
import pg from 'pg';
import { createDb, type Db } from '../api/db/knex';
import { migrateLatest } from '../scripts/db';

export const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function withScratchDatabase(
  name: string,
  poolMax: number,
  run: (db: Db, url: string) => Promise<void>,
): Promise<void> {
  const database = `gigbit_bench_${name}_${process.pid}`;
  await admin(`CREATE DATABASE ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const db = createDb({ DATABASE_URL: url.toString(), DATABASE_POOL_MAX: poolMax }, 'gigbit-bench');
  try {
    await migrateLatest(url.toString());
    await run(db, url.toString());
  } finally {
    await db.destroy();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

/** Runs `task` over `items` with at most `width` in flight; returns the elapsed milliseconds. */
export async function inParallel<T>(
  items: readonly T[],
  width: number,
  task: (item: T) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
  return performance.now() - started;
}

export const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);
