import type { Knex } from 'knex';
import type { WithdrawalStatus } from '../../workflows/contracts';
import type { Db } from './knex';

export interface Withdrawal {
  id: string;
  workerId: string;
  amountPaise: number;
  serviceFeePaise: number;
  insuranceContributionPaise: number;
  netPaise: number;
  currency: 'INR';
  status: WithdrawalStatus;
  requiresApproval: boolean;
  holdId: string | null;
  payoutId: string | null;
  journalId: string | null;
  idempotencyKey: string;
  requestFingerprint: string;
  workflowId: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  decisionComment: string | null;
  failureReason: string | null;
  paidAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface WithdrawalRow {
  id: string;
  worker_id: string;
  amount_paise: number;
  service_fee_paise: number;
  insurance_contribution_paise: number;
  currency: 'INR';
  status: WithdrawalStatus;
  requires_approval: boolean;
  hold_id: string | null;
  payout_id: string | null;
  journal_id: string | null;
  idempotency_key: string;
  request_fingerprint: string;
  workflow_id: string;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  decision_comment: string | null;
  failure_reason: string | null;
  paid_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toWithdrawal = (row: WithdrawalRow): Withdrawal => ({
  id: row.id,
  workerId: row.worker_id,
  amountPaise: row.amount_paise,
  serviceFeePaise: row.service_fee_paise,
  insuranceContributionPaise: row.insurance_contribution_paise,
  netPaise: row.amount_paise - row.service_fee_paise - row.insurance_contribution_paise,
  currency: row.currency,
  status: row.status,
  requiresApproval: row.requires_approval,
  holdId: row.hold_id,
  payoutId: row.payout_id,
  journalId: row.journal_id,
  idempotencyKey: row.idempotency_key,
  requestFingerprint: row.request_fingerprint,
  workflowId: row.workflow_id,
  decidedBy: row.decided_by,
  decidedAt: row.decided_at,
  decisionReason: row.decision_reason,
  decisionComment: row.decision_comment,
  failureReason: row.failure_reason,
  paidAt: row.paid_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface NewWithdrawal {
  id: string;
  workerId: string;
  amountPaise: number;
  serviceFeePaise: number;
  insuranceContributionPaise: number;
  requiresApproval: boolean;
  holdId: string;
  idempotencyKey: string;
  requestFingerprint: string;
  workflowId: string;
}

/** Statuses whose withdrawal counts against the allowance: everything that did not end without paying. */
export const allowanceConsumingStatuses: readonly WithdrawalStatus[] = [
  'pending_approval',
  'approved',
  'paying',
  'paid',
];

export function createWithdrawalRepository(db: Db) {
  const table = (trx?: Knex.Transaction) => (trx ?? db)<WithdrawalRow>('withdrawals');

  /**
   * Moves a withdrawal from one of `from` to `to` with the given fields; returns undefined when it was not in
   * `from` (the caller decides whether that is a replay or a conflict).
   */
  async function transition(
    id: string,
    from: readonly WithdrawalStatus[],
    to: WithdrawalStatus,
    fields: Partial<WithdrawalRow>,
    trx: Knex.Transaction,
  ): Promise<Withdrawal | undefined> {
    const [row] = await table(trx)
      .where({ id })
      .whereIn('status', from)
      .update({ ...fields, status: to, updated_at: trx.fn.now() as unknown as Date })
      .returning<WithdrawalRow[]>('*');
    return row ? toWithdrawal(row) : undefined;
  }

  return {
    transition,

    async insert(input: NewWithdrawal, trx: Knex.Transaction): Promise<Withdrawal> {
      const [row] = await table(trx)
        .insert({
          id: input.id,
          worker_id: input.workerId,
          amount_paise: input.amountPaise,
          service_fee_paise: input.serviceFeePaise,
          insurance_contribution_paise: input.insuranceContributionPaise,
          requires_approval: input.requiresApproval,
          hold_id: input.holdId,
          idempotency_key: input.idempotencyKey,
          request_fingerprint: input.requestFingerprint,
          workflow_id: input.workflowId,
        })
        .returning<WithdrawalRow[]>('*');
      return toWithdrawal(row!);
    },

    async findById(id: string, trx?: Knex.Transaction): Promise<Withdrawal | undefined> {
      const row = await table(trx).where({ id }).first();
      return row ? toWithdrawal(row) : undefined;
    },

    async findByIdForWorker(id: string, workerId: string): Promise<Withdrawal | undefined> {
      const row = await table().where({ id, worker_id: workerId }).first();
      return row ? toWithdrawal(row) : undefined;
    },

    async findByIdempotencyKey(
      workerId: string,
      idempotencyKey: string,
      trx?: Knex.Transaction,
    ): Promise<Withdrawal | undefined> {
      const row = await table(trx).where({ worker_id: workerId, idempotency_key: idempotencyKey }).first();
      return row ? toWithdrawal(row) : undefined;
    },

    async countConsumingAllowance(workerId: string, trx?: Knex.Transaction): Promise<number> {
      const [row] = await table(trx)
        .where({ worker_id: workerId })
        .whereIn('status', allowanceConsumingStatuses)
        .count<Array<{ count: number }>>('* as count');
      return Number(row?.count ?? 0);
    },
  };
}

export type WithdrawalRepository = ReturnType<typeof createWithdrawalRepository>;
