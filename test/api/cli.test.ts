import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startPlatformSimulator, type PlatformSimulator, type Trip } from '../../simulators/platform';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { baseProcessEnv, testEnvironment } from '../helpers/environment';
import {
  bearer,
  fundWorker,
  signInAs,
  signInWorker,
  startApi,
  testConfig,
  TEST_DATA_KEY,
  TEST_RAIL_SECRET,
  TEST_SECRET,
  type ApiInstance,
} from '../helpers/harness';
import { healthy, ledgerInvariants } from '../ledger/helpers';

const run = promisify(execFile);

/** `npm run gigbit -- create-superadmin`: the only way to the first admin; no credentials live in the repository. */
describe('ops CLI: create-superadmin', () => {
  let database: TestDatabase;
  let api: ApiInstance;
  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startApi(testConfig(database), database);
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  const cli = (args: string[], password: string) =>
    run(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../scripts/gigbit.ts'), ...args], {
      env: {
        ...baseProcessEnv(),
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
        ACCESS_TOKEN_SECRET: TEST_SECRET,
        PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
        DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
        GIGBIT_ADMIN_PASSWORD: password,
      },
    });

  it('creates a superadmin who signs in with the printed authenticator seed', async () => {
    const password = randomBytes(12).toString('base64url');
    const { stdout } = await cli(['create-superadmin', '--username', 'founder'], password);
    const id = /\(([0-9a-f-]{36})\)/.exec(stdout)![1]!;
    const seed = /seed: ([A-Z2-7]+)/.exec(stdout)![1]!;
    expect(stdout).toMatch(/uri:\s+otpauth:\/\/totp\/GigBit:founder\?secret=/);
    const session = await signInAs(api.app, { adminId: id, username: 'founder', password, totpSecret: seed });
    const roster = await api.app.inject({
      method: 'GET',
      url: '/v1/admin/admins',
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(roster.json()).toMatchObject({ admins: [{ username: 'founder', role: 'superadmin' }] });
    expect(
      await database.db('audit_log').where({ action: 'admin.created' }).first('actor_kind', 'details'),
    ).toMatchObject({
      actor_kind: 'system',
      details: { via: 'cli', role: 'superadmin' },
    });
  });

  it('refuses a weak password and a taken username, changing nothing', async () => {
    await expect(cli(['create-superadmin', '--username', 'second'], 'short')).rejects.toMatchObject({
      stderr: expect.stringMatching(/at least 12 characters/),
    });
    await expect(
      cli(['create-superadmin', '--username', 'founder'], randomBytes(12).toString('hex')),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/already belongs to an admin/),
    });
    expect(await database.db('admins').count('* as n')).toEqual([{ n: 1 }]);
  });
});

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as a process against a test database; resolves with the exit code instead of throwing on non-zero. */
async function gigbit(database: TestDatabase, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '../../scripts/gigbit.ts'), ...args],
      {
        env: {
          ...baseProcessEnv(),
          DATABASE_URL: database.url,
          TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
          ACCESS_TOKEN_SECRET: TEST_SECRET,
          PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
          DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
          ...env,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw err;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('ops CLI: input errors', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it.each([
    [[], /usage: npm run gigbit -- <command>[\s\S]*seed-demo[\s\S]*backfill-earnings[\s\S]*export-audit/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['seed-demo', '--workers', '3'], /Unknown option '--workers'[\s\S]*usage: npm run gigbit -- seed-demo/],
    [['backfill-earnings', '--from', '2026-01-01', '--to', '2026-01-02'], /--platform <slug> is required/],
    [['backfill-earnings', '--platform', 'zomato', '--from', '2026-02-01', '--to', '2026-01-01'], /--from must be/],
    [['backfill-earnings', '--platform', 'zomato', '--from', 'yesterday', '--to', '2026-01-01'], /--from: not a date/],
    [['export-audit', '--from', '2026-01-01'], /--from and --to are required/],
    [
      ['export-audit', '--from', '2026-01-01', '--to', '2026-01-02', '--format', 'xml'],
      /--format must be csv or jsonl/,
    ],
    [['reconcile', 'now'], /Unexpected argument 'now'[\s\S]*usage: npm run gigbit -- reconcile/],
  ])('%j exits 1 with a usage message', async (args, message) => {
    const result = await gigbit(database, args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('    at '); // a message for a human, not a stack trace
  });

  it('names an unknown platform plainly', async () => {
    const result = await gigbit(database, [
      'backfill-earnings',
      '--platform',
      'nope',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-02',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No platform "nope" in the catalog/);
  });
});

describe('ops CLI: migrations', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('does not migrate a production database: it refuses while a migration is pending', async () => {
    // The newest migration forgotten: as a database one release behind the checkout looks to knex.
    const newest: { id: number; name: string } = await database
      .db('knex_migrations')
      .orderBy('id', 'desc')
      .first('id', 'name');
    await database.db('knex_migrations').where({ id: newest.id }).delete();
    const result = await gigbit(database, ['export-audit', '--from', '2026-01-01', '--to', '2026-01-02']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/lacks 1 migration\(s\)[\s\S]*npm run db:migrate/);
    expect(result.stdout).toBe('');
    expect(await database.db('knex_migrations').where({ name: newest.name }).first()).toBeUndefined();
  });
});

describe('ops CLI: seed-demo and reconcile', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  const settled = async () => {
    const count = async (table: string) => Number((await database.db(table).count('* as n'))[0]!.n);
    return {
      workers: await count('workers'),
      trips: await count('platform_trips'),
      journals: await count('ledger_journals'),
      purchases: await count('plan_purchases'),
      connections: await count('platform_connections'),
    };
  };

  it('refuses to seed a production database unless told to, writing nothing', async () => {
    const before = await settled();
    // NODE_ENV unset is production.
    const refused = await gigbit(database, ['seed-demo']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refuses to run with NODE_ENV=production[\s\S]*--allow-production/);
    expect(await settled()).toEqual(before);
    expect(before.workers).toBe(0);
  });

  it('seeds workers with phones, plans, links and 60 days of earnings, and a second run adds nothing', async () => {
    const first = await gigbit(database, ['seed-demo'], { NODE_ENV: 'development' });
    expect(first).toMatchObject({ code: 0 });
    expect(first.stderr).toMatch(/5 workers \(5 new\), [1-9]\d* trips newly credited/);
    const after = await settled();
    expect(after).toMatchObject({ workers: 5, purchases: 5, connections: 9 });
    expect(after.trips).toBeGreaterThan(5 * 60 * 0.5); // about 7 trips a day on 70% of days, per link
    const span: { oldest: Date; newest: Date } = await database
      .db('platform_trips')
      .first(database.db.raw('min(completed_at) AS oldest'), database.db.raw('max(completed_at) AS newest'));
    expect(Date.now() - span.oldest.getTime()).toBeGreaterThan(55 * 86_400_000);
    expect(Date.now() - span.oldest.getTime()).toBeLessThan(62 * 86_400_000);
    // Every trip is a credited earning: journal per trip, wallet = trips − plan price.
    const wallet: { balance: string } = await database
      .db('ledger_accounts as a')
      .join('workers as w', 'w.id', 'a.worker_id')
      .where('w.phone', '+919000000102')
      .first(database.db.raw('a.balance_paise::text AS balance'));
    const earned: { sum: string } = await database
      .db('platform_trips as t')
      .join('workers as w', 'w.id', 't.worker_id')
      .where('w.phone', '+919000000102')
      .first(database.db.raw('sum(t.amount_paise)::text AS sum'));
    expect(Number(wallet.balance)).toBe(Number(earned.sum) - 2_500); // Solo costs ₹25
    expect(await ledgerInvariants(database.db)).toEqual(healthy);

    // Forced in production mode (a staging database): same data, nothing added.
    const second = await gigbit(database, ['seed-demo', '--allow-production']);
    expect(second).toMatchObject({ code: 0 });
    expect(second.stderr).toMatch(/5 workers \(0 new\), 0 trips newly credited/);
    expect(await settled()).toEqual(after);
  }, 60_000);

  it('reconcile reports a clean ledger with exit 0 and drift with exit 2, stored like the Schedule’s runs', async () => {
    const clean = await gigbit(database, ['reconcile']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^Reconciliation [0-9a-f-]{36}: clean \(0 findings\)/);

    const wallet: { id: string } = await database.db('ledger_accounts').where({ constrained: true }).first('id');
    await database.db('ledger_accounts').where({ id: wallet.id }).increment('balance_paise', 1);
    const drift = await gigbit(database, ['reconcile']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(/: drift \(1 findings\)/);
    expect(drift.stdout).toContain(`cached_balance_drift ${wallet.id}`);
    const reports: Array<{ run_key: string; status: string }> = await database
      .db('ledger_reconciliations')
      .orderBy('checked_at')
      .select('run_key', 'status');
    expect(reports.map((r) => r.status)).toEqual(['clean', 'drift']);
    expect(reports.every((r) => r.run_key.startsWith('cli/'))).toBe(true);
    // Admins hear of drift the same way as from the Schedule.
    expect(await database.db('outbox_events').where({ type: 'ledger.drift_detected' }).count('* as n')).toEqual([
      { n: 1 },
    ]);
  }, 60_000);
});

describe('ops CLI: backfill-earnings through the platform simulator', () => {
  let database: TestDatabase;
  let api: ApiInstance;
  let platform: PlatformSimulator;
  const frozen = new Date();
  beforeAll(async () => {
    database = await createTestDatabase();
    platform = await startPlatformSimulator({ seed: `cli-${randomUUID()}`, historyDays: 12, now: () => frozen });
    api = await startApi(testConfig(database, { PLATFORM_CONNECTOR_URL: platform.url }), database);
  });
  afterAll(async () => {
    await api.close();
    await platform.close();
    await database.drop();
  });

  async function connectedWorker(phone: string) {
    const worker = await signInWorker(api.app);
    await fundWorker({ api, database }, worker, { earningsPaise: 2_500, plans: ['solo'] });
    const code = await api.app.inject({
      method: 'POST',
      url: '/v1/me/platforms/blinkit/code',
      headers: bearer(worker.token),
      payload: { phone },
    });
    expect(code.statusCode).toBe(202);
    const linked = await api.app.inject({
      method: 'POST',
      url: '/v1/me/platforms/blinkit/connect',
      headers: bearer(worker.token),
      payload: { phone, otp: platform.lastOtp('blinkit', phone) },
    });
    expect(linked.statusCode).toBeLessThan(300);
    return worker;
  }

  async function feed(workerId: string): Promise<Trip[]> {
    const connection: { external_account_id: string } = await database
      .db('platform_connections')
      .where({ worker_id: workerId })
      .first('external_account_id');
    const page = (await (
      await fetch(`${platform.baseUrl('blinkit')}/accounts/${connection.external_account_id}/trips?limit=500`)
    ).json()) as { trips: Trip[] };
    return page.trips;
  }

  it('credits every account of the platform once, with plain progress lines off a terminal', async () => {
    const phones = ['+919811000001', '+919811000002', '+919811000003'];
    const workerIds: string[] = [];
    for (const phone of phones) workerIds.push((await connectedWorker(phone)).workerId);
    const expected = (await Promise.all(workerIds.map(feed))).flat();
    expect(expected.length).toBeGreaterThan(0);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const args = [
      'backfill-earnings',
      '--platform',
      'blinkit',
      '--from',
      day(new Date(frozen.getTime() - 14 * 86_400_000)),
      '--to',
      day(frozen),
    ];
    const result = await gigbit(database, args, { PLATFORM_CONNECTOR_URL: platform.url });
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('backfill: '));
    expect(lines.map((l) => l.split(' accounts')[0])).toEqual([
      'backfill: 0/3',
      'backfill: 1/3',
      'backfill: 2/3',
      'backfill: 3/3',
    ]);
    const total = expected.reduce((sum, t) => sum + t.amountPaise, 0);
    expect(lines.at(-1)).toContain(`${expected.length} trips credited`);
    expect(result.stderr).toContain(`Credited ${expected.length} trips`);
    const stored: Array<{ external_trip_id: string; amount_paise: string }> = await database
      .db('platform_trips')
      .select('external_trip_id', 'amount_paise');
    expect(stored.map((t) => t.external_trip_id).sort()).toEqual(expected.map((t) => t.externalTripId).sort());
    expect(stored.reduce((sum, t) => sum + Number(t.amount_paise), 0)).toBe(total);

    // Again: the cursors are stored, nothing is credited twice.
    const again = await gigbit(database, args, { PLATFORM_CONNECTOR_URL: platform.url });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Credited 0 trips');
    expect(await database.db('platform_trips').count('* as n')).toEqual([{ n: expected.length }]);
    expect(await ledgerInvariants(database.db)).toEqual(healthy);
  }, 90_000);

  it('draws a progress bar on a terminal', async () => {
    // `script` gives the CLI a pseudo-terminal, as an operator's shell would.
    const command = [
      process.execPath,
      '--import',
      'tsx',
      path.join(__dirname, '../../scripts/gigbit.ts'),
      'backfill-earnings',
      '--platform',
      'blinkit',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-31',
    ].join(' ');
    const { stdout } = await run('script', ['-qec', command, '/dev/null'], {
      env: {
        ...baseProcessEnv(),
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
        ACCESS_TOKEN_SECRET: TEST_SECRET,
        PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
        DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
        PLATFORM_CONNECTOR_URL: platform.url,
      },
    });
    expect(stdout).toContain(`\r[${'░'.repeat(30)}] 0/3 accounts`);
    expect(stdout).toContain(`\r[${'█'.repeat(30)}] 3/3 accounts · 0 trips credited`);
    expect(stdout).not.toContain('backfill: ');
  }, 60_000);
});

describe('ops CLI: export-audit across pages', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('exports every record of the period once, in id order, across several pages of 1000', async () => {
    // Interleaved with records outside the period, so the page boundaries fall between filtered rows.
    await database.db.raw(`
      INSERT INTO audit_log (occurred_at, actor_kind, action, outcome, details)
      SELECT CASE WHEN n % 4 = 0 THEN '2026-01-07T10:00:00Z'::timestamptz ELSE '2026-01-05T10:00:00Z'::timestamptz
                  + n * interval '1 second' END,
             'system', 'test.bulk', 'succeeded', jsonb_build_object('n', n)
        FROM generate_series(1, 3000) AS n`);
    const result = await gigbit(
      database,
      ['export-audit', '--from', '2026-01-05', '--to', '2026-01-05', '--format', 'jsonl'],
      { NODE_ENV: 'development' },
    );
    expect(result.code).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; details: { n: number } });
    expect(rows).toHaveLength(2250);
    expect(rows.every((row, i) => i === 0 || row.id > rows[i - 1]!.id)).toBe(true);
    expect(rows.every((row) => row.details.n % 4 !== 0)).toBe(true);
    expect(result.stderr).toContain('Exported 2250 audit records');
  });
});

