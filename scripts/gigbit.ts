/**
 * The operations CLI: `npm run gigbit -- <command>`. Reads the same configuration as the API (.env, environment),
 * and after `npm start` has run, its local database and keys (.data/local.env). Progress and messages go to stderr,
 * data (export-audit without --out) to stdout. Bad input prints the command's usage and exits 1.
 *
 *   create-superadmin --username <name> [--email <e>] [--phone <p>]
 *     Creates the first (or another) superadmin. The password comes from GIGBIT_ADMIN_PASSWORD or is asked for on
 *     the terminal; it is never an argument (shell history). Prints the authenticator seed once.
 *   seed-demo [--allow-production]
 *     Demo workers with phone numbers, plans and 60 days of earnings on the catalog platforms. Idempotent. Refuses
 *     NODE_ENV=production (the default) unless --allow-production.
 *   backfill-earnings --platform <slug> --from <YYYY-MM-DD> --to <YYYY-MM-DD>
 *     Pulls every connected account of a platform from its connector through the earnings-sync code path.
 *   reconcile
 *     Runs the ledger reconciliation now (the Schedule's activity); exit 2 when it finds drift.
 *   export-audit --from <date> --to <date> [--format csv|jsonl] [--out <file>]
 *     Streams the audit log of that period; identities stay as the stored digests.
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
import { backfillEarnings, exportAudit, reconcile, seedDemo, UsageError, type OpsCommand } from './ops-commands';

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

const createSuperadminCommand: OpsCommand<string[]> = {
  usage: 'create-superadmin --username <name> [--email <e>] [--phone <p>]',
  parse: (argv) => argv,
  run: (db, config, argv) => createSuperadmin(db, config, argv),
};

/** Each command's run takes exactly what its own parse returned; the table only needs to pair them. */
const erase = <O>(command: OpsCommand<O>) => command as unknown as OpsCommand<unknown>;
const commands: Record<string, OpsCommand<unknown>> = {
  'create-superadmin': erase(createSuperadminCommand),
  'seed-demo': erase(seedDemo),
  'backfill-earnings': erase(backfillEarnings),
  reconcile: erase(reconcile),
  'export-audit': erase(exportAudit),
};

const usage = () =>
  ['usage: npm run gigbit -- <command> [options]', ...Object.values(commands).map((c) => `  ${c.usage}`)].join('\n');

async function main([command, ...argv]: string[]): Promise<number> {
  const chosen = command ? commands[command] : undefined;
  if (!chosen) {
    console.error(command ? `Unknown command "${command}".\n${usage()}` : usage());
    return 1;
  }
  let options: unknown;
  try {
    options = chosen.parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\nusage: npm run gigbit -- ${chosen.usage}`);
    return 1;
  }
  loadDotEnvFile();
  // What `npm start` left for local tools (its embedded database and generated keys); .env and the environment win.
  loadDotEnvFile('.data/local.env');
  const config = loadConfig();
  const db = createDb(config, 'gigbit-cli');
  try {
    // A production schema changes only by the deliberate step of a release (docs/runbook.md), never as a side effect
    // of an export run from a newer checkout; a development database is simply brought up to date.
    if (config.isProduction) {
      const [, pending] = (await db.migrate.list()) as [unknown[], unknown[]];
      if (pending.length > 0) {
        throw new Error(
          `The database lacks ${pending.length} migration(s) of this code: run \`npm run db:migrate\` first ` +
            '(the CLI does not migrate a production database).',
        );
      }
    } else {
      await db.migrate.latest();
    }
    return (await chosen.run(db, config, options)) ?? 0;
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof AppError || err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
