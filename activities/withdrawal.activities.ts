import { ApplicationFailure } from '@temporalio/activity';
import { createOutboxRepository } from '../api/db/outbox.repository';
import { createWithdrawalRepository } from '../api/db/withdrawal.repository';
import type { Db } from '../api/db/knex';
import { withdrawalStatusChanged } from '../api/realtime/event-catalogue';
import { BusinessErrorType, type DecisionResult, type FinalWithdrawalStatus } from '../workflows/contracts';

export interface RecordWithdrawalDecisionInput {
  withdrawalId: string;
  status: FinalWithdrawalStatus;
  decidedAt: string;
  adminId?: string;
  reason?: string;
  comment?: string;
}

export function createWithdrawalActivities(deps: { db: Db }) {
  const withdrawals = createWithdrawalRepository(deps.db);
  const outbox = createOutboxRepository(deps.db);

  return {
    /**
     * Writes the outcome and its outbox event in one transaction. Idempotent: a retry after a commit whose
     * acknowledgement was lost finds the same outcome already stored and writes nothing more.
     */
    async recordWithdrawalDecision(input: RecordWithdrawalDecisionInput): Promise<DecisionResult> {
      return deps.db.transaction(async (trx) => {
        const updated = await withdrawals.recordDecision(
          {
            id: input.withdrawalId,
            status: input.status,
            decidedBy: input.adminId ?? null,
            decidedAt: new Date(input.decidedAt),
            reason: input.reason ?? null,
            comment: input.comment ?? null,
          },
          trx,
        );
        if (updated) {
          await outbox.append(trx, withdrawalStatusChanged(updated));
          return { withdrawalId: updated.id, status: updated.status, decidedAt: input.decidedAt };
        }
        const current = await withdrawals.findById(input.withdrawalId, trx);
        if (!current) {
          throw ApplicationFailure.nonRetryable(
            `Withdrawal ${input.withdrawalId} does not exist`,
            BusinessErrorType.NOT_FOUND,
          );
        }
        if (current.status === input.status) {
          return { withdrawalId: current.id, status: current.status, decidedAt: current.decidedAt!.toISOString() };
        }
        throw ApplicationFailure.nonRetryable(
          `Withdrawal ${input.withdrawalId} is ${current.status}, cannot record ${input.status}`,
          BusinessErrorType.STALE_STATE,
        );
      });
    },
  };
}
