import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, ErrorCode } from '../errors';
import type { ErrorResponse } from '../schemas/common';

const codeByStatus: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
};

export function sendError(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  error: Omit<ErrorResponse['error'], 'requestId'>,
) {
  // Set here too: router-level errors never pass the onRequest hook that normally adds it.
  return reply
    .status(status)
    .header('x-request-id', request.id)
    .send({ error: { ...error, requestId: request.id } } satisfies ErrorResponse);
}

/** Maps every failure to `{ error: { code, message, requestId } }`; 5xx details go to the log, never the client. */
export default fp(
  async function errorHandler(fastify: FastifyInstance) {
    fastify.setErrorHandler((err: FastifyError | AppError, request, reply) => {
      if (err instanceof AppError) {
        if (err.statusCode >= 500) request.log.error({ err }, 'request failed');
        return sendError(reply, request, err.statusCode, {
          code: err.code,
          message: err.message,
          details: err.details,
        });
      }
      if (err.validation) {
        return sendError(reply, request, 400, {
          code: ErrorCode.VALIDATION_FAILED,
          message: `Invalid ${err.validationContext ?? 'request'}: ${err.message}`,
          details: { problems: err.validation.map((v) => ({ path: v.instancePath || '/', message: v.message })) },
        });
      }
      const status = err.statusCode ?? 500;
      const code = codeByStatus[status];
      if (status < 500 && code) return sendError(reply, request, status, { code, message: err.message });
      request.log.error({ err }, 'request failed');
      return sendError(reply, request, 500, { code: ErrorCode.INTERNAL, message: 'Something went wrong on our side' });
    });
    // The not-found answer lives in plugins/fronts.ts: a deep link into a front gets its page, anything else this shape.
  },
  { name: 'error-handler' },
);
