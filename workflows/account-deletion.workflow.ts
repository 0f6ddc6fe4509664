import { allHandlersFinished, condition, proxyActivities } from '@temporalio/workflow';
import type { createAccountDeletionActivities, DeletionResult } from '../activities/account-deletion.activities';
import { approvalGate, dbRetry, showRequest, showStatus } from './approval';
import type { DeletionStatus, DeletionWorkflowInput } from './contracts';

type DeletionActivities = ReturnType<typeof createAccountDeletionActivities>;
// The erasure deletes files and many rows in one transaction: a longer limit than a single state change.
const deletions = proxyActivities<DeletionActivities>({ startToCloseTimeout: '2 minutes', retry: dbRetry });

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * When a precondition comes back during the grace period (earnings synced into the wallet, a loan approved), the
 * erasure waits: the request stays in grace (the worker may still cancel, and is told what blocks it) and is
 * re-checked once a day (or once per grace period, when that is shorter) this many times, then closed as cancelled.
 */
export const ERASURE_RECHECKS = 7;

/**
 * One account deletion (SPEC §8): an admin's decision through the shared approvals gate (SLA escalation, expiry);
 * after approval the grace period in which the worker may cancel; then the erasure activity. Business id =
 * workflow id (`deletion-<id>`).
 */
export async function deletionWorkflow(input: DeletionWorkflowInput): Promise<DeletionResult> {
  // 'erasing' is this run's own state while the erasure runs: a cancel arriving then is refused, not half-applied.
  let status: DeletionStatus | 'erasing' = 'pending_approval';
  showRequest('deletion', input.workerId, status);
  const gate = approvalGate({
    requestId: input.deletionId,
    requestType: 'deletion',
    approvalsRequired: 1,
    seniorRequired: false,
    status: () => status,
    cancellable: () => ['pending_approval', 'grace'],
  });
  /** Records a persisted status, answers waiting Updates; at the end, lets their handlers finish. */
  const persisted = (result: DeletionResult) => {
    status = result.status;
    showStatus(result.status);
    gate.settled();
  };
  const finish = async (result: DeletionResult): Promise<DeletionResult> => {
    persisted(result);
    await condition(allHandlersFinished);
    return result;
  };

  const outcome = await gate.outcome(input.timings);
  if (outcome.kind !== 'approved') {
    return finish(
      await deletions.closeDeletion({
        deletionId: input.deletionId,
        status: outcome.kind,
        reason: outcome.reason,
        actor:
          outcome.kind === 'rejected'
            ? { actorKind: 'admin', actorId: outcome.adminId }
            : outcome.kind === 'cancelled'
              ? { actorKind: 'worker', actorId: input.workerId }
              : { actorKind: 'system' },
      }),
    );
  }

  const graceEndsAt = Date.now() + input.graceMs;
  persisted(
    await deletions.enterDeletionGrace({
      deletionId: input.deletionId,
      graceEndsAt: new Date(graceEndsAt).toISOString(),
      adminId: outcome.approvals.at(-1)?.adminId,
      comment: outcome.comment,
    }),
  );

  // condition(fn, 0) means "no timeout" in old SDK versions: never wait less than 1 ms.
  let waitMs = Math.max(graceEndsAt - Date.now(), 1);
  for (let recheck = 0; ; recheck++) {
    if (await gate.cancelledWithin(waitMs)) {
      return finish(
        await deletions.closeDeletion({
          deletionId: input.deletionId,
          status: 'cancelled',
          reason: 'cancelled by the worker',
          actor: { actorKind: 'worker', actorId: input.workerId },
        }),
      );
    }
    // Set in the same activation that saw the timer fire, so no cancel can be accepted after this point.
    status = 'erasing';
    const erasure = await deletions.eraseAccount({ deletionId: input.deletionId });
    if (erasure.outcome === 'erased') return finish({ deletionId: input.deletionId, status: 'erased' });
    if (recheck >= ERASURE_RECHECKS) {
      return finish(
        await deletions.closeDeletion({
          deletionId: input.deletionId,
          status: 'cancelled',
          reason: `Closed without erasing anything, still blocked ${ERASURE_RECHECKS} checks after the grace period. ${erasure.blockers}. Ask again once that is done.`,
          actor: { actorKind: 'system' },
        }),
      );
    }
    status = 'grace';
    waitMs = Math.max(Math.min(input.graceMs, DAY_MS), 1);
  }
}
