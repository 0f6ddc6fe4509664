/**
 * The data commands of the ops CLI (scripts/gigbit.ts): seed-demo, backfill-earnings, reconcile, export-audit.
 * Each parses its arguments before anything connects, so bad input fails fast with the command's usage.
 */
import { createWriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createReconciliationActivities } from '../activities/reconciliation.activities';
import type { Config } from '../api/config';
import { createIdentityRepository } from '../api/db/identity.repository';
import type { Db } from '../api/db/knex';
import { createLedgerRepository } from '../api/db/ledger.repository';
import { createPlanRepository } from '../api/db/plan.repository';
import { createPlatformRepository, type Connection } from '../api/db/platform.repository';
import { createEarningsSyncService } from '../api/services/earnings-sync.service';
import { createLedgerService } from '../api/services/ledger.service';
import { createPayoutRailClient } from '../api/services/payout-rail.client';
import { createPlanService } from '../api/services/plan.service';
import { tripsOnDay } from '../simulators/platform';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OpsCommand<O> {
  usage: string;
  parse(argv: string[]): O;
  run(db: Db, config: Config, options: O): Promise<number | void>;
}

/** node:util's parseArgs, with its errors (unknown option, missing value) reported as usage errors. */
function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const DAY_MS = 86_400_000;
const IST_OFFSET_MS = 330 * 60 * 1000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A period from --from/--to: dates are whole UTC days (--to included), or full ISO timestamps taken as given
 * (--to excluded).
 */
function period(from: string | undefined, to: string | undefined): { from: Date; to: Date } {
  if (!from || !to) throw new UsageError('--from and --to are required');
  const start = new Date(DATE.test(from) ? `${from}T00:00:00Z` : from);
  const end = DATE.test(to) ? new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS) : new Date(to);
  if (Number.isNaN(start.getTime())) throw new UsageError(`--from: not a date: ${from}`);
  if (Number.isNaN(end.getTime())) throw new UsageError(`--to: not a date: ${to}`);
  if (start >= end) throw new UsageError('--from must be before --to');
  return { from: start, to: end };
}

