/** What global-setup hands to every test file (through the environment, the only channel Jest offers). */
export interface TestEnvironment {
  temporalAddress: string;
  adminDatabaseUrl: string;
  templateDatabase: string;
  workflowBundlePath: string;
  runId: string;
  redisUrl: string;
}

const KEY = 'GIGBIT_TEST_ENVIRONMENT';

export function publishTestEnvironment(env: TestEnvironment): void {
  process.env[KEY] = JSON.stringify(env);
}

export function testEnvironment(): TestEnvironment {
  const raw = process.env[KEY];
  if (!raw) throw new Error('Run tests through jest (test/global-setup.ts prepares Temporal and the database)');
  return JSON.parse(raw) as TestEnvironment;
}

/** The machine's PostgreSQL unless DATABASE_URL names another server. */
export function adminDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** Replaces the database name in a connection URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The bare environment a spawned process needs (PATH, HOME), so no developer .env or CI variable leaks in. */
export function baseProcessEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
}
