import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { AppError, ErrorCode } from '../errors';
import type { Db } from '../db/knex';
import type { OutboxRepository } from '../db/outbox.repository';
import type { Withdrawal, WithdrawalRepository } from '../db/withdrawal.repository';
import { withdrawalStatusChanged } from '../realtime/event-catalogue';
import {
  decideWithdrawalUpdate,
  decisionProblem,
  searchAttributes,
  terminalWithdrawalStatuses,
  withdrawalWorkflowId,
  type DecisionKind,
  type WithdrawalWorkflowInput,
} from '../../workflows/contracts';
import type { withdrawalWorkflow } from '../../workflows/withdrawal.workflow';

const START_DEADLINE_MS = 5000;

export interface WithdrawalServiceDeps {
  db: Db;
  withdrawals: WithdrawalRepository;
  outbox: OutboxRepository;
  temporal: Client;
  config: Pick<
    Config,
    'TEMPORAL_TASK_QUEUE' | 'WITHDRAWAL_MIN_PAISE' | 'WITHDRAWAL_MAX_PAISE' | 'WITHDRAWAL_APPROVAL_EXPIRY_MS'
  >;
}

export interface RequestWithdrawalInput {
  workerId: string;
  amountPaise: number;
  idempotencyKey: string;
}

export interface DecideWithdrawalInput {
  adminId: string;
  withdrawalId: string;
  decision: DecisionKind;
  reason?: string;
  comment?: string;
}

export function createWithdrawalService(deps: WithdrawalServiceDeps) {
  const { db, withdrawals, outbox, temporal, config } = deps;

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
      approvalExpiryMs: config.WITHDRAWAL_APPROVAL_EXPIRY_MS,
    };
    try {
      // By type name: the workflow module itself only runs inside the worker's sandbox. The deadline bounds the
      // SDK's retries so an unreachable Temporal becomes a prompt 503 the client can retry with the same key.
      await temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        temporal.workflow.start<typeof withdrawalWorkflow>('withdrawalWorkflow', {
          workflowId: withdrawal.workflowId,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: searchAttributes.requestType, value: 'withdrawal' },
            { key: searchAttributes.workerId, value: withdrawal.workerId },
            { key: searchAttributes.status, value: withdrawal.status },
            { key: searchAttributes.amountPaise, value: withdrawal.amountPaise },
          ],
        }),
      );
    } catch (err) {
      // A closed run with this id already decided the request; nothing more to start.
      if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') return;
      throw new AppError(
        ErrorCode.DEPENDENCY_UNAVAILABLE,
        'The request was saved but could not be started yet; retry with the same Idempotency-Key',
        {
          withdrawalId: withdrawal.id,
        },
      );
    }
  }

  return {
    async request(input: RequestWithdrawalInput): Promise<{ withdrawal: Withdrawal; replayed: boolean }> {
      const { amountPaise } = input;
      if (amountPaise < config.WITHDRAWAL_MIN_PAISE || amountPaise > config.WITHDRAWAL_MAX_PAISE) {
        throw new AppError(ErrorCode.AMOUNT_OUT_OF_RANGE, 'Amount is outside the allowed range for one withdrawal', {
          minPaise: config.WITHDRAWAL_MIN_PAISE,
          maxPaise: config.WITHDRAWAL_MAX_PAISE,
        });
      }
      const fingerprint = createHash('sha256').update(JSON.stringify({ amountPaise })).digest('hex');
      const id = randomUUID();

      const created = await db.transaction(async (trx) => {
        const row = await withdrawals.insertUnlessKeyUsed(
          {
            id,
            workerId: input.workerId,
            amountPaise,
            idempotencyKey: input.idempotencyKey,
            requestFingerprint: fingerprint,
            workflowId: withdrawalWorkflowId(id),
          },
          trx,
        );
        if (row) await outbox.append(trx, withdrawalStatusChanged(row));
        return row;
      });

      const withdrawal = created ?? (await withdrawals.findByIdempotencyKey(input.workerId, input.idempotencyKey));
      if (!withdrawal) throw new Error('Idempotency conflict without a stored withdrawal');
      if (!created && withdrawal.requestFingerprint !== fingerprint) {
        throw new AppError(
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          'This Idempotency-Key was already used for a different request; use a new key for a new withdrawal',
        );
      }
      await ensureWorkflow(withdrawal);
      return { withdrawal, replayed: !created };
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

    /** Sends the decision as a Workflow Update and answers once the outcome is stored. */
    async decide(input: DecideWithdrawalInput): Promise<Withdrawal> {
      if (input.decision === 'reject' && !input.reason?.trim()) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'A reason is required to reject: the worker is told why');
      }
      const withdrawal = await withdrawals.findById(input.withdrawalId);
      if (!withdrawal) throw AppError.notFound('Withdrawal');
      const problem = decisionProblem(withdrawal.status, input);
      if (problem) throw new AppError(ErrorCode.DECISION_NOT_ALLOWED, `Decision refused: ${problem}`);

      try {
        await temporal.workflow.getHandle(withdrawal.workflowId).executeUpdate(decideWithdrawalUpdate, {
          args: [{ decision: input.decision, adminId: input.adminId, reason: input.reason, comment: input.comment }],
        });
      } catch (err) {
        const name = (err as Error).name;
        if (name === 'WorkflowUpdateFailedError') {
          const cause = (err as Error & { cause?: Error }).cause?.message ?? 'no longer valid';
          throw new AppError(ErrorCode.DECISION_NOT_ALLOWED, `Decision refused: ${cause}`);
        }
        // The run may have closed between our read and the update (expiry): report what is stored now.
        const current = await withdrawals.findById(input.withdrawalId);
        if (current && current.status !== 'pending_approval') {
          throw new AppError(
            ErrorCode.DECISION_NOT_ALLOWED,
            `Decision refused: the withdrawal is already ${current.status}`,
          );
        }
        throw err;
      }
      return (await withdrawals.findById(input.withdrawalId))!;
    },
  };
}

export type WithdrawalService = ReturnType<typeof createWithdrawalService>;