describe('ops CLI: export-audit', () => {
  let database: TestDatabase;
  let api: ApiInstance;
  const phones: string[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startApi(testConfig(database), database);
    for (let i = 0; i < 3; i++) phones.push((await signInWorker(api.app)).phone);
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

  it('streams the period as JSON lines to stdout, identities as the stored digests', async () => {
    const stored: Array<{ id: number; action: string; details: unknown }> = await database
      .db('audit_log')
      .orderBy('id')
      .select('id', 'action', 'details');
    expect(stored.length).toBeGreaterThanOrEqual(6); // a code sent and a sign-in per worker
    const result = await gigbit(database, ['export-audit', '--from', today, '--to', tomorrow, '--format', 'jsonl']);
    expect(result.code).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; action: string; details: unknown; occurred_at: string });
    expect(rows.map((r) => ({ id: r.id, action: r.action, details: r.details }))).toEqual(stored);
    for (const phone of phones) expect(result.stdout).not.toContain(phone.slice(3));
    expect(result.stderr).toContain(`Exported ${stored.length} audit records`);

    const before = await gigbit(database, [
      'export-audit',
      '--from',
      '2020-01-01',
      '--to',
      '2020-12-31',
      '--format',
      'jsonl',
    ]);
    expect(before).toMatchObject({ code: 0, stdout: '' });
  });

  it('writes CSV to a new file (never over an existing one)', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'gigbit-audit-')), 'audit.csv');
    const result = await gigbit(database, ['export-audit', '--from', today, '--to', tomorrow, '--out', out]);
    expect(result.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'id,occurred_at,actor_kind,actor_id,action,outcome,target_kind,target_id,ip,request_id,details',
    );
    const total = Number((await database.db('audit_log').count('* as n'))[0]!.n);
    expect(lines).toHaveLength(total + 1);
    expect(lines[1]).toMatch(/^\d+,\d{4}-\d\d-\d\dT[\d:.]+Z,anonymous,,worker\.code_sent,succeeded,/);
    expect(lines[1]).toContain('""identity""'); // JSON details quoted as one CSV cell

    const again = await gigbit(database, ['export-audit', '--from', today, '--to', tomorrow, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/EEXIST/);
  });
});
