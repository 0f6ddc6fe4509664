import { AsyncLocalStorage } from 'node:async_hooks';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

interface RequestContext {
  requestId: string;
  log: FastifyBaseLogger;
}

/**
 * The HTTP request a Temporal call is made for. Services do not pass loggers or request ids down to the client, so
 * the client's interceptor finds them here.
 */
const requestContext = new AsyncLocalStorage<RequestContext>();

/**
 * Fastify onRequest hook (callback style on purpose: `run` must wrap `done`, so every later hook and the handler run
 * inside the request's context).
 */
export function bindRequestContext(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  requestContext.run({ requestId: request.id, log: request.log }, done);
}

/**
 * Logs every workflow start, signal and update the API makes with its workflowId (the request's logger already
 * carries reqId), and records the request id in a started workflow's memo (`requestId`), so a workflow found in
 * the Temporal UI leads back to the API log lines that started it. Calls made outside a request (recovery sweep,
 * CLI) are not logged here.
 */
export function correlationInterceptor(): WorkflowClientInterceptor {
  return {
    async startWithDetails(input, next) {
      const context = requestContext.getStore();
      if (!context) return next(input);
      const fields = { workflowId: input.options.workflowId, workflowType: input.workflowType };
      try {
        const output = await next({
          ...input,
          options: { ...input.options, memo: { ...input.options.memo, requestId: context.requestId } },
        });
        context.log.info({ ...fields, runId: output.runId }, 'workflow started');
        return output;
      } catch (err) {
        // An id already used is the idempotent path (a retried request); anything else the caller reports.
        const reason = (err as Error).name;
        context.log[reason === 'WorkflowExecutionAlreadyStartedError' ? 'info' : 'warn'](
          { ...fields, reason },
          'workflow not started',
        );
        throw err;
      }
    },
    async signalWithStart(input, next) {
      const context = requestContext.getStore();
      if (!context) return next(input);
      const runId = await next({
        ...input,
        options: { ...input.options, memo: { ...input.options.memo, requestId: context.requestId } },
      });
      context.log.info(
        { workflowId: input.options.workflowId, workflowType: input.workflowType, signal: input.signalName, runId },
        'workflow signalled with start',
      );
      return runId;
    },
    async startUpdateWithStart(input, next) {
      const context = requestContext.getStore();
      if (!context) return next(input);
      const output = await next({
        ...input,
        workflowStartOptions: {
          ...input.workflowStartOptions,
          memo: { ...input.workflowStartOptions.memo, requestId: context.requestId },
        },
      });
      context.log.info(
        {
          workflowId: input.workflowStartOptions.workflowId,
          workflowType: input.workflowType,
          update: input.updateName,
        },
        'workflow update-with-start sent',
      );
      return output;
    },
    async signal(input, next) {
      await next(input);
      requestContext
        .getStore()
        ?.log.info({ workflowId: input.workflowExecution.workflowId, signal: input.signalName }, 'workflow signalled');
    },
    async startUpdate(input, next) {
      const output = await next(input);
      requestContext
        .getStore()
        ?.log.info(
          { workflowId: input.workflowExecution.workflowId, update: input.updateName, updateId: output.updateId },
          'workflow update sent',
        );
      return output;
    },
  };
}
