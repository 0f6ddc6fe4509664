import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { Db } from '../api/db/knex';
import { createLedgerRepository } from '../api/db/ledger.repository';
import { createOutboxRepository } from '../api/db/outbox.repository';
import { createRequestRepository } from '../api/db/request.repository';
import { createWithdrawalRepository, type Withdrawal } from '../api/db/withdrawal.repository';
import { withdrawalStatusChanged } from '../api/realtime/event-catalogue';
import { createLedgerService } from '../api/services/ledger.service';
import { PayoutRefusedError, type PayoutRailClient, type RailPayout } from '../api/services/payout-rail.client';
import {
  BusinessErrorType,
  terminalWithdrawalStatuses,
  type ClosedWithoutPayout,
  type DecisionResult,
  type WithdrawalStatus,
} from '../workflows/contracts';

export interface CloseInput {
  withdrawalId: string;
  status: ClosedWithoutPayout;
  decidedAt: string;
  adminId?: string;
  reason: string;
  comment?: string;
}

export interface ApproveInput {
  withdrawalId: string;
  decidedAt: string;
  /** Absent for automatic approval below the threshold. */
  adminId?: string;
  comment?: string;
}

export function createWithdrawalActivities(deps: { db: Db; rail: PayoutRailClient }) {
  const { db, rail } = deps;
  const withdrawals = createWithdrawalRepository(db);
  const outbox = createOutboxRepository(db);
  const requests = createRequestRepository(db);
  const ledger = createLedgerService({ db, ledger: createLedgerRepository(db) });

  const result = (w: Withdrawal): DecisionResult => ({
    withdrawalId: w.id,
    status: w.status,
    decidedAt: (w.decidedAt ?? w.updatedAt).toISOString(),
  });

  /**
   * Applies one state change with its side effects and outbox event in a single transaction. Idempotent: when the
   * row is already in `to` (a retry after a lost acknowledgement) nothing more is written.
   */
  async function step(
    withdrawalId: string,
    from: readonly WithdrawalStatus[],
    to: WithdrawalStatus,
    fields: Record<string, unknown>,
    effect?: (w: Withdrawal, trx: Knex.Transaction) => Promise<Record<string, unknown> | void>,
  ): Promise<Withdrawal> {
    return db.transaction(async (trx) => {
      const current = await withdrawals.findById(withdrawalId, trx);
      if (!current) {
        throw ApplicationFailure.nonRetryable(`Withdrawal ${withdrawalId} does not exist`, BusinessErrorType.NOT_FOUND);
      }
      if (current.status === to) return current;
      if (!from.includes(current.status)) {
        throw ApplicationFailure.nonRetryable(
          `Withdrawal ${withdrawalId} is ${current.status}, cannot become ${to}`,
          BusinessErrorType.STALE_STATE,
        );
      }
      const extra = (await effect?.(current, trx)) ?? {};
      const updated = await withdrawals.transition(withdrawalId, from, to, { ...fields, ...extra }, trx);
      if (!updated) throw new Error(`Withdrawal ${withdrawalId} changed during the transaction`);
      await requests.ensureWithdrawal(trx, current);
      const decider = fields.decided_by as string | null | undefined;
      await requests.recordStatus(
        trx,
        withdrawalId,
        to,
        decider ? { actorKind: 'admin', actorId: decider } : { actorKind: 'system' },
        {
          closed: terminalWithdrawalStatuses.includes(to),
          detail: { reason: updated.failureReason ?? updated.decisionReason },
        },
      );
      await outbox.append(trx, withdrawalStatusChanged(updated));
      return updated;
    });
  }

  return {
    async approveWithdrawal(input: ApproveInput): Promise<DecisionResult> {
      const w = await step(input.withdrawalId, ['pending_approval'], 'approved', {
        decided_by: input.adminId ?? null,
        decided_at: new Date(input.decidedAt),
        decision_reason: input.adminId ? null : 'approved automatically',
        decision_comment: input.comment ?? null,
      });
      return result(w);
    },

    /** Rejection, cancellation or expiry: the hold is voided, so the money is spendable again at once. */
    async closeWithoutPayout(input: CloseInput): Promise<DecisionResult> {
      const w = await step(
        input.withdrawalId,
        ['pending_approval'],
        input.status,
        {
          decided_by: input.adminId ?? null,
          decided_at: new Date(input.decidedAt),
          decision_reason: input.reason,
          decision_comment: input.comment ?? null,
        },
        async (current, trx) => {
          if (current.holdId) await ledger.voidHold(current.holdId, trx);
        },
      );
      return result(w);
    },

    /** Sends the net amount to the rail. The withdrawal id is the rail's idempotency key: a retry never pays twice. */
    async requestPayout(input: { withdrawalId: string }): Promise<{ payoutId: string }> {
      const current = await withdrawals.findById(input.withdrawalId);
      if (!current) {
        throw ApplicationFailure.nonRetryable(
          `Withdrawal ${input.withdrawalId} does not exist`,
          BusinessErrorType.NOT_FOUND,
        );
      }
      if (current.payoutId) return { payoutId: current.payoutId };
      let payout: RailPayout;
      try {
        payout = await rail.createPayout({
          reference: current.id,
          amountPaise: current.netPaise,
          idempotencyKey: `withdrawal-${current.id}`,
        });
      } catch (err) {
        if (err instanceof PayoutRefusedError) {
          throw ApplicationFailure.nonRetryable(err.message, BusinessErrorType.PAYOUT_REFUSED);
        }
        throw err;
      }
      await step(input.withdrawalId, ['approved'], 'paying', { payout_id: payout.payoutId });
      return { payoutId: payout.payoutId };
    },

    /** The rail's own answer: webhooks only wake the workflow, this is what it acts on. */
    async checkPayout(input: { payoutId: string }): Promise<Pick<RailPayout, 'status' | 'failureReason'>> {
      const payout = await rail.getPayout(input.payoutId);
      return { status: payout.status, failureReason: payout.failureReason };
    },

    /** The rail paid: post the hold (wallet → payout clearing, fee revenue, insurance pool), exactly once. */
    async completePayout(input: { withdrawalId: string }): Promise<DecisionResult> {
      const w = await step(input.withdrawalId, ['paying'], 'paid', { paid_at: new Date() }, async (current, trx) => {
        // One after another: they share the transaction's connection.
        const clearing = await ledger.systemAccount('payout_clearing', trx);
        const fees = await ledger.systemAccount('fee_revenue', trx);
        const pool = await ledger.systemAccount('insurance_pool', trx);
        const credits = [
          { accountId: clearing.id, amountPaise: current.netPaise },
          { accountId: fees.id, amountPaise: current.serviceFeePaise },
          { accountId: pool.id, amountPaise: current.insuranceContributionPaise },
        ].filter((c) => c.amountPaise > 0);
        const { journal } = await ledger.postHold(
          {
            holdId: current.holdId!,
            idempotencyKey: `withdrawal:${current.id}:post`,
            kind: 'withdrawal',
            credits,
            description: `Withdrawal ${current.id}`,
            metadata: { withdrawalId: current.id, payoutId: current.payoutId },
          },
          trx,
        );
        return { journal_id: journal.id };
      });
      return result(w);
    },

    /** The rail failed the payout: void the hold, returning the money to the wallet exactly once. */
    async failPayout(input: { withdrawalId: string; reason: string }): Promise<DecisionResult> {
      const w = await step(
        input.withdrawalId,
        ['approved', 'paying'],
        'failed',
        { failure_reason: input.reason },
        async (current, trx) => {
          if (current.holdId) await ledger.voidHold(current.holdId, trx);
        },
      );
      return result(w);
    },
  };
}
