/**
 * The approvals model every request workflow shares (SPEC §9): decisions as a validated Update (and the same as a
 * plain signal for ops), four-eyes, cancellation by the worker, SLA escalation and expiry at 3× the SLA.
 * Workflow code: deterministic, no I/O but through activities.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { createRequestActivities } from '../activities/request.activities';
import {
  approvalStateQuery,
  BusinessErrorType,
  cancelRequestUpdate,
  decideRequestSignal,
  decideRequestUpdate,
  requestCancelProblem,
  requestDecisionProblem,
  searchAttributes,
  type AdminRoleName,
  type ApprovalState,
  type ApprovalTimings,
  type RequestAnswer,
  type RequestDecisionInput,
  type RequestType,
} from './contracts';

type RequestActivities = ReturnType<typeof createRequestActivities>;

export const dbRetry: RetryPolicy = {
  initialInterval: '1 second',
  maximumInterval: '1 minute',
  backoffCoefficient: 2,
  nonRetryableErrorTypes: Object.values(BusinessErrorType),
};
const requests = proxyActivities<RequestActivities>({ startToCloseTimeout: '30 seconds', retry: dbRetry });

export type ApprovalOutcome =
  | {
      kind: 'approved';
      decidedAt: string;
      approvals: Array<{ adminId: string; adminRole: AdminRoleName }>;
      /** The final approver's comment. */
      comment?: string;
    }
  | { kind: 'rejected'; decidedAt: string; adminId: string; reason: string; comment?: string }
  | { kind: 'expired'; decidedAt: string; reason: 'expired' }
  | { kind: 'cancelled'; decidedAt: string; reason: string };

export interface ApprovalGateOptions {
  requestId: string;
  requestType: RequestType;
  approvalsRequired: number;
  seniorRequired: boolean;
  /** The request's stored status, as the workflow last persisted it. */
  status: () => string;
  /** Statuses in which the worker may cancel. */
  cancellable: () => readonly string[];
}

/** Marks the request's current status on the workflow, so ops can filter on it in the Web UI. */
export function showStatus(status: string): void {
  upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
}

export function showRequest(type: RequestType, workerId: string, status: string, amountPaise?: number): void {
  upsertSearchAttributes([
    { key: searchAttributes.requestType, value: type },
    { key: searchAttributes.workerId, value: workerId },
    { key: searchAttributes.status, value: status },
    ...(amountPaise === undefined ? [] : [{ key: searchAttributes.amountPaise, value: amountPaise }]),
  ]);
}

/**
 * Registers the decision and cancel handlers and returns the gate. `await gate.outcome(timings)` resolves with the
 * first durable outcome; the workflow then persists what follows and calls `gate.settled()`, which answers the
 * Updates waiting for it (a client never sees a state that may still vanish).
 */
