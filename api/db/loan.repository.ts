import type { Knex } from 'knex';
import type { LoanEligibility } from '../domain/loan';
import type { LoanStatus } from '../../workflows/contracts';
import type { Db } from './knex';

export interface Loan {
  id: string;
  workerId: string;
  amountPaise: number;
  annualRateBps: number;
  tenureMonths: number;
  emiPaise: number;
  totalInterestPaise: number;
  status: LoanStatus;
  eligibility: LoanEligibility;
  documentId: string;
  idempotencyKey: string;
  requestFingerprint: string;
  workflowId: string;
  disbursalJournalId: string | null;
  disbursedAt: Date | null;
  closedAt: Date | null;
  closure: 'repaid' | 'prepaid' | null;
  decisionReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type InstalmentStatus = 'scheduled' | 'overdue' | 'paid' | 'waived';

export interface LoanInstalment {
  loanId: string;
  number: number;
  dueOn: string;
  dueAt: Date;
  principalPaise: number;
  interestPaise: number;
  lateFeePaise: number;
  status: InstalmentStatus;
  attempts: number;
  overdueAt: Date | null;
  paidAt: Date | null;
  journalId: string | null;
}

interface LoanRow {
  id: string;
  worker_id: string;
  amount_paise: string | number;
  annual_rate_bps: number;
  tenure_months: number;
  emi_paise: string | number;
  total_interest_paise: string | number;
  status: LoanStatus;
  eligibility: LoanEligibility;
  document_id: string;
  idempotency_key: string;
  request_fingerprint: string;
  workflow_id: string;
  disbursal_journal_id: string | null;
  disbursed_at: Date | null;
  closed_at: Date | null;
  closure: 'repaid' | 'prepaid' | null;
  decision_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

interface InstalmentRow {
  loan_id: string;
  number: number;
  due_on: string;
  due_at: Date;
  principal_paise: string | number;
  interest_paise: string | number;
  late_fee_paise: string | number;
  status: InstalmentStatus;
  attempts: number;
  overdue_at: Date | null;
  paid_at: Date | null;
  journal_id: string | null;
}

const toLoan = (r: LoanRow): Loan => ({
  id: r.id,
  workerId: r.worker_id,
  amountPaise: Number(r.amount_paise),
  annualRateBps: r.annual_rate_bps,
  tenureMonths: r.tenure_months,
  emiPaise: Number(r.emi_paise),
  totalInterestPaise: Number(r.total_interest_paise),
  status: r.status,
  eligibility: r.eligibility,
  documentId: r.document_id,
  idempotencyKey: r.idempotency_key,
  requestFingerprint: r.request_fingerprint,
  workflowId: r.workflow_id,
  disbursalJournalId: r.disbursal_journal_id,
  disbursedAt: r.disbursed_at,
  closedAt: r.closed_at,
  closure: r.closure,
  decisionReason: r.decision_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toInstalment = (r: InstalmentRow): LoanInstalment => ({
  loanId: r.loan_id,
  number: r.number,
  dueOn: r.due_on,
  dueAt: r.due_at,
  principalPaise: Number(r.principal_paise),
  interestPaise: Number(r.interest_paise),
  lateFeePaise: Number(r.late_fee_paise),
  status: r.status,
  attempts: r.attempts,
  overdueAt: r.overdue_at,
  paidAt: r.paid_at,
  journalId: r.journal_id,
});

export interface NewLoan {
  id: string;
  workerId: string;
  amountPaise: number;
  annualRateBps: number;
  tenureMonths: number;
  emiPaise: number;
  totalInterestPaise: number;
  eligibility: LoanEligibility;
  documentId: string;
  idempotencyKey: string;
  requestFingerprint: string;
  workflowId: string;
}

const IST_DAY_SQL = `floor((extract(epoch from completed_at) + 19800) / 86400)::int`;

export function createLoanRepository(db: Db) {
  const q = (trx?: Knex | Knex.Transaction) => trx ?? db;

  return {
    async insert(trx: Knex.Transaction, loan: NewLoan): Promise<Loan> {
      const [row] = await trx<LoanRow>('loans')
        .insert({
          id: loan.id,
          worker_id: loan.workerId,
          amount_paise: loan.amountPaise,
          annual_rate_bps: loan.annualRateBps,
          tenure_months: loan.tenureMonths,
          emi_paise: loan.emiPaise,
          total_interest_paise: loan.totalInterestPaise,
          eligibility: loan.eligibility,
          document_id: loan.documentId,
          idempotency_key: loan.idempotencyKey,
          request_fingerprint: loan.requestFingerprint,
          workflow_id: loan.workflowId,
        })
        .returning('*');
      return toLoan(row!);
    },

    async findById(id: string, trx?: Knex.Transaction): Promise<Loan | undefined> {
      const row = await q(trx)<LoanRow>('loans').where({ id }).first();
      return row && toLoan(row);
    },

    async lock(id: string, trx: Knex.Transaction): Promise<Loan | undefined> {
      const row = await trx<LoanRow>('loans').where({ id }).forUpdate().first();
      return row && toLoan(row);
    },

    async findByIdempotencyKey(workerId: string, key: string, trx: Knex.Transaction): Promise<Loan | undefined> {
      const row = await trx<LoanRow>('loans').where({ worker_id: workerId, idempotency_key: key }).first();
      return row && toLoan(row);
    },

    async listForWorker(workerId: string): Promise<Loan[]> {
      const rows = await db<LoanRow>('loans').where({ worker_id: workerId }).orderBy('created_at', 'desc');
      return rows.map(toLoan);
    },

    async hasOpenLoan(workerId: string, trx?: Knex.Transaction): Promise<boolean> {
      const row = await q(trx)<LoanRow>('loans')
        .where({ worker_id: workerId })
        .whereIn('status', ['pending_approval', 'active'])
        .first('id');
      return row !== undefined;
    },

    async update(trx: Knex.Transaction, id: string, changes: Partial<LoanRow>): Promise<Loan> {
      const [row] = await trx<LoanRow>('loans')
        .where({ id })
        .update({ ...changes, updated_at: trx.fn.now() as unknown as Date })
        .returning('*');
      return toLoan(row!);
    },

    /** Earnings per IST day from credited trips, from `fromDay` on (the eligibility window). */
    async dailyEarnings(
      workerId: string,
      fromDay: number,
      trx?: Knex.Transaction,
    ): Promise<Array<{ day: number; amountPaise: number }>> {
      const rows = await q(trx)('platform_trips')
        .where('worker_id', workerId)
        .andWhere('completed_at', '>=', new Date(fromDay * 86_400_000 - 19_800_000))
        .groupByRaw(IST_DAY_SQL)
        .select<Array<{ day: number; total: string }>>(
          db.raw(`${IST_DAY_SQL} AS day`),
          db.raw('sum(amount_paise)::text AS total'),
        );
      return rows.map((r) => ({ day: r.day, amountPaise: Number(r.total) }));
    },

    async insertInstalments(
      trx: Knex.Transaction,
      rows: Array<Omit<LoanInstalment, 'status' | 'attempts' | 'overdueAt' | 'paidAt' | 'journalId' | 'lateFeePaise'>>,
    ): Promise<void> {
      await trx('loan_instalments').insert(
        rows.map((r) => ({
          loan_id: r.loanId,
          number: r.number,
          due_on: r.dueOn,
          due_at: r.dueAt,
          principal_paise: r.principalPaise,
          interest_paise: r.interestPaise,
        })),
      );
    },

    async instalments(loanId: string, trx?: Knex.Transaction): Promise<LoanInstalment[]> {
      const rows = await q(trx)<InstalmentRow>('loan_instalments')
        .where({ loan_id: loanId })
        .orderBy('number')
        .select('*', db.raw(`to_char(due_on, 'YYYY-MM-DD') AS due_on`));
      return rows.map(toInstalment);
    },

    async updateInstalment(
      trx: Knex.Transaction,
      loanId: string,
      number: number,
      changes: Partial<InstalmentRow>,
    ): Promise<void> {
      await trx('loan_instalments').where({ loan_id: loanId, number }).update(changes);
    },

    /** Overdue instalments of active loans with their worker, for the admin arrears view. */
    async overdue(): Promise<Array<LoanInstalment & { workerId: string }>> {
      const rows = await db('loan_instalments as i')
        .join('loans as l', 'l.id', 'i.loan_id')
        .where('i.status', 'overdue')
        .select<Array<InstalmentRow & { worker_id: string }>>(
          'i.*',
          db.raw(`to_char(i.due_on, 'YYYY-MM-DD') AS due_on`),
          'l.worker_id',
        );
      return rows.map((r) => ({ ...toInstalment(r), workerId: r.worker_id }));
    },
  };
}

export type LoanRepository = ReturnType<typeof createLoanRepository>;
