/**
 * The operations CLI: `npm run gigbit -- <command>`. Reads the same configuration as the API (.env, environment),
 * and after `npm start` has run, its local database and keys (.data/local.env).
 *
 *   create-superadmin --username <name> [--email <e>] [--phone <p>]
 *     Creates the first (or another) superadmin. The password comes from GIGBIT_ADMIN_PASSWORD or is asked for on
 *     the terminal; it is never an argument (shell history). Prints the authenticator seed once.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnvFile, type Config } from '../api/config';
import { createAuditRepository } from '../api/db/audit.repository';
import { createIdentityRepository } from '../api/db/identity.repository';
import { createDb, type Db } from '../api/db/knex';
import { createSessionRepository } from '../api/db/session.repository';
import { AppError } from '../api/errors';
import { createAccessTokenService } from '../api/services/access-token.service';
import { adminAuthSettings, createAdminAuthService } from '../api/services/admin-auth.service';
import { createSessionService } from '../api/services/session.service';

async function readPassword(): Promise<string> {
  const fromEnv = process.env.GIGBIT_ADMIN_PASSWORD;
  if (fromEnv) return fromEnv;
  const terminal = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  try {
    return await terminal.question('Password (at least 12 characters): ');
  } finally {
    terminal.close();
  }
}

function adminAuthFor(db: Db, config: Config) {
  const identities = createIdentityRepository(db);
  const audit = createAuditRepository(db);
  const sessionRepository = createSessionRepository(db);
  const tokens = createAccessTokenService({
    secret: config.ACCESS_TOKEN_SECRET,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  return createAdminAuthService({
    db,
    identities,
    sessionRepository,
    sessions: createSessionService({
      db,
      sessions: sessionRepository,
      audit,
      tokens,
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    }),
    audit,
    ...adminAuthSettings(config),
  });
}

async function createSuperadmin(db: Db, config: Config, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { username: { type: 'string' }, email: { type: 'string' }, phone: { type: 'string' } },
    strict: true,
  });
  if (!values.username || !/^[a-z0-9._-]{3,40}$/.test(values.username)) {
    throw new Error('--username is required: 3–40 lower-case letters, digits, . _ -');
  }
  const { admin, enrolment } = await adminAuthFor(db, config).createAdmin(
    {
      username: values.username,
      role: 'superadmin',
      password: await readPassword(),
      email: values.email,
      phone: values.phone,
    },
    { cli: true },
  );
  console.log(`Superadmin ${admin.username} created (${admin.id}).`);
  console.log('Add this account to an authenticator app now; the seed is not shown again:');
  console.log(`  seed: ${enrolment.totpSecret}`);
  console.log(`  uri:  ${enrolment.otpauthUri}`);
}

const commands: Record<string, (db: Db, config: Config, argv: string[]) => Promise<void>> = {
  'create-superadmin': createSuperadmin,
};

async function main([command, ...argv]: string[]): Promise<void> {
  const run = command ? commands[command] : undefined;
  if (!run) throw new Error(`usage: npm run gigbit -- <${Object.keys(commands).join(' | ')}> [options]`);
  loadDotEnvFile();
  // What `npm start` left for local tools (its embedded database and generated keys); .env and the environment win.
  loadDotEnvFile('.data/local.env');
  const config = loadConfig();
  const db = createDb(config, 'gigbit-cli');
  try {
    await db.migrate.latest();
    await run(db, config, argv);
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof AppError || err instanceof Error ? err.message : err);
  process.exit(1);
});
