import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Db } from '../db/knex';
import type { OutboxRepository } from '../db/outbox.repository';
import type { PlanRepository } from '../db/plan.repository';
import type { PlatformRepository } from '../db/platform.repository';
import type { Withdrawal, WithdrawalRepository } from '../db/withdrawal.repository';
import { allowanceOn, type Allowance } from '../domain/allowance';
import { withdrawalCharges, type WithdrawalCharges } from '../domain/fees';
import { istDay } from '../domain/ist';
import { rupees } from '../domain/loan';
import { AppError, ErrorCode } from '../errors';
import { withdrawalStatusChanged } from '../realtime/event-catalogue';
import { fingerprintOf, replayOf } from './idempotency';
import type { LedgerService } from './ledger.service';
import type { RequestRepository } from '../db/request.repository';
import type { ApprovalService, Decider } from './approval.service';
import {
  terminalWithdrawalStatuses,
  withdrawalWorkflowId,
  type DecisionKind,
  type WithdrawalWorkflowInput,
} from '../../workflows/contracts';
import { startRequestWorkflow } from '../temporal/request-workflows';

export interface WithdrawalServiceDeps {
  db: Db;
  withdrawals: WithdrawalRepository;
  outbox: OutboxRepository;
  plans: PlanRepository;
  earnings: Pick<PlatformRepository, 'earningsByPlatform'>;
  ledger: LedgerService;
  requests: RequestRepository;
  approvals: ApprovalService;
  temporal: Client;
  config: Pick<
    Config,
    | 'TEMPORAL_TASK_QUEUE'
    | 'WITHDRAWAL_MIN_PAISE'
    | 'WITHDRAWAL_MAX_PAISE'
    | 'approvalTimings'
    | 'WITHDRAWAL_AUTO_APPROVE_BELOW_PAISE'
    | 'WITHDRAWAL_SERVICE_FEE_PAISE'
    | 'INSURANCE_CONTRIBUTION_BPS'
    | 'PAYOUT_STATUS_POLL_MS'
  >;
  now?: () => Date;
}

export interface DecideWithdrawalInput {
  withdrawalId: string;
  decision: DecisionKind;
  reason?: string;
  comment?: string;
}

/** A rule that refuses a withdrawal, with its figures beside the English sentence. */
export type WithdrawalRefusal =
  | { code: 'AMOUNT_OUT_OF_RANGE'; message: string; details: { minPaise: number; maxPaise: number } }
  | { code: 'ALLOWANCE_USED_UP'; message: string; details: { nextAccrualAt: string | null } }
  | { code: 'INSUFFICIENT_FUNDS'; message: string; details: { spendablePaise: number } };

export interface WithdrawalPreview extends WithdrawalCharges {
  requiresApproval: boolean;
  spendablePaise: number;
  allowance: Allowance;
  /** The rule that would refuse this withdrawal now, if any. */
  refusal: WithdrawalRefusal | null;
}

export interface MoneySummary {
  balancePaise: number;
  heldPaise: number;
  spendablePaise: number;
  allowance: Allowance;
  earningsByPlatform: Array<{ slug: string; name: string; amountPaise: number; trips: number }>;
}

