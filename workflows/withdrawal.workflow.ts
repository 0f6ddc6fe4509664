import {
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createWithdrawalActivities } from '../activities/withdrawal.activities';
import {
  BusinessErrorType,
  decideWithdrawalSignal,
  decideWithdrawalUpdate,
  decisionProblem,
  searchAttributes,
  withdrawalStateQuery,
  type DecisionInput,
  type DecisionResult,
  type FinalWithdrawalStatus,
  type WithdrawalState,
  type WithdrawalStatus,
  type WithdrawalWorkflowInput,
} from './contracts';

const { recordWithdrawalDecision } = proxyActivities<ReturnType<typeof createWithdrawalActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    backoffCoefficient: 2,
    nonRetryableErrorTypes: Object.values(BusinessErrorType),
  },
});

/**
 * One withdrawal request: waits for an admin decision (or expiry), then records the outcome in PostgreSQL
 * together with its outbox event. The money core replaces the decision step with hold → payout → post/void.
 */
export async function withdrawalWorkflow(input: WithdrawalWorkflowInput): Promise<DecisionResult> {
  let outcome: Outcome | undefined;
  let recorded: DecisionResult | undefined;
  // Once an outcome is chosen (decision or expiry) every later decision is stale.
  const currentStatus = (): WithdrawalStatus => outcome?.status ?? 'pending_approval';
  const accept = (decision: DecisionInput) => {
    outcome = {
      status: decision.decision === 'approve' ? 'approved' : 'rejected',
      decidedAt: new Date().toISOString(),
      adminId: decision.adminId,
      reason: decision.reason,
      comment: decision.comment,
    };
  };

  setHandler(withdrawalStateQuery, (): WithdrawalState => ({
    withdrawalId: input.withdrawalId,
    status: recorded?.status ?? 'pending_approval',
  }));
  setHandler(
    decideWithdrawalUpdate,
    async (decision) => {
      accept(decision);
      // Answer only once the outcome is durable in PostgreSQL, so the portal never shows a state that may vanish.
      await condition(() => recorded !== undefined);
      return recorded!;
    },
    {
      validator: (decision: DecisionInput) => {
        const problem = decisionProblem(currentStatus(), decision);
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(decideWithdrawalSignal, (decision) => {
    const problem = decisionProblem(currentStatus(), decision);
    if (problem) log.warn('Ignored a stale or invalid decision signal', { problem, adminId: decision.adminId });
    else accept(decision);
  });

  upsertSearchAttributes([
    { key: searchAttributes.requestType, value: 'withdrawal' },
    { key: searchAttributes.workerId, value: input.workerId },
    { key: searchAttributes.status, value: 'pending_approval' },
    { key: searchAttributes.amountPaise, value: input.amountPaise },
  ]);

  await condition(() => outcome !== undefined, input.approvalExpiryMs);
  outcome ??= { status: 'expired', decidedAt: new Date().toISOString(), reason: 'expired' };

  recorded = await recordWithdrawalDecision({ withdrawalId: input.withdrawalId, ...outcome });
  upsertSearchAttributes([{ key: searchAttributes.status, value: recorded.status }]);
  // Update handlers reply before the run completes.
  await condition(allHandlersFinished);
  return recorded;
}

interface Outcome {
  status: FinalWithdrawalStatus;
  decidedAt: string;
  adminId?: string;
  reason?: string;
  comment?: string;
}
