/** Database helpers: `npm run db:migrate` / `npm run db:rollback` against DATABASE_URL. */
import { loadConfig, loadDotEnvFile } from '../api/config';
import { createDb } from '../api/db/knex';

export async function migrateLatest(databaseUrl: string): Promise<string[]> {
  const db = createDb({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: 2 }, 'gigbit-migrate');
  try {
    const [, applied] = (await db.migrate.latest()) as [number, string[]];
    return applied;
  } finally {
    await db.destroy();
  }
}

async function main(command: string | undefined): Promise<void> {
  loadDotEnvFile();
  const { DATABASE_URL } = loadConfig();
  const db = createDb({ DATABASE_URL, DATABASE_POOL_MAX: 2 }, 'gigbit-migrate');
  try {
    if (command === 'migrate') {
      const [, applied] = (await db.migrate.latest()) as [number, string[]];
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date');
    } else if (command === 'rollback') {
      const [, undone] = (await db.migrate.rollback(undefined, process.argv.includes('--all'))) as [number, string[]];
      console.log(undone.length ? `Rolled back: ${undone.join(', ')}` : 'Nothing to roll back');
    } else {
      throw new Error('usage: db.ts migrate | rollback [--all]');
    }
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  main(process.argv[2]).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