export function createWithdrawalService(deps: WithdrawalServiceDeps) {
  const { db, withdrawals, outbox, plans, earnings, ledger, temporal, config } = deps;
  const now = deps.now ?? (() => new Date());
  const feeRules = {
    serviceFeePaise: config.WITHDRAWAL_SERVICE_FEE_PAISE,
    insuranceContributionBps: config.INSURANCE_CONTRIBUTION_BPS,
  };

  // One query after another: inside a transaction they share one connection, which runs one query at a time.
  async function allowanceOf(workerId: string, trx?: Knex.Transaction): Promise<Allowance> {
    const purchases = await plans.accruingPurchases(workerId, trx);
    const used = await withdrawals.countConsumingAllowance(workerId, trx);
    return allowanceOn(purchases, used, istDay(now()));
  }

  /** Every rule a new withdrawal must pass, in the order a worker would want to hear them. */
  function refusalFor(
    amountPaise: number,
    charges: WithdrawalCharges,
    allowance: Allowance,
    spendablePaise: number,
  ): WithdrawalRefusal | undefined {
    if (
      amountPaise < config.WITHDRAWAL_MIN_PAISE ||
      amountPaise > config.WITHDRAWAL_MAX_PAISE ||
      charges.netPaise <= 0
    ) {
      return {
        code: 'AMOUNT_OUT_OF_RANGE',
        message: `A withdrawal is between ${rupees(config.WITHDRAWAL_MIN_PAISE)} and ${rupees(config.WITHDRAWAL_MAX_PAISE)}`,
        details: { minPaise: config.WITHDRAWAL_MIN_PAISE, maxPaise: config.WITHDRAWAL_MAX_PAISE },
      };
    }
    if (allowance.available < 1) {
      return {
        code: 'ALLOWANCE_USED_UP',
        message: allowance.nextAccrualAt
          ? 'You have used all your withdrawals for now; more are added at midnight'
          : 'You have no withdrawals left; buy a plan to get more',
        details: { nextAccrualAt: allowance.nextAccrualAt?.toISOString() ?? null },
      };
    }
    if (amountPaise > spendablePaise) {
      return {
        code: 'INSUFFICIENT_FUNDS',
        message: 'Your balance is too low for this amount',
        details: { spendablePaise },
      };
    }
    return undefined;
  }

  /**
   * Starts the request's workflow. USE_EXISTING makes this safe to repeat, so a retried POST also repairs a
   * request whose first attempt committed the row but lost the start.
   */
  async function ensureWorkflow(withdrawal: Withdrawal): Promise<void> {
    if (terminalWithdrawalStatuses.includes(withdrawal.status)) return;
    const input: WithdrawalWorkflowInput = {
      withdrawalId: withdrawal.id,
      workerId: withdrawal.workerId,
      amountPaise: withdrawal.amountPaise,
      requiresApproval: withdrawal.requiresApproval,
      approvalExpiryMs: config.approvalTimings.withdrawal.expiryMs,
      payoutPollMs: config.PAYOUT_STATUS_POLL_MS,
      timings: config.approvalTimings.withdrawal,
    };
    await startRequestWorkflow(temporal, deps.requests, {
      id: withdrawal.id,
      type: 'withdrawal',
      workflowType: 'withdrawalWorkflow',
      workflowId: withdrawal.workflowId,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      input,
      workerId: withdrawal.workerId,
      status: withdrawal.status,
      amountPaise: withdrawal.amountPaise,
      details: { withdrawalId: withdrawal.id },
      retryHint: 'The request was saved but could not be started yet; retry with the same Idempotency-Key',
    });
  }

  return {
    /** Recovery sweep: starts the workflow of a stored request whose start was lost. */
    async resume(withdrawalId: string): Promise<void> {
      const withdrawal = await withdrawals.findById(withdrawalId);
      if (withdrawal) await ensureWorkflow(withdrawal);
    },

    async preview(workerId: string, amountPaise: number): Promise<WithdrawalPreview> {
      const [insured, allowance, wallet] = await Promise.all([
        plans.isInsured(workerId),
        allowanceOf(workerId),
        ledger.walletOf(workerId),
      ]);
      const { spendablePaise } = await ledger.balanceOf(wallet.id);
      const charges = withdrawalCharges(amountPaise, insured, feeRules);
      const refusal = refusalFor(amountPaise, charges, allowance, spendablePaise);
      return {
        ...charges,
        requiresApproval: amountPaise >= config.WITHDRAWAL_AUTO_APPROVE_BELOW_PAISE,
        spendablePaise,
        allowance,
        refusal: refusal ?? null,
      };
    },

    async moneySummary(workerId: string): Promise<MoneySummary> {
      const wallet = await ledger.walletOf(workerId);
      const [balance, allowance, byPlatform] = await Promise.all([
        ledger.balanceOf(wallet.id),
        allowanceOf(workerId),
        earnings.earningsByPlatform(workerId),
      ]);
      return {
        ...balance,
        allowance,
        earningsByPlatform: byPlatform.map(({ slug, name, amountPaise, trips }) => ({
          slug,
          name,
          amountPaise,
          trips,
        })),
      };
    },

    /**
     * Creates the request: under the worker's lock, checks bounds, allowance and balance, places the hold, stores
     * the row and its event, all in one transaction, so simultaneous requests can never exceed the balance or the
     * allowance. Then starts the workflow.
     */
    async request(input: {
      workerId: string;
      amountPaise: number;
      idempotencyKey: string;
    }): Promise<{ withdrawal: Withdrawal; replayed: boolean }> {
      const requestFingerprint = fingerprintOf({ amountPaise: input.amountPaise });
      const { withdrawal, replayed } = await db.transaction(async (trx) => {
        if (!(await plans.lockWorker(input.workerId, trx))) throw AppError.notFound('Worker');
        const earlier = replayOf(
          await withdrawals.findByIdempotencyKey(input.workerId, input.idempotencyKey, trx),
          requestFingerprint,
          'This Idempotency-Key was already used for a different request; use a new key for a new withdrawal',
        );
        if (earlier) return { withdrawal: earlier, replayed: true };
        const wallet = await ledger.walletOf(input.workerId, trx);
        const insured = await plans.isInsured(input.workerId, trx);
        const allowance = await allowanceOf(input.workerId, trx);
        const balance = await ledger.balanceOf(wallet.id, trx);
        const charges = withdrawalCharges(input.amountPaise, insured, feeRules);
        const refusal = refusalFor(input.amountPaise, charges, allowance, balance.spendablePaise);
        if (refusal) throw new AppError(ErrorCode[refusal.code], refusal.message, refusal.details);

        const id = randomUUID();
        const { hold } = await ledger.placeHold(
          {
            idempotencyKey: `withdrawal:${id}`,
            accountId: wallet.id,
            amountPaise: input.amountPaise,
            description: `Withdrawal ${id}`,
          },
          trx,
        );
        const created = await withdrawals.insert(
          {
            id,
            workerId: input.workerId,
            amountPaise: input.amountPaise,
            serviceFeePaise: charges.serviceFeePaise,
            insuranceContributionPaise: charges.insuranceContributionPaise,
            requiresApproval: input.amountPaise >= config.WITHDRAWAL_AUTO_APPROVE_BELOW_PAISE,
            holdId: hold.id,
            idempotencyKey: input.idempotencyKey,
            requestFingerprint,
            workflowId: withdrawalWorkflowId(id),
          },
          trx,
        );
        const requiresApproval = created.requiresApproval;
        await deps.requests.insert(
          trx,
          {
            id,
            type: 'withdrawal',
            workerId: input.workerId,
            amountPaise: input.amountPaise,
            status: created.status,
            workflowId: created.workflowId,
            approvalsRequired: requiresApproval ? 1 : 0,
            ...(requiresApproval ? config.approvalTimings.withdrawal : {}),
          },
          { actorKind: 'worker', actorId: input.workerId },
        );
        await outbox.append(trx, withdrawalStatusChanged(created));
        return { withdrawal: created, replayed: false };
      });
      await ensureWorkflow(withdrawal);
      return { withdrawal, replayed };
    },

    async getForWorker(workerId: string, withdrawalId: string): Promise<Withdrawal> {
      const withdrawal = await withdrawals.findByIdForWorker(withdrawalId, workerId);
      if (!withdrawal) throw AppError.notFound('Withdrawal');
      return withdrawal;
    },

    async getForAdmin(withdrawalId: string): Promise<Withdrawal> {
      const withdrawal = await withdrawals.findById(withdrawalId);
      if (!withdrawal) throw AppError.notFound('Withdrawal');
      return withdrawal;
    },

    /** The worker withdraws a request still waiting for a decision; the hold is released at once. */
    async cancel(workerId: string, withdrawalId: string): Promise<Withdrawal> {
      if (!(await withdrawals.findByIdForWorker(withdrawalId, workerId))) throw AppError.notFound('Withdrawal');
      await deps.approvals.cancel(workerId, 'withdrawal', withdrawalId);
      return (await withdrawals.findById(withdrawalId))!;
    },

    /** Sends the decision through the shared approvals model and answers once the outcome is stored. */
    async decide(decider: Decider, input: DecideWithdrawalInput): Promise<Withdrawal> {
      if (!(await withdrawals.findById(input.withdrawalId))) throw AppError.notFound('Withdrawal');
      await deps.approvals.decide(decider, input.withdrawalId, input);
      return (await withdrawals.findById(input.withdrawalId))!;
    },
  };
}

export type WithdrawalService = ReturnType<typeof createWithdrawalService>;
