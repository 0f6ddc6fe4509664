import {
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import { approvalGate } from './approval';
import type { createWithdrawalActivities } from '../activities/withdrawal.activities';
import {
  BusinessErrorType,
  cancelProblem,
  cancelWithdrawalUpdate,
  decideWithdrawalSignal,
  decideWithdrawalUpdate,
  decisionProblem,
  payoutSettledSignal,
  searchAttributes,
  withdrawalStateQuery,
  type ClosedWithoutPayout,
  type DecisionInput,
  type DecisionResult,
  type WithdrawalState,
  type WithdrawalStatus,
  type WithdrawalWorkflowInput,
} from './contracts';

type Activities = ReturnType<typeof createWithdrawalActivities>;

const retry: RetryPolicy = {
  initialInterval: '1 second',
  maximumInterval: '1 minute',
  backoffCoefficient: 2,
  nonRetryableErrorTypes: Object.values(BusinessErrorType),
};
// Database steps: quick, retried until PostgreSQL answers.
const db = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });
// Rail calls: idempotent at the rail, so retrying a lost answer never pays twice.
const railCalls = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { ...retry, maximumInterval: '5 minutes' },
});

const MAX_POLL_MS = 10 * 60 * 1000;

/**
 * Runs started before the shared approvals model (SPEC §9: escalation, four-eyes records, timeline) keep their
 * original decision handling when replayed; new runs record the marker and take the shared gate. Remove the old
 * branch (deprecatePatch, then delete) once no run older than this marker is open.
 */
export const APPROVALS_MODEL_PATCH = 'approvals-model';
/** A settlement webhook that arrives before requestPayout returns is remembered instead of dropped. */
export const EARLY_SETTLEMENT_PATCH = 'early-settlement-hint';

type Outcome =
  | { kind: 'approve'; decidedAt: string; adminId?: string; comment?: string }
  | {
      kind: 'close';
      status: ClosedWithoutPayout;
      decidedAt: string;
      adminId?: string;
      reason: string;
      comment?: string;
    };

/**
 * One withdrawal (SPEC §5). The API already holds the gross amount on the wallet. Then: automatic approval below
 * the threshold or an admin decision (Update or signal) with expiry; the worker may cancel while it waits. Approved
 * money goes to the rail; the hold is posted when the rail confirms, voided when it fails. Every step is stored with
 * its outbox event, so the app sees each change.
 */