const rupees = (paise: number) =>
  `₹${(paise / 100).toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

// ---------------------------------------------------------------------------------------------------------------
// seed-demo

/** Fixed demo identities: the same phones every run, so a second run finds them instead of adding more. */
const DEMO_WORKERS = [
  { phone: '+919000000101', name: 'Asha Demo', plan: 'duo', platforms: ['zomato', 'blinkit'] },
  { phone: '+919000000102', name: 'Ravi Demo', plan: 'solo', platforms: ['rapido'] },
  { phone: '+919000000103', name: 'Meena Demo', plan: 'trio', platforms: ['zomato', 'ola', 'rapido'] },
  { phone: '+919000000104', name: 'Imran Demo', plan: 'solo', platforms: ['blinkit'] },
  { phone: '+919000000105', name: 'Lakshmi Demo', plan: 'duo', platforms: ['ola', 'zomato'] },
] as const;
const DEMO_HISTORY_DAYS = 60;
const DEMO_SEED = 'gigbit-demo';

export const seedDemo: OpsCommand<{ allowProduction: boolean }> = {
  usage: 'seed-demo [--allow-production]',
  parse(argv) {
    const values = parse(argv, { 'allow-production': { type: 'boolean' } });
    return { allowProduction: values['allow-production'] === true };
  },
  async run(db, config, options) {
    // Demo workers with invented earnings are real money in a production ledger: never by accident (NODE_ENV
    // defaults to production, so an unset environment lands here too).
    if (config.isProduction && !options.allowProduction) {
      throw new Error(
        'seed-demo refuses to run with NODE_ENV=production: it credits invented earnings to demo wallets. ' +
          'Set NODE_ENV=development for a development database, or pass --allow-production for a staging one.',
      );
    }
    const catalog = new Map((await createPlatformRepository(db).list()).map((p) => [p.slug, p]));
    const planCodes = new Set((await db('plans').select<Array<{ code: string }>>('code')).map((p) => p.code));
    const today = Math.floor((Date.now() + IST_OFFSET_MS) / DAY_MS);
    let newWorkers = 0;
    let newTrips = 0;
    let newPaise = 0;
    for (const demo of DEMO_WORKERS) {
      const missing = demo.platforms.filter((slug) => !catalog.has(slug));
      if (missing.length > 0 || !planCodes.has(demo.plan)) {
        throw new Error(`The catalog lacks ${[...missing, demo.plan].join(', ')}: run the migrations first`);
      }
      // One transaction per worker: its trips, journals, plan and links appear together or not at all.
      await db.transaction(async (trx) => {
        const ledger = createLedgerService({ db: trx, ledger: createLedgerRepository(trx) });
        const platforms = createPlatformRepository(trx);
        const existed = (await trx('workers').where({ phone: demo.phone }).first('id')) !== undefined;
        const worker = await createIdentityRepository(trx).upsertWorker({ phone: demo.phone }, trx);
        if (!existed) newWorkers++;
        await trx('workers').where({ id: worker.id, display_name: null }).update({ display_name: demo.name });

        // Earnings first (the plan is paid from them), keyed exactly as a sync keys them.
        const wallet = await ledger.walletOf(worker.id, trx);
        const trips = demo.platforms.flatMap((slug) => {
          const accountId = `demo-${slug}-${demo.phone.slice(-6)}`;
          return Array.from({ length: DEMO_HISTORY_DAYS }, (_, i) =>
            tripsOnDay(DEMO_SEED, accountId, today - DEMO_HISTORY_DAYS + i),
          )
            .flat()
            .map((trip) => ({ ...trip, slug, accountId, platformId: catalog.get(slug)!.id }));
        });
        const keyOf = (t: (typeof trips)[number]) => `trip:${t.platformId}:${t.externalTripId}`;
        const settlements = new Map<string, string>();
        for (const slug of demo.platforms) {
          const platformId = catalog.get(slug)!.id;
          settlements.set(platformId, (await ledger.platformSettlementOf(platformId, trx)).id);
        }
        const journals = await ledger.postJournals(
          trips.map((t) => ({
            idempotencyKey: keyOf(t),
            kind: 'earning' as const,
            postings: [
              { accountId: settlements.get(t.platformId)!, amountPaise: -t.amountPaise },
              { accountId: wallet.id, amountPaise: t.amountPaise },
            ],
            description: `${catalog.get(t.slug)!.name} trip ${t.externalTripId}`,
            metadata: { platformId: t.platformId, externalTripId: t.externalTripId },
          })),
          trx,
        );

        const plans = createPlanService({ db: trx, plans: createPlanRepository(trx), ledger });
        const { purchase } = await plans.purchase({
          workerId: worker.id,
          planCode: demo.plan,
          idempotencyKey: `demo-seed-${demo.plan}`,
        });

        for (const slug of demo.platforms) {
          const platformId = catalog.get(slug)!.id;
          const accountId = `demo-${slug}-${demo.phone.slice(-6)}`;
          const linked: { id: string } | undefined = await trx('platform_connections')
            .where({ worker_id: worker.id, platform_id: platformId, status: 'connected' })
            .first('id');
          const connection: Connection = linked
            ? (await platforms.findConnection(linked.id))!
            : await platforms.insertConnection(
                { workerId: worker.id, platformId, externalAccountId: accountId, planPurchaseId: purchase.id },
                trx,
              );
          const mine = trips.filter((t) => t.slug === slug);
          const known = await platforms.knownTripIds(
            platformId,
            mine.map((t) => t.externalTripId),
            trx,
          );
          const fresh = mine.filter((t) => !known.has(t.externalTripId));
          newTrips += await platforms.insertNewTrips(
            connection,
            fresh.map((t) => ({
              externalTripId: t.externalTripId,
              amountPaise: t.amountPaise,
              completedAt: new Date(t.completedAt),
              journalId: journals.get(keyOf(t))!,
            })),
            trx,
          );
          newPaise += fresh.reduce((sum, t) => sum + t.amountPaise, 0);
        }
      });
    }
    console.error(
      `Demo data: ${DEMO_WORKERS.length} workers (${newWorkers} new), ${newTrips} trips newly credited ` +
        `(${rupees(newPaise)}) over ${DEMO_HISTORY_DAYS} days; plans and platforms from the catalog.`,
    );
    console.error(`Demo phones: ${DEMO_WORKERS.map((w) => w.phone).join(', ')}`);
  },
};

// ---------------------------------------------------------------------------------------------------------------
// backfill-earnings

interface BackfillOptions {
  slug: string;
  from: Date;
  to: Date;
}

/** A progress bar on a terminal; one plain line per step otherwise (logs, CI). */
function progressReporter(total: number, out: NodeJS.WriteStream = process.stderr) {
  const width = 30;
  return {
    update(done: number, trips: number, paise: number, final = false) {
      const text = `${done}/${total} accounts · ${trips} trips credited · ${rupees(paise)}`;
      if (out.isTTY) {
        const filled = total === 0 ? width : Math.round((done / total) * width);
        out.write(`\r[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${text}${final ? '\n' : ''}`);
      } else {
        out.write(`backfill: ${text}\n`);
      }
    },
  };
}

export const backfillEarnings: OpsCommand<BackfillOptions> = {
  usage: 'backfill-earnings --platform <slug> --from <YYYY-MM-DD> --to <YYYY-MM-DD>',
  parse(argv) {
    const values = parse(argv, { platform: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } });
    if (!values.platform || !/^[a-z0-9-]{2,40}$/.test(values.platform)) {
      throw new UsageError('--platform <slug> is required (e.g. zomato)');
    }
    const window = period(values.from, values.to);
    if (window.from.getTime() > Date.now()) throw new UsageError('--from is in the future');
    return { slug: values.platform, ...window };
  },
  async run(db, config, options) {
    const platforms = createPlatformRepository(db);
    const platform = await platforms.findBySlug(options.slug);
    if (!platform) throw new Error(`No platform "${options.slug}" in the catalog`);
    if (!platform.enabled) throw new Error(`${platform.name} is disabled; enable it before a backfill`);
    const sync = createEarningsSyncService({
      db,
      platforms,
      ledger: createLedgerService({ db, ledger: createLedgerRepository(db) }),
      config,
    });
    const connections: Array<{ id: string }> = await db('platform_connections')
      .where({ platform_id: platform.id, status: 'connected' })
      .orderBy('id')
      .select('id');
    const inWindow = async () => {
      const row: { n: string; paise: string | null } | undefined = await db('platform_trips')
        .where({ platform_id: platform.id })
        .where('completed_at', '>=', options.from)
        .where('completed_at', '<', options.to)
        .first(db.raw('count(*) AS n'), db.raw('sum(amount_paise) AS paise'));
      return { trips: Number(row?.n ?? 0), paise: Number(row?.paise ?? 0) };
    };
    const before = await inWindow();
    console.error(
      `Backfilling ${platform.name}: ${connections.length} connected accounts, ` +
        `${options.from.toISOString().slice(0, 10)} to ${new Date(options.to.getTime() - 1).toISOString().slice(0, 10)}`,
    );
    const progress = progressReporter(connections.length);
    let trips = 0;
    let paise = 0;
    const failed: string[] = [];
    progress.update(0, 0, 0, connections.length === 0);
    for (const [index, { id }] of connections.entries()) {
      // The per-account path of the sync workflows: each page's credits, trip rows and cursor commit together,
      // so an interrupted backfill resumes where it stopped and a repeated one credits nothing twice.
      try {
        const result = await sync.syncConnection(id);
        trips += result.tripsCredited;
        paise += result.amountPaise;
      } catch (err) {
        failed.push(`${id}: ${(err as Error).message}`);
      }
      progress.update(index + 1, trips, paise, index + 1 === connections.length);
    }
    const after = await inWindow();
    console.error(
      `Credited ${trips} trips (${rupees(paise)}); in the period ${after.trips - before.trips} of them, ` +
        `${after.trips} trips (${rupees(after.paise)}) stored for it now.`,
    );
    if (failed.length > 0) {
      console.error(`${failed.length} accounts failed (run again to retry them):\n  ${failed.join('\n  ')}`);
      return 1;
    }
  },
};

// ---------------------------------------------------------------------------------------------------------------
// reconcile

export const reconcile: OpsCommand<Record<string, never>> = {
  usage: 'reconcile',
  parse(argv) {
    parse(argv, {});
    return {};
  },
  async run(db, config) {
    // The very activity the ledger-reconciliation Schedule runs; the report is stored (and admins told of drift)
    // the same way, under a run key of its own.
    const activities = createReconciliationActivities({
      db,
      rail: createPayoutRailClient({ baseUrl: config.PAYOUT_RAIL_URL }),
    });
    const summary = await activities.reconcileLedger({ runKey: `cli/${new Date().toISOString()}/${randomUUID()}` });
    const report: { findings: Array<{ check: string; subject: string; detail: unknown }> } = await db(
      'ledger_reconciliations',
    )
      .where({ id: summary.reconciliationId })
      .first('findings');
    console.log(`Reconciliation ${summary.reconciliationId}: ${summary.status} (${summary.findings} findings)`);
    for (const finding of report.findings) {
      console.log(`  ${finding.check} ${finding.subject} ${JSON.stringify(finding.detail)}`);
    }
    return summary.status === 'drift' ? 2 : 0;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// export-audit

interface ExportOptions {
  from: Date;
  to: Date;
  format: 'csv' | 'jsonl';
  out?: string;
}

interface AuditRow {
  /** bigint, parsed to a number by api/db/knex.ts */
  id: number;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string | null;
  action: string;
  outcome: string;
  target_kind: string | null;
  target_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: unknown;
}

const AUDIT_COLUMNS = [
  'id',
  'occurred_at',
  'actor_kind',
  'actor_id',
  'action',
  'outcome',
  'target_kind',
  'target_id',
  'ip',
  'request_id',
  'details',
] as const;
const EXPORT_PAGE = 1000;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value);
  // Quote what needs it, and defuse spreadsheet formulas (a value starting with = + - @ is shown, not run).
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

export const exportAudit: OpsCommand<ExportOptions> = {
  usage: 'export-audit --from <date> --to <date> [--format csv|jsonl] [--out <file>]',
  parse(argv) {
    const values = parse(argv, {
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
    });
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl (got ${format})`);
    return { ...period(values.from, values.to), format, out: values.out };
  },
  async run(db, _config, options) {
    const out: Writable = options.out ? createWriteStream(options.out, { flags: 'wx', mode: 0o600 }) : process.stdout;
    if (options.out) await once(out, 'open');
    let rows = 0;
    try {
      if (options.format === 'csv') await write(out, `${AUDIT_COLUMNS.join(',')}\n`);
      // Keyset pages by id: memory stays flat however long the period, and rows come in the order they were written.
      let afterId = 0;
      for (;;) {
        const page: AuditRow[] = await db('audit_log')
          .where('occurred_at', '>=', options.from)
          .where('occurred_at', '<', options.to)
          .where('id', '>', afterId)
          .orderBy('id')
          .limit(EXPORT_PAGE)
          .select(...AUDIT_COLUMNS);
        for (const row of page) {
          const line =
            options.format === 'csv'
              ? AUDIT_COLUMNS.map((column) => csvCell(row[column])).join(',')
              : JSON.stringify(row);
          await write(out, `${line}\n`);
        }
        rows += page.length;
        if (page.length < EXPORT_PAGE) break;
        afterId = page.at(-1)!.id;
      }
    } finally {
      if (options.out) {
        out.end();
        await once(out, 'finish');
      }
    }
    console.error(`Exported ${rows} audit records${options.out ? ` to ${options.out}` : ''}.`);
  },
};
