import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../config';
import {
  openDeletionStatuses,
  type AccountDeletion,
  type AccountDeletionRepository,
  type DeletionObstacles,
  type DeletionReason,
} from '../db/account-deletion.repository';
import type { Db } from '../db/knex';
import type { OutboxRepository } from '../db/outbox.repository';
import type { PlanRepository } from '../db/plan.repository';
import type { RequestRepository } from '../db/request.repository';
import { AppError, ErrorCode } from '../errors';
import type { ApprovalService } from './approval.service';
import type { Balance, LedgerService } from './ledger.service';
import { requestWorkflowId, type DeletionWorkflowInput } from '../../workflows/contracts';
import { startRequestWorkflow } from '../temporal/request-workflows';
import { openRequest } from './open-request';

export type DeletionPreconditionCode = 'open_loan' | 'withdrawal_in_flight' | 'claim_in_flight' | 'wallet_balance';

/** One thing that stops the erasure right now, in words the worker can act on. */
export interface DeletionPrecondition {
  code: DeletionPreconditionCode;
  message: string;
  /** The loans, withdrawals or claims concerned. */
  requestIds?: string[];
  /** For the wallet: the money still in it. */
  amountPaise?: number;
}

/** ₹ in Indian digit grouping, paise shown only when there are any: ₹49,925 or ₹1,00,000.50. */
export function rupees(paise: number): string {
  const whole = paise % 100 === 0;
  return `₹${(paise / 100).toLocaleString('en-IN', {
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  })}`;
}

/**
 * SPEC §8: no erasure while a loan is open, a withdrawal or claim is in flight, or the wallet holds money. Pure, so
 * the API (before storing a request) and the erasure activity (after the grace period) judge alike. Money held for
 * a withdrawal in flight is that withdrawal's business, so the wallet rule names only what could still be withdrawn.
 */
export function deletionPreconditions(
  obstacles: DeletionObstacles,
  wallet: Balance,
  rules: { withdrawalMinPaise?: number } = {},
): DeletionPrecondition[] {
  const found: DeletionPrecondition[] = [];
  const active = obstacles.openLoans.filter((l) => l.status === 'active');
  if (active.length > 0) {
    found.push({
      code: 'open_loan',
      message: 'You have a loan to repay: repay or prepay it in full first',
      requestIds: active.map((l) => l.id),
    });
  } else if (obstacles.openLoans.length > 0) {
    found.push({
      code: 'open_loan',
      message: 'Your loan application is waiting for a decision: cancel it or wait for the decision first',
      requestIds: obstacles.openLoans.map((l) => l.id),
    });
  }
  const withdrawals = obstacles.withdrawalsInFlight;
  if (withdrawals.length > 0) {
    const total = withdrawals.reduce((sum, w) => sum + w.amountPaise, 0);
    found.push({
      code: 'withdrawal_in_flight',
      message:
        withdrawals.length === 1
          ? `Your withdrawal of ${rupees(total)} is still in progress: wait until it is paid, or cancel it while it waits for approval`
          : `${withdrawals.length} withdrawals (${rupees(total)}) are still in progress: wait until they are paid, or cancel those waiting for approval`,
      requestIds: withdrawals.map((w) => w.id),
    });
  }
  if (obstacles.claimsInFlight.length > 0) {
    found.push({
      code: 'claim_in_flight',
      message: 'Your insurance claim is waiting for a decision: wait for it or cancel it first',
      requestIds: obstacles.claimsInFlight.map((c) => c.id),
    });
  }
  const unheld = wallet.spendablePaise > 0 ? wallet.spendablePaise : withdrawals.length ? 0 : wallet.balancePaise;
  if (unheld > 0) {
    const min = rules.withdrawalMinPaise;
    found.push({
      code: 'wallet_balance',
      message:
        min !== undefined && unheld < min
          ? `Your wallet holds ${rupees(unheld)}, less than the ${rupees(min)} a withdrawal needs: contact support to have it paid out first`
          : `Your wallet holds ${rupees(unheld)}: withdraw your ${rupees(unheld)} first`,
      amountPaise: unheld,
    });
  }
  return found;
}

/** Reads what `deletionPreconditions` needs; pass the transaction that holds the worker's row lock. */
export function createDeletionPreconditionCheck(deps: {
  deletions: Pick<AccountDeletionRepository, 'obstaclesOf'>;
  ledger: Pick<LedgerService, 'walletOf' | 'balanceOf'>;
  withdrawalMinPaise?: number;
}) {
  return async (workerId: string, trx?: Knex.Transaction): Promise<DeletionPrecondition[]> => {
    const wallet = await deps.ledger.walletOf(workerId, trx);
    // Sequential: inside a transaction every query shares one connection.
    const obstacles = await deps.deletions.obstaclesOf(workerId, trx);
    const balance = await deps.ledger.balanceOf(wallet.id, trx);
    return deletionPreconditions(obstacles, balance, { withdrawalMinPaise: deps.withdrawalMinPaise });
  };
}

export interface DeletionOverview {
  /** The open request, else the latest closed one, else null. */
  deletion: AccountDeletion | null;
  /** What would refuse a new request right now (empty when none). */
  preconditions: DeletionPrecondition[];
}

export interface AccountDeletionServiceDeps {
  db: Db;
  deletions: AccountDeletionRepository;
  outbox: OutboxRepository;
  plans: Pick<PlanRepository, 'lockWorker'>;
  ledger: LedgerService;
  requests: RequestRepository;
  approvals: ApprovalService;
  temporal: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'approvalTimings' | 'DELETION_GRACE_MS' | 'WITHDRAWAL_MIN_PAISE'>;
}

