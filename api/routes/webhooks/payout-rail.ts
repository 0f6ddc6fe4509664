import { createHmac, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Client } from '@temporalio/client';
import { AppError, ErrorCode } from '../../errors';
import { commonErrorResponses } from '../../schemas/common';
import { payoutSettledSignal, withdrawalWorkflowId } from '../../../workflows/contracts';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

const SettledBody = Type.Object({
  event: Type.Literal('payout.settled'),
  payoutId: Type.String({ minLength: 1, maxLength: 100 }),
  reference: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
  failureReason: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
});

/**
 * The payout rail tells us a payout settled. The signature (HMAC-SHA256 of the raw body) proves the sender; even
 * then the webhook only wakes the withdrawal workflow, which asks the rail itself before moving money. A replayed
 * webhook therefore changes nothing, and a forged one is refused here.
 */
const payoutWebhookRoutes: FastifyPluginAsyncTypebox<{ temporal: Client; secret: string }> = async (
  fastify,
  { temporal, secret },
) => {
  // Encapsulated: only this route keeps the raw body, which the signature covers byte for byte.
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new AppError(ErrorCode.VALIDATION_FAILED, 'The body is not valid JSON'), undefined);
    }
  });

  fastify.post(
    '/v1/webhooks/payout-rail',
    {
      config: { access: 'public' },
      schema: {
        tags: ['webhooks'],
        summary: 'Payout settled (from the payout rail; signed)',
        headers: Type.Object({ 'x-rail-signature': Type.String({ pattern: '^sha256=[0-9a-f]{64}$' }) }),
        body: SettledBody,
        response: { 200: Type.Object({ received: Type.Boolean() }), ...commonErrorResponses },
      },
      preValidation: async (request) => {
        const given = Buffer.from(String(request.headers['x-rail-signature'] ?? ''));
        const expected = Buffer.from(
          `sha256=${createHmac('sha256', secret)
            .update(request.rawBody ?? '')
            .digest('hex')}`,
        );
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          throw new AppError(ErrorCode.UNAUTHENTICATED, 'The webhook signature does not match');
        }
      },
    },
    async (request) => {
      try {
        await temporal.workflow
          .getHandle(withdrawalWorkflowId(request.body.reference))
          .signal(payoutSettledSignal, { payoutId: request.body.payoutId });
      } catch (err) {
        // Already finished, or not ours: acknowledge so the rail stops retrying; nothing to do.
        if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
      }
      return { received: true };
    },
  );
};

export default payoutWebhookRoutes;
