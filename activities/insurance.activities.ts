import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { Config } from '../api/config';
import { createInsuranceRepository, type Claim } from '../api/db/insurance.repository';
import type { Db } from '../api/db/knex';
import { createLedgerRepository } from '../api/db/ledger.repository';
import { createOutboxRepository } from '../api/db/outbox.repository';
import { createPlanRepository } from '../api/db/plan.repository';
import { createRequestRepository, type Actor } from '../api/db/request.repository';
import { requestStatusChanged } from '../api/realtime/event-catalogue';
import { createInsuranceCoverage, insuranceRulesFrom, type SettleTransition } from '../api/services/insurance.service';
import { createLedgerService } from '../api/services/ledger.service';
import { BusinessErrorType, type ClaimStatus } from '../workflows/contracts';

export interface ClaimResult {
  claimId: string;
  status: ClaimStatus;
}

/** What one premium batch did, summed over its workers (the workflow adds the batches up). */
export interface PremiumRunTotals {
  workers: number;
  premiumsPaid: number;
  paidUp: number;
  grace: number;
  lapsed: number;
  reinstated: number;
  optedOut: number;
  failed: number;
}

export const emptyPremiumRunTotals = (): PremiumRunTotals => ({
  workers: 0,
  premiumsPaid: 0,
  paidUp: 0,
  grace: 0,
  lapsed: 0,
  reinstated: 0,
  optedOut: 0,
  failed: 0,
});

const countedAs: Partial<Record<SettleTransition, keyof PremiumRunTotals>> = {
  paid_up: 'paidUp',
  grace: 'grace',
  lapsed: 'lapsed',
  reinstated: 'reinstated',
  opted_out: 'optedOut',
};

/** Insurance claims (payout or closure) and the premium Schedule's steps (SPEC §7). */
export function createInsuranceActivities(deps: {
  db: Db;
  config: Pick<Config, 'INSURANCE_PREMIUM_PAISE' | 'INSURANCE_GRACE_DAYS'>;
}) {
  const { db, config } = deps;
  const insurance = createInsuranceRepository(db);
  const requests = createRequestRepository(db);
  const outbox = createOutboxRepository(db);
  const ledger = createLedgerService({ db, ledger: createLedgerRepository(db) });
  const coverage = createInsuranceCoverage({
    db,
    insurance,
    plans: createPlanRepository(db),
    ledger,
    outbox,
    rules: insuranceRulesFrom(config),
  });

  /**
   * One claim state change with its side effect, request timeline entry and outbox event in a single transaction.
   * Idempotent: a retry that finds the claim already in `to` writes nothing more.
   */
  async function claimStep(
    claimId: string,
    to: Exclude<ClaimStatus, 'pending_approval'>,
    actor: Actor,
    reason: string | null,
    effect?: (claim: Claim, trx: Knex.Transaction) => Promise<string>,
  ): Promise<ClaimResult> {
    return db.transaction(async (trx) => {
      const current = await insurance.lockClaim(trx, claimId);
      if (!current) {
        throw ApplicationFailure.nonRetryable(`Claim ${claimId} does not exist`, BusinessErrorType.NOT_FOUND);
      }
      if (current.status === to) return { claimId, status: to };
      if (current.status !== 'pending_approval') {
        throw ApplicationFailure.nonRetryable(
          `Claim ${claimId} is ${current.status}, cannot become ${to}`,
          BusinessErrorType.STALE_STATE,
        );
      }
      const journalId = await effect?.(current, trx);
      await insurance.updateClaim(trx, claimId, { status: to, journalId, decisionReason: reason });
      await requests.recordStatus(trx, claimId, to, actor, { closed: true, detail: { reason } });
      await outbox.append(
        trx,
        requestStatusChanged(current.workerId, {
          requestId: claimId,
          requestType: 'claim',
          status: to,
          amountPaise: current.payoutPaise,
          reason,
        }),
      );
      return { claimId, status: to };
    });
  }

  return {
    /** Approved: the payout goes from the insurance pool to the wallet, and the claim is paid, in one transaction. */
    async payInsuranceClaim(input: { claimId: string; adminId?: string }): Promise<ClaimResult> {
      return claimStep(
        input.claimId,
        'paid',
        input.adminId ? { actorKind: 'admin', actorId: input.adminId } : { actorKind: 'system' },
        null,
        async (claim, trx) => {
          const pool = await ledger.systemAccount('insurance_pool', trx);
          const wallet = await ledger.walletOf(claim.workerId, trx);
          const { journal } = await ledger.postJournal(
            {
              idempotencyKey: `claim:${claim.id}:payout`,
              kind: 'insurance_payout',
              postings: [
                { accountId: pool.id, amountPaise: -claim.payoutPaise },
                { accountId: wallet.id, amountPaise: claim.payoutPaise },
              ],
              description: `Insurance claim ${claim.id} (${claim.type})`,
              metadata: { claimId: claim.id, workerId: claim.workerId },
            },
            trx,
          );
          return journal.id;
        },
      );
    },

    /** Rejected, cancelled by the worker or expired: closed with its reason; nothing is paid. */
    async closeInsuranceClaim(input: {
      claimId: string;
      status: 'rejected' | 'cancelled' | 'expired';
      reason: string;
      adminId?: string;
    }): Promise<ClaimResult> {
      const actor: Actor =
        input.status === 'rejected' && input.adminId
          ? { actorKind: 'admin', actorId: input.adminId }
          : input.status === 'cancelled'
            ? { actorKind: 'worker' }
            : { actorKind: 'system' };
      return claimStep(input.claimId, input.status, actor, input.reason);
    },

    /** Enrolled workers (anything but opted out) after `afterWorkerId`, in id order: the premium run's batches. */
    async listInsuredWorkers(input: { afterWorkerId?: string; limit: number }): Promise<string[]> {
      return insurance.listEnrolledWorkerIds(input.afterWorkerId, input.limit);
    },

    /**
     * The premium step for a batch of workers, each in its own transaction under its own locks, so a second run at
     * the same time waits and then finds nothing to do. One worker's failure is logged and counted, not allowed to
     * hold up the rest; a batch in which every worker failed is retried as a whole (PostgreSQL is likely down).
     */
    async settleInsurancePremiums(input: { workerIds: string[] }): Promise<PremiumRunTotals> {
      const totals = emptyPremiumRunTotals();
      let lastError: unknown;
      for (const workerId of input.workerIds) {
        Context.current().heartbeat(workerId);
        try {
          const result = await coverage.settle(workerId);
          if (result.transition === 'not_enrolled') continue;
          totals.workers += 1;
          totals.premiumsPaid += result.premiumsPaid;
          const counter = countedAs[result.transition];
          if (counter) totals[counter] += 1;
        } catch (err) {
          lastError = err;
          totals.failed += 1;
          log.warn('Premium step failed for a worker', { workerId, error: (err as Error).message });
        }
      }
      if (input.workerIds.length > 0 && totals.failed === input.workerIds.length) throw lastError;
      return totals;
    },
  };
}