export async function withdrawalWorkflow(input: WithdrawalWorkflowInput): Promise<DecisionResult> {
  let status: WithdrawalStatus = 'pending_approval';
  let outcome: Outcome;
  let decided: DecisionResult | undefined;
  let settledHint = false;
  const settledBeforeKnown = new Set<string>();
  let payoutId: string | undefined;

  const setStatus = (next: WithdrawalStatus) => {
    status = next;
    upsertSearchAttributes([{ key: searchAttributes.status, value: next }]);
  };
  setHandler(withdrawalStateQuery, (): WithdrawalState => ({ withdrawalId: input.withdrawalId, status }));
  setHandler(payoutSettledSignal, ({ payoutId: settled }) => {
    // Only a hint to look now: the rail's own status decides, so a stray or forged message changes nothing.
    if (settled === payoutId) settledHint = true;
    // A fast rail can settle (and call back) before our requestPayout activity has returned the payout id.
    else if (payoutId === undefined) settledBeforeKnown.add(settled);
  });

  upsertSearchAttributes([
    { key: searchAttributes.requestType, value: 'withdrawal' },
    { key: searchAttributes.workerId, value: input.workerId },
    { key: searchAttributes.status, value: status },
    { key: searchAttributes.amountPaise, value: input.amountPaise },
  ]);

  let settle = () => {};
  if (patched(APPROVALS_MODEL_PATCH)) {
    if (!input.requiresApproval) {
      outcome = { kind: 'approve', decidedAt: new Date().toISOString() };
    } else {
      const gate = approvalGate({
        requestId: input.withdrawalId,
        requestType: 'withdrawal',
        approvalsRequired: 1,
        seniorRequired: false,
        status: () => status,
        cancellable: () => ['pending_approval'],
      });
      settle = () => gate.settled();
      const timings = input.timings ?? { slaMs: input.approvalExpiryMs / 3, expiryMs: input.approvalExpiryMs };
      const chosen = await gate.outcome(timings);
      outcome =
        chosen.kind === 'approved'
          ? {
              kind: 'approve',
              decidedAt: chosen.decidedAt,
              adminId: chosen.approvals.at(-1)?.adminId,
              comment: chosen.comment,
            }
          : chosen.kind === 'rejected'
            ? {
                kind: 'close',
                status: 'rejected',
                decidedAt: chosen.decidedAt,
                adminId: chosen.adminId,
                reason: chosen.reason,
                comment: chosen.comment,
              }
            : { kind: 'close', status: chosen.kind, decidedAt: chosen.decidedAt, reason: chosen.reason };
    }
  } else {
    // Answer only once the outcome is durable in PostgreSQL, so no client ever sees a state that may vanish.
    outcome = await legacyDecision(
      input,
      () => status,
      async () => {
        await condition(() => decided !== undefined);
        return decided!;
      },
    );
  }

  if (outcome.kind === 'close') {
    decided = await db.closeWithoutPayout({ withdrawalId: input.withdrawalId, ...outcome });
    setStatus(decided.status);
    settle();
    await condition(allHandlersFinished);
    return decided;
  }

  decided = await db.approveWithdrawal({ withdrawalId: input.withdrawalId, ...outcome });
  setStatus('approved');
  settle();

  try {
    payoutId = (await railCalls.requestPayout({ withdrawalId: input.withdrawalId })).payoutId;
  } catch (err) {
    // The rail refused the payout as sent (not a transient error): the money goes back to the wallet.
    const failed = await db.failPayout({
      withdrawalId: input.withdrawalId,
      reason: `payout refused: ${(err as Error).message}`,
    });
    setStatus(failed.status);
    await condition(allHandlersFinished);
    return failed;
  }
  setStatus('paying');
  if (settledBeforeKnown.has(payoutId) && patched(EARLY_SETTLEMENT_PATCH)) settledHint = true;

  // Wait for the webhook, or poll the rail with backoff. Never void on silence: the rail may still pay.
  let pollMs = input.payoutPollMs;
  for (;;) {
    await condition(() => settledHint, pollMs);
    settledHint = false;
    const payout = await railCalls.checkPayout({ payoutId });
    if (payout.status === 'succeeded') {
      const paid = await db.completePayout({ withdrawalId: input.withdrawalId });
      setStatus(paid.status);
      await condition(allHandlersFinished);
      return paid;
    }
    if (payout.status === 'failed') {
      const failed = await db.failPayout({
        withdrawalId: input.withdrawalId,
        reason: payout.failureReason ?? 'payout failed at the rail',
      });
      setStatus(failed.status);
      await condition(allHandlersFinished);
      return failed;
    }
    pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
  }
}

/** The decision handling of runs started before APPROVALS_MODEL_PATCH: kept verbatim so their histories replay. */
async function legacyDecision(
  input: WithdrawalWorkflowInput,
  currentStatus: () => WithdrawalStatus,
  untilDecided: () => Promise<DecisionResult>,
): Promise<Outcome> {
  let outcome: Outcome | undefined;
  // Once an outcome is chosen, later decisions and cancellations are stale.
  const openStatus = (): WithdrawalStatus =>
    outcome ? (outcome.kind === 'approve' ? 'approved' : outcome.status) : currentStatus();
  const decide = (decision: DecisionInput) => {
    const decidedAt = new Date().toISOString();
    outcome =
      decision.decision === 'approve'
        ? { kind: 'approve', decidedAt, adminId: decision.adminId, comment: decision.comment }
        : {
            kind: 'close',
            status: 'rejected',
            decidedAt,
            adminId: decision.adminId,
            reason: decision.reason!,
            comment: decision.comment,
          };
  };
  setHandler(
    decideWithdrawalUpdate,
    async (decision) => {
      decide(decision);
      return untilDecided();
    },
    {
      validator: (decision: DecisionInput) => {
        const problem = decisionProblem(openStatus(), decision);
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(decideWithdrawalSignal, (decision) => {
    const problem = decisionProblem(openStatus(), decision);
    if (problem) log.warn('Ignored a stale or invalid decision signal', { problem, adminId: decision.adminId });
    else decide(decision);
  });
  setHandler(
    cancelWithdrawalUpdate,
    async () => {
      outcome = {
        kind: 'close',
        status: 'cancelled',
        decidedAt: new Date().toISOString(),
        reason: 'cancelled by the worker',
      };
      return untilDecided();
    },
    {
      validator: () => {
        const problem = cancelProblem(openStatus());
        if (problem) throw new Error(problem);
      },
    },
  );
  if (!input.requiresApproval) return { kind: 'approve', decidedAt: new Date().toISOString() };
  await condition(() => outcome !== undefined, input.approvalExpiryMs);
  return outcome ?? { kind: 'close', status: 'expired', decidedAt: new Date().toISOString(), reason: 'expired' };
}