export function approvalGate(options: ApprovalGateOptions) {
  const approvals: Array<{ adminId: string; adminRole: AdminRoleName }> = [];
  // Chosen synchronously when a handler accepts, so a second decision validated meanwhile is already stale.
  let chosen: ApprovalOutcome | undefined;
  let cancelRequested = false;
  let recording = 0;
  let generation = 0;

  const state = (): ApprovalState => ({
    requestId: options.requestId,
    status: options.status(),
    decided: chosen !== undefined,
    approvalsRequired: options.approvalsRequired,
    seniorRequired: options.seniorRequired,
    approvals: [...approvals],
  });
  // While a decision is being recorded its effect is provisional (the record may still be refused and undone), so
  // nothing else may build on it: a second decision or a cancel waits for the first to settle, and is told so.
  const busyProblem = (): string | undefined =>
    recording > 0 ? 'another decision on this request is being recorded; try again in a moment' : undefined;
  const answer = (): RequestAnswer => ({
    requestId: options.requestId,
    status: options.status(),
    approvalsGiven: approvals.length,
    approvalsRequired: options.approvalsRequired,
  });
  const untilSettled = async (since: number): Promise<RequestAnswer> => {
    await condition(() => generation > since);
    return answer();
  };

  /** Records the decision in PostgreSQL first; only a recorded decision counts. */
  async function accept(input: RequestDecisionInput): Promise<void> {
    const decidedAt = new Date().toISOString();
    const approving = input.decision === 'approve';
    if (approving) approvals.push({ adminId: input.adminId, adminRole: input.adminRole });
    const previous = chosen;
    if (!approving) {
      chosen = { kind: 'rejected', decidedAt, adminId: input.adminId, reason: input.reason!, comment: input.comment };
    } else if (approvals.length >= options.approvalsRequired) {
      chosen = { kind: 'approved', decidedAt, approvals: [...approvals], comment: input.comment };
    }
    recording += 1;
    try {
      await requests.recordDecision({
        requestId: options.requestId,
        decision: input,
        decidedAt,
        approvalsGiven: approvals.length,
        approvalsRequired: options.approvalsRequired,
      });
    } catch (err) {
      // Refused where it is recorded (the requester deciding, a race on four-eyes): it never counted.
      if (approving) {
        approvals.splice(
          approvals.findIndex((a) => a.adminId === input.adminId),
          1,
        );
      }
      chosen = previous;
      throw err;
    } finally {
      recording -= 1;
    }
  }

  setHandler(approvalStateQuery, state);
  setHandler(
    decideRequestUpdate,
    async (input) => {
      const since = generation;
      try {
        await accept(input);
      } catch (err) {
        const message = err instanceof ActivityFailure && err.cause ? err.cause.message : (err as Error).message;
        throw ApplicationFailure.nonRetryable(message, BusinessErrorType.DECISION_REFUSED);
      }
      return chosen ? untilSettled(since) : answer();
    },
    {
      validator: (input: RequestDecisionInput) => {
        const problem = requestDecisionProblem(state(), input) ?? busyProblem();
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(decideRequestSignal, async (input) => {
    const problem = requestDecisionProblem(state(), input) ?? busyProblem();
    if (problem) {
      log.warn('Ignored a stale or invalid decision signal', { problem, adminId: input.adminId });
      return;
    }
    await accept(input).catch((err: Error) => log.warn('Decision signal refused', { problem: err.message }));
  });
  setHandler(
    cancelRequestUpdate,
    async () => {
      const since = generation;
      cancelRequested = true;
      if (options.status() === 'pending_approval') {
        chosen = { kind: 'cancelled', decidedAt: new Date().toISOString(), reason: 'cancelled by the worker' };
      }
      return untilSettled(since);
    },
    {
      validator: () => {
        const status = options.status();
        const problem =
          status === 'pending_approval' && chosen
            ? `the request is already ${chosen.kind}`
            : requestCancelProblem(status, options.cancellable());
        if (problem) throw new Error(problem);
        if (cancelRequested) throw new Error('a cancellation is already under way');
        const busy = busyProblem();
        if (busy) throw new Error(busy);
      },
    },
  );

  const ready = () => chosen !== undefined && recording === 0;

  return {
    /** Waits for a decision; escalates at the SLA and expires at its end (a decision being recorded wins). */
    async outcome(timings: ApprovalTimings): Promise<ApprovalOutcome> {
      if (!(await condition(ready, timings.slaMs))) {
        await requests.escalateRequest({ requestId: options.requestId });
        if (!(await condition(ready, Math.max(timings.expiryMs - timings.slaMs, 1)))) {
          await condition(() => recording === 0);
          chosen ??= { kind: 'expired', decidedAt: new Date().toISOString(), reason: 'expired' };
        }
      }
      return chosen!;
    },
    /** Answers the Updates waiting for the state just persisted. */
    settled(): void {
      generation += 1;
    },
    /** For phases after approval (a deletion's grace period): waits up to `ms` for the worker to cancel. */
    async cancelledWithin(ms: number): Promise<boolean> {
      return condition(() => cancelRequested, ms);
    },
  };
}
