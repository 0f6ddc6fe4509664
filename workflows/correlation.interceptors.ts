import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

/** Activity header carrying the id of the API request that started the workflow (from its memo). */
export const REQUEST_ID_HEADER = 'gigbit-request-id';

function withRequestId(headers: Headers): Headers {
  const requestId = workflowInfo().memo?.requestId;
  return typeof requestId === 'string'
    ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) }
    : headers;
}

/**
 * A workflow interceptor module (bundled with `workflowInterceptorModules`): every activity a run schedules carries
 * the request id the API put in the run's memo, so activity log lines can name it (activities/create-worker.ts).
 * Headers are not part of a workflow's commands, so this changes nothing for replay.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
      scheduleLocalActivity: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
    },
  ],
});
