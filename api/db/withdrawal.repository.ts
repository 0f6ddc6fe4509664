import type { Knex } from 'knex';
import type { FinalWithdrawalStatus, WithdrawalStatus } from '../../workflows/contracts';
import type { Db } from './knex';

export interface Withdrawal {
  id: string;
  workerId: string;
  amountPaise: number;
  currency: 'INR';
  status: WithdrawalStatus;
  idempotencyKey: string;
  requestFingerprint: string;
  workflowId: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  decisionComment: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface WithdrawalRow {
  id: string;
  worker_id: string;
  amount_paise: number;
  currency: 'INR';
  status: WithdrawalStatus;
  idempotency_key: string;
  request_fingerprint: string;
  workflow_id: string;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  decision_comment: string | null;
  created_at: Date;
  updated_at: Date;
}

const toWithdrawal = (row: WithdrawalRow): Withdrawal => ({
  id: row.id,
  workerId: row.worker_id,
  amountPaise: row.amount_paise,
  currency: row.currency,
  status: row.status,
  idempotencyKey: row.idempotency_key,
  requestFingerprint: row.request_fingerprint,
  workflowId: row.workflow_id,
  decidedBy: row.decided_by,
  decidedAt: row.decided_at,
  decisionReason: row.decision_reason,
  decisionComment: row.decision_comment,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface NewWithdrawal {
  id: string;
  workerId: string;
  amountPaise: number;
  idempotencyKey: string;
  requestFingerprint: string;
  workflowId: string;
}

export interface WithdrawalDecisionRecord {
  id: string;
  status: FinalWithdrawalStatus;
  decidedBy: string | null;
  decidedAt: Date;
  reason: string | null;
  comment: string | null;
}

export function createWithdrawalRepository(db: Db) {
  const table = (trx?: Knex.Transaction) => (trx ?? db)<WithdrawalRow>('withdrawals');

  return {
    /** Inserts unless this worker already used the idempotency key; returns undefined in that case. */
    async insertUnlessKeyUsed(input: NewWithdrawal, trx?: Knex.Transaction): Promise<Withdrawal | undefined> {
      const [row] = await table(trx)
        .insert({
          id: input.id,
          worker_id: input.workerId,
          amount_paise: input.amountPaise,
          idempotency_key: input.idempotencyKey,
          request_fingerprint: input.requestFingerprint,
          workflow_id: input.workflowId,
        })
        .onConflict(['worker_id', 'idempotency_key'])
        .ignore()
        .returning('*');
      return row ? toWithdrawal(row) : undefined;
    },

    async findById(id: string, trx?: Knex.Transaction): Promise<Withdrawal | undefined> {
      const row = await table(trx).where({ id }).first();
      return row ? toWithdrawal(row) : undefined;
    },

    async findByIdForWorker(id: string, workerId: string): Promise<Withdrawal | undefined> {
      const row = await table().where({ id, worker_id: workerId }).first();
      return row ? toWithdrawal(row) : undefined;
    },

    async findByIdempotencyKey(workerId: string, idempotencyKey: string): Promise<Withdrawal | undefined> {
      const row = await table().where({ worker_id: workerId, idempotency_key: idempotencyKey }).first();
      return row ? toWithdrawal(row) : undefined;
    },

    /** Moves a pending withdrawal to its outcome; returns undefined when it was no longer pending. */
    async recordDecision(input: WithdrawalDecisionRecord, trx?: Knex.Transaction): Promise<Withdrawal | undefined> {
      const [row] = await table(trx)
        .where({ id: input.id, status: 'pending_approval' })
        .update({
          status: input.status,
          decided_by: input.decidedBy,
          decided_at: input.decidedAt,
          decision_reason: input.reason,
          decision_comment: input.comment,
          updated_at: db.fn.now() as unknown as Date,
        })
        .returning('*');
      return row ? toWithdrawal(row) : undefined;
    },
  };
}

export type WithdrawalRepository = ReturnType<typeof createWithdrawalRepository>;
