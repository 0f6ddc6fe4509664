import type { Client } from '@temporalio/client';
import type { RequestRepository } from '../db/request.repository';
import { AppError, ErrorCode } from '../errors';
import { searchAttributes, type RequestType } from '../../workflows/contracts';

const START_DEADLINE_MS = 5000;

/**
 * Starts a request's workflow (SPEC §9: the workflow id is the business id). USE_EXISTING makes this safe to
 * repeat, so a retried POST also repairs a request whose row was committed but whose start was lost; a closed run
 * with the id already handled the request. The deadline bounds the SDK's retries, so an unreachable Temporal is a
 * prompt 503 (`retryHint` tells the client what to do) rather than a hung request; should the client never retry,
 * the recovery sweep starts it.
 */
export async function startRequestWorkflow(
  temporal: Client,
  requests: Pick<RequestRepository, 'markWorkflowStarted'>,
  request: {
    /** The request row's id (the business id). */
    id: string;
    type: RequestType;
    /** The workflow type, by name: workflow modules only run inside the worker's sandbox. */
    workflowType: string;
    workflowId: string;
    taskQueue: string;
    /** The workflow's input, built by the caller as that workflow's input type (e.g. `LoanWorkflowInput`). */
    input: unknown;
    workerId: string;
    status: string;
    amountPaise?: number;
    /** Identifies the saved request in the 503's details, e.g. `{ loanId }`. */
    details: Record<string, string>;
    retryHint: string;
  },
): Promise<void> {
  try {
    await temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
      temporal.workflow.start(request.workflowType, {
        workflowId: request.workflowId,
        taskQueue: request.taskQueue,
        args: [request.input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: searchAttributes.requestType, value: request.type },
          { key: searchAttributes.workerId, value: request.workerId },
          { key: searchAttributes.status, value: request.status },
          ...(request.amountPaise === undefined
            ? []
            : [{ key: searchAttributes.amountPaise, value: request.amountPaise }]),
        ],
      }),
    );
  } catch (err) {
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') {
      throw new AppError(ErrorCode.DEPENDENCY_UNAVAILABLE, request.retryHint, request.details);
    }
  }
  // Acknowledged: the recovery sweep (api/services/request-recovery.ts) leaves it alone from now on.
  await requests.markWorkflowStarted(request.id);
}