/**
 * Account deletion (SPEC §8): the worker asks with a reason; nothing is stored while a precondition blocks it; an
 * admin approves or rejects through the shared approvals model; after approval a grace period in which the worker
 * may cancel; then the erasure activity removes personal data and revokes every session.
 */
export function createAccountDeletionService(deps: AccountDeletionServiceDeps) {
  const { db, deletions, outbox, plans, requests, approvals, temporal, config } = deps;
  const preconditionsOf = createDeletionPreconditionCheck({
    deletions,
    ledger: deps.ledger,
    withdrawalMinPaise: config.WITHDRAWAL_MIN_PAISE,
  });

  /** Starts the request's workflow; USE_EXISTING makes a repeat (a retried POST, a cancel) repair a lost start. */
  async function ensureWorkflow(deletion: AccountDeletion): Promise<void> {
    if (!openDeletionStatuses.includes(deletion.status)) return;
    const input: DeletionWorkflowInput = {
      deletionId: deletion.id,
      workerId: deletion.workerId,
      timings: config.approvalTimings.deletion,
      graceMs: config.DELETION_GRACE_MS,
    };
    await startRequestWorkflow(temporal, requests, {
      id: deletion.id,
      type: 'deletion',
      workflowType: 'deletionWorkflow',
      workflowId: deletion.workflowId,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      input,
      workerId: deletion.workerId,
      status: deletion.status,
      details: { deletionId: deletion.id },
      retryHint: 'Your request was saved but could not be started yet; send it again to continue',
    });
  }

  return {
    /** Recovery sweep: starts the workflow of a stored deletion request whose start was lost. */
    async resume(deletionId: string): Promise<void> {
      const deletion = await deletions.findById(deletionId);
      if (deletion) await ensureWorkflow(deletion);
    },

    preconditionsOf,

    async overview(workerId: string): Promise<DeletionOverview> {
      const [deletion, preconditions] = await Promise.all([deletions.currentFor(workerId), preconditionsOf(workerId)]);
      return { deletion: deletion ?? null, preconditions };
    },

    /**
     * Under the worker's row lock (the lock withdrawals and plan purchases take too), checks every precondition and
     * stores the request, its approvals row and its event in one transaction. A worker with a request already open
     * gets that request back (`created: false`), so a retried POST is harmless and restarts a lost workflow.
     */
    async request(input: {
      workerId: string;
      reason: DeletionReason;
      text?: string;
    }): Promise<{ deletion: AccountDeletion; created: boolean }> {
      const text = input.text?.trim() ? input.text.trim() : null;
      if (input.reason === 'other' && !text) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'Tell us in a few words why you are leaving (reason "other")');
      }
      const result = await db.transaction(async (trx) => {
        if (!(await plans.lockWorker(input.workerId, trx))) throw AppError.notFound('Worker');
        const open = await deletions.findOpen(input.workerId, trx);
        if (open) return { deletion: open, created: false };
        const preconditions = await preconditionsOf(input.workerId, trx);
        if (preconditions.length > 0) {
          throw new AppError(
            ErrorCode.DELETION_NOT_ALLOWED,
            `Your account cannot be deleted yet. ${preconditions.map((p) => p.message).join('. ')}.`,
            { preconditions },
          );
        }
        const id = randomUUID();
        const deletion = await deletions.insert(trx, {
          id,
          workerId: input.workerId,
          reason: input.reason,
          reasonText: text,
          workflowId: requestWorkflowId('deletion', id),
        });
        await openRequest(
          trx,
          { requests, outbox },
          {
            id,
            type: 'deletion',
            workerId: input.workerId,
            amountPaise: null,
            status: deletion.status,
            workflowId: deletion.workflowId,
            approvalsRequired: 1,
            ...config.approvalTimings.deletion,
          },
        );
        return { deletion, created: true };
      });
      await ensureWorkflow(result.deletion);
      return result;
    },

    /** While it waits for approval or during the grace period; the worker's own open request only. */
    async cancel(workerId: string): Promise<AccountDeletion> {
      const open = await deletions.findOpen(workerId);
      if (!open) throw AppError.notFound('Open account deletion request');
      await ensureWorkflow(open);
      await approvals.cancel(workerId, 'deletion', open.id);
      const after = (await deletions.findById(open.id))!;
      if (after.status !== 'cancelled') {
        throw new AppError(
          ErrorCode.DECISION_NOT_ALLOWED,
          `Refused: the request is already ${after.status.replace(/_/g, ' ')}`,
        );
      }
      return after;
    },

    /** The subject of a deletion request in the admin inbox, with what would block its erasure now. */
    async getForAdmin(
      id: string,
    ): Promise<{ deletion: AccountDeletion; preconditions: DeletionPrecondition[]; pseudonym: string | null }> {
      const deletion = await deletions.findById(id);
      if (!deletion) throw AppError.notFound('Account deletion');
      const open = openDeletionStatuses.includes(deletion.status);
      const [preconditions, erasure] = await Promise.all([
        open ? preconditionsOf(deletion.workerId) : Promise.resolve([]),
        deletions.erasureOf(deletion.workerId),
      ]);
      return { deletion, preconditions, pseudonym: erasure?.pseudonym ?? null };
    },
  };
}

export type AccountDeletionService = ReturnType<typeof createAccountDeletionService>;
