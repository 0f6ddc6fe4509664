import type { Knex } from 'knex';
import type { ClaimType } from '../domain/insurance';
import type { IstDay } from '../domain/ist';
import type { ClaimStatus } from '../../workflows/contracts';
import type { Db } from './knex';

const DAY_MS = 24 * 60 * 60 * 1000;

/** An IST day as the calendar date PostgreSQL stores (`YYYY-MM-DD`); an IstDay read as a UTC day is that date. */
export const isoDateOf = (day: IstDay): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The IST day of a `YYYY-MM-DD` calendar date. */
export function istDayOfIsoDate(date: string): IstDay {
  const [year = NaN, month = NaN, day = NaN] = date.split('-').map(Number);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export type CoverageStatus = 'active' | 'grace' | 'lapsed' | 'opted_out';
export type PremiumStatus = 'due' | 'paid' | 'lapsed';

export interface Coverage {
  workerId: string;
  status: CoverageStatus;
  optedInAt: Date | null;
  /** First IST day no longer covered after an opt-out; null when none is pending or applied. */
  optOutEffectiveOn: IstDay | null;
  updatedAt: Date;
}

export interface CoveragePeriod {
  startsOn: IstDay;
  /** First IST day not covered; null while the period runs. */
  endsOn: IstDay | null;
}

export interface Premium {
  workerId: string;
  /** IST month, YYYY-MM. */
  month: string;
  amountPaise: number;
  dueOn: IstDay;
  status: PremiumStatus;
  attempts: number;
  paidAt: Date | null;
  journalId: string | null;
}

export interface Claim {
  id: string;
  workerId: string;
  type: ClaimType;
  incidentOn: IstDay;
  description: string;
  payoutPaise: number;
  status: ClaimStatus;
  idempotencyKey: string;
  requestFingerprint: string;
  workflowId: string;
  journalId: string | null;
  decisionReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Contribution {
  kind: 'premium' | 'withdrawal_share';
  /** The premium's month or the withdrawal's id. */
  reference: string;
  amountPaise: number;
  at: Date;
}

interface CoverageRow {
  worker_id: string;
  status: CoverageStatus;
  opted_in_at: Date | null;
  opt_out_effective_on: string | null;
  updated_at: Date;
}
interface PeriodRow {
  starts_on: string;
  ends_on: string | null;
}
interface PremiumRow {
  worker_id: string;
  month: string;
  amount_paise: number;
  due_on: string;
  status: PremiumStatus;
  attempts: number;
  paid_at: Date | null;
  journal_id: string | null;
}
interface ClaimRow {
  id: string;
  worker_id: string;
  type: ClaimType;
  incident_on: string;
  description: string;
  payout_paise: number;
  status: ClaimStatus;
  idempotency_key: string;
  request_fingerprint: string;
  workflow_id: string;
  journal_id: string | null;
  decision_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

const toCoverage = (r: CoverageRow): Coverage => ({
  workerId: r.worker_id,
  status: r.status,
  optedInAt: r.opted_in_at,
  optOutEffectiveOn: r.opt_out_effective_on === null ? null : istDayOfIsoDate(r.opt_out_effective_on),
  updatedAt: r.updated_at,
});
const toPeriod = (r: PeriodRow): CoveragePeriod => ({
  startsOn: istDayOfIsoDate(r.starts_on),
  endsOn: r.ends_on === null ? null : istDayOfIsoDate(r.ends_on),
});
const toPremium = (r: PremiumRow): Premium => ({
  workerId: r.worker_id,
  month: r.month,
  amountPaise: r.amount_paise,
  dueOn: istDayOfIsoDate(r.due_on),
  status: r.status,
  attempts: r.attempts,
  paidAt: r.paid_at,
  journalId: r.journal_id,
});
const toClaim = (r: ClaimRow): Claim => ({
  id: r.id,
  workerId: r.worker_id,
  type: r.type,
  incidentOn: istDayOfIsoDate(r.incident_on),
  description: r.description,
  payoutPaise: r.payout_paise,
  status: r.status,
  idempotencyKey: r.idempotency_key,
  requestFingerprint: r.request_fingerprint,
  workflowId: r.workflow_id,
  journalId: r.journal_id,
  decisionReason: r.decision_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

// DATE columns travel as text: node-pg would turn them into local-midnight Dates, which shift with the host zone.
const coverageColumns = (db: Knex) => [
  'worker_id',
  'status',
  'opted_in_at',
  db.raw('opt_out_effective_on::text AS opt_out_effective_on'),
  'updated_at',
];
const premiumColumns = (db: Knex) => [
  'worker_id',
  'month',
  'amount_paise',
  db.raw('due_on::text AS due_on'),
  'status',
  'attempts',
  'paid_at',
  'journal_id',
];
const claimColumns = (db: Knex) => [
  'id',
  'worker_id',
  'type',
  db.raw('incident_on::text AS incident_on'),
  'description',
  'payout_paise',
  'status',
  'idempotency_key',
  'request_fingerprint',
  'workflow_id',
  'journal_id',
  'decision_reason',
  'created_at',
  'updated_at',
];

/** Coverage, coverage periods, monthly premiums and claims (SPEC §7). */
export function createInsuranceRepository(db: Db) {
  const q = (trx?: Knex.Transaction) => trx ?? db;

  return {
    async findCoverage(workerId: string, trx?: Knex.Transaction): Promise<Coverage | undefined> {
      const [row] = await q(trx)('insurance_coverages')
        .where({ worker_id: workerId })
        .select<CoverageRow[]>(coverageColumns(db));
      return row && toCoverage(row);
    },

    /** The coverage row under a row lock; the caller holds the worker lock already (one lock order everywhere). */
    async lockCoverage(trx: Knex.Transaction, workerId: string): Promise<Coverage | undefined> {
      const [row] = await trx('insurance_coverages')
        .where({ worker_id: workerId })
        .forUpdate()
        .select<CoverageRow[]>(coverageColumns(db));
      return row && toCoverage(row);
    },

    /** Opting in (again): the row is created, or brought back with a fresh opt-in time. */
    async saveOptIn(trx: Knex.Transaction, workerId: string, status: CoverageStatus): Promise<void> {
      await trx('insurance_coverages')
        .insert({
          worker_id: workerId,
          status,
          opted_in_at: trx.fn.now(),
          opt_out_effective_on: null,
          updated_at: trx.fn.now(),
        })
        .onConflict('worker_id')
        .merge(['status', 'opted_in_at', 'opt_out_effective_on', 'updated_at']);
    },

    async updateCoverage(
      trx: Knex.Transaction,
      workerId: string,
      patch: { status?: CoverageStatus; optOutEffectiveOn?: IstDay | null },
    ): Promise<Coverage> {
      const [row] = await trx('insurance_coverages')
        .where({ worker_id: workerId })
        .update({
          ...(patch.status ? { status: patch.status } : {}),
          ...(patch.optOutEffectiveOn !== undefined
            ? { opt_out_effective_on: patch.optOutEffectiveOn === null ? null : isoDateOf(patch.optOutEffectiveOn) }
            : {}),
          updated_at: trx.fn.now(),
        })
        .returning<CoverageRow[]>(coverageColumns(db));
      return toCoverage(row!);
    },

    /** Workers whose coverage may need billing, retrying, lapsing or an opt-out applied, in id order. */
    async listEnrolledWorkerIds(afterWorkerId: string | undefined, limit: number): Promise<string[]> {
      const rows: Array<{ worker_id: string }> = await db('insurance_coverages')
        .whereNot({ status: 'opted_out' })
        .modify((b) => {
          if (afterWorkerId) void b.where('worker_id', '>', afterWorkerId);
        })
        .orderBy('worker_id')
        .limit(limit)
        .select('worker_id');
      return rows.map((r) => r.worker_id);
    },

    async periods(workerId: string, trx?: Knex.Transaction): Promise<CoveragePeriod[]> {
      const rows = await q(trx)('insurance_coverage_periods')
        .where({ worker_id: workerId })
        .orderBy('starts_on')
        .select<PeriodRow[]>(db.raw('starts_on::text AS starts_on'), db.raw('ends_on::text AS ends_on'));
      return rows.map(toPeriod);
    },

    /** Starts covering from `startsOn`; the unique index allows one open period per worker. */
    async openPeriod(trx: Knex.Transaction, workerId: string, startsOn: IstDay): Promise<void> {
      const open: { id: number } | undefined = await trx('insurance_coverage_periods')
        .where({ worker_id: workerId })
        .whereNull('ends_on')
        .first('id');
      if (open) return;
      await trx('insurance_coverage_periods').insert({ worker_id: workerId, starts_on: isoDateOf(startsOn) });
    },

    /** Ends the running period: `endsOn` is the first day not covered (never before the period began). */
    async closeOpenPeriod(trx: Knex.Transaction, workerId: string, endsOn: IstDay): Promise<void> {
      await trx('insurance_coverage_periods')
        .where({ worker_id: workerId })
        .whereNull('ends_on')
        .update({ ends_on: trx.raw('GREATEST(starts_on, ?::date)', [isoDateOf(endsOn)]) });
    },

    async findPremium(workerId: string, month: string, trx?: Knex.Transaction): Promise<Premium | undefined> {
      const [row] = await q(trx)('insurance_premiums')
        .where({ worker_id: workerId, month })
        .select<PremiumRow[]>(premiumColumns(db));
      return row && toPremium(row);
    },

    /** The month's premium row, created when missing (the primary key makes one per worker and month). */
    async ensurePremium(
      trx: Knex.Transaction,
      premium: { workerId: string; month: string; amountPaise: number; dueOn: IstDay },
    ): Promise<Premium> {
      await trx('insurance_premiums')
        .insert({
          worker_id: premium.workerId,
          month: premium.month,
          amount_paise: premium.amountPaise,
          due_on: isoDateOf(premium.dueOn),
        })
        .onConflict(['worker_id', 'month'])
        .ignore();
      const [row] = await trx('insurance_premiums')
        .where({ worker_id: premium.workerId, month: premium.month })
        .select<PremiumRow[]>(premiumColumns(db));
      return toPremium(row!);
    },

    /** Premiums still to collect, oldest first. */
    async unpaidPremiums(workerId: string, trx?: Knex.Transaction): Promise<Premium[]> {
      const rows = await q(trx)('insurance_premiums')
        .where({ worker_id: workerId, status: 'due' })
        .orderBy('month')
        .select<PremiumRow[]>(premiumColumns(db));
      return rows.map(toPremium);
    },

    async markPremiumPaid(trx: Knex.Transaction, workerId: string, month: string, journalId: string): Promise<Premium> {
      const [row] = await trx('insurance_premiums')
        .where({ worker_id: workerId, month, status: 'due' })
        .update({ status: 'paid', journal_id: journalId, paid_at: trx.fn.now(), attempts: trx.raw('attempts + 1') })
        .returning<PremiumRow[]>(premiumColumns(db));
      return toPremium(row!);
    },

    async countFailedAttempt(trx: Knex.Transaction, workerId: string, month: string): Promise<Premium> {
      const [row] = await trx('insurance_premiums')
        .where({ worker_id: workerId, month })
        .update({ attempts: trx.raw('LEAST(attempts + 1, 32767)') })
        .returning<PremiumRow[]>(premiumColumns(db));
      return toPremium(row!);
    },

    /** A written-off premium of the current month becomes due again (the worker opts in again this month). */
    async reopenPremium(trx: Knex.Transaction, workerId: string, month: string, dueOn: IstDay): Promise<Premium> {
      const [row] = await trx('insurance_premiums')
        .where({ worker_id: workerId, month, status: 'lapsed' })
        .update({ status: 'due', due_on: isoDateOf(dueOn) })
        .returning<PremiumRow[]>(premiumColumns(db));
      return toPremium(row!);
    },

    /** Premiums no longer collected (months the worker was not covered for, or after an opt-out). */
    async writeOffUnpaid(trx: Knex.Transaction, workerId: string, beforeMonth?: string): Promise<number> {
      return trx('insurance_premiums')
        .where({ worker_id: workerId, status: 'due' })
        .modify((b) => {
          if (beforeMonth) void b.where('month', '<', beforeMonth);
        })
        .update({ status: 'lapsed' });
    },

    /** Row lock on a ledger account, so a balance read stays true until this transaction posts. */
    async lockAccount(trx: Knex.Transaction, accountId: string): Promise<void> {
      await trx('ledger_accounts').where({ id: accountId }).forUpdate().first('id');
    },

    /**
     * Premiums paid and the 1% shares of paid withdrawals, newest first. The cursor is the last item's
     * (at, kind, reference); times are compared at millisecond precision, the precision a cursor carries.
     */
    async contributions(
      workerId: string,
      options: { before?: { at: Date; kind: string; reference: string }; limit: number },
    ): Promise<Contribution[]> {
      const union = db
        .from('insurance_premiums')
        .where({ worker_id: workerId, status: 'paid' })
        .select(
          db.raw(`'premium' AS kind`),
          db.raw('month::text AS reference'),
          'amount_paise',
          db.raw(`date_trunc('milliseconds', paid_at) AS at`),
        )
        .unionAll((u) => {
          void u
            .from('withdrawals')
            .where({ worker_id: workerId, status: 'paid' })
            .andWhere('insurance_contribution_paise', '>', 0)
            .select(
              db.raw(`'withdrawal_share' AS kind`),
              db.raw('id::text AS reference'),
              db.raw('insurance_contribution_paise AS amount_paise'),
              db.raw(`date_trunc('milliseconds', coalesce(paid_at, updated_at)) AS at`),
            );
        });
      const rows: Array<{ kind: Contribution['kind']; reference: string; amount_paise: number; at: Date }> = await db
        .from(union.as('c'))
        .modify((b) => {
          if (options.before) {
            void b.whereRaw('(at, kind, reference) < (?, ?, ?)', [
              options.before.at,
              options.before.kind,
              options.before.reference,
            ]);
          }
        })
        .orderBy([
          { column: 'at', order: 'desc' },
          { column: 'kind', order: 'desc' },
          { column: 'reference', order: 'desc' },
        ])
        .limit(options.limit)
        .select('kind', 'reference', 'amount_paise', 'at');
      return rows.map((r) => ({ kind: r.kind, reference: r.reference, amountPaise: r.amount_paise, at: r.at }));
    },

    async contributionTotals(workerId: string): Promise<{ premiumsPaise: number; withdrawalSharesPaise: number }> {
      const [premiums] = await db('insurance_premiums')
        .where({ worker_id: workerId, status: 'paid' })
        .sum<Array<{ total: string | null }>>('amount_paise as total');
      const [shares] = await db('withdrawals')
        .where({ worker_id: workerId, status: 'paid' })
        .sum<Array<{ total: string | null }>>('insurance_contribution_paise as total');
      return { premiumsPaise: Number(premiums?.total ?? 0), withdrawalSharesPaise: Number(shares?.total ?? 0) };
    },

    async insertClaim(
      trx: Knex.Transaction,
      claim: Omit<Claim, 'status' | 'journalId' | 'decisionReason' | 'createdAt' | 'updatedAt'>,
    ): Promise<Claim> {
      const [row] = await trx('insurance_claims')
        .insert({
          id: claim.id,
          worker_id: claim.workerId,
          type: claim.type,
          incident_on: isoDateOf(claim.incidentOn),
          description: claim.description,
          payout_paise: claim.payoutPaise,
          idempotency_key: claim.idempotencyKey,
          request_fingerprint: claim.requestFingerprint,
          workflow_id: claim.workflowId,
        })
        .returning<ClaimRow[]>(claimColumns(db));
      return toClaim(row!);
    },

    async findClaim(id: string, trx?: Knex.Transaction): Promise<Claim | undefined> {
      const [row] = await q(trx)('insurance_claims').where({ id }).select<ClaimRow[]>(claimColumns(db));
      return row && toClaim(row);
    },

    async findClaimForWorker(id: string, workerId: string): Promise<Claim | undefined> {
      const [row] = await db('insurance_claims')
        .where({ id, worker_id: workerId })
        .select<ClaimRow[]>(claimColumns(db));
      return row && toClaim(row);
    },

    async findClaimByKey(workerId: string, idempotencyKey: string, trx?: Knex.Transaction): Promise<Claim | undefined> {
      const [row] = await q(trx)('insurance_claims')
        .where({ worker_id: workerId, idempotency_key: idempotencyKey })
        .select<ClaimRow[]>(claimColumns(db));
      return row && toClaim(row);
    },

    async lockClaim(trx: Knex.Transaction, id: string): Promise<Claim | undefined> {
      const [row] = await trx('insurance_claims').where({ id }).forUpdate().select<ClaimRow[]>(claimColumns(db));
      return row && toClaim(row);
    },

    async updateClaim(
      trx: Knex.Transaction,
      id: string,
      patch: { status: ClaimStatus; journalId?: string; decisionReason?: string | null },
    ): Promise<Claim> {
      const [row] = await trx('insurance_claims')
        .where({ id })
        .update({
          status: patch.status,
          ...(patch.journalId ? { journal_id: patch.journalId } : {}),
          ...(patch.decisionReason !== undefined ? { decision_reason: patch.decisionReason } : {}),
          updated_at: trx.fn.now(),
        })
        .returning<ClaimRow[]>(claimColumns(db));
      return toClaim(row!);
    },

    /** The claims that count toward the yearly caps: pending ones (they may still be paid) and paid ones. */
    async claimsCountingTowardCaps(
      workerId: string,
      trx?: Knex.Transaction,
    ): Promise<Array<{ type: ClaimType; incidentOn: IstDay }>> {
      const rows = await q(trx)('insurance_claims')
        .where({ worker_id: workerId })
        .whereIn('status', ['pending_approval', 'paid'])
        .select<Array<Pick<ClaimRow, 'type' | 'incident_on'>>>('type', db.raw('incident_on::text AS incident_on'));
      return rows.map((r) => ({ type: r.type, incidentOn: istDayOfIsoDate(r.incident_on) }));
    },

    /** The worker's claims, newest first; the cursor is the last item's (createdAt, id) at millisecond precision. */
    async listClaims(
      workerId: string,
      options: { before?: { createdAt: Date; id: string }; limit: number },
    ): Promise<Claim[]> {
      const rows = await db('insurance_claims')
        .where({ worker_id: workerId })
        .modify((b) => {
          if (options.before) {
            void b.whereRaw(`(date_trunc('milliseconds', created_at), id) < (?, ?)`, [
              options.before.createdAt,
              options.before.id,
            ]);
          }
        })
        .orderByRaw(`date_trunc('milliseconds', created_at) DESC, id DESC`)
        .limit(options.limit)
        .select<ClaimRow[]>(claimColumns(db));
      return rows.map(toClaim);
    },
  };
}

export type InsuranceRepository = ReturnType<typeof createInsuranceRepository>;
