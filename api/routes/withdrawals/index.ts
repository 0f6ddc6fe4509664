import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWorker } from '../../plugins/auth';
import { commonErrorResponses, ErrorResponse, IdempotencyKeyHeaders, IdParams } from '../../schemas/common';
import { CreateWithdrawalBody, toWithdrawalView, WithdrawalView } from '../../schemas/withdrawal';
import type { WithdrawalService } from '../../services/withdrawal.service';

const withdrawalRoutes: FastifyPluginAsyncTypebox<{ withdrawals: WithdrawalService }> = async (fastify, opts) => {
  const { withdrawals } = opts;

  fastify.post(
    '/v1/withdrawals',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['withdrawals'],
        summary: 'Request a withdrawal',
        description: 'Idempotent: the same Idempotency-Key returns the original withdrawal and starts nothing new.',
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeaders,
        body: CreateWithdrawalBody,
        response: { 200: WithdrawalView, 201: WithdrawalView, 422: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const { withdrawal, replayed } = await withdrawals.request({
        workerId: requireWorker(request),
        amountPaise: request.body.amountPaise,
        idempotencyKey: request.headers['idempotency-key'],
      });
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(replayed ? 200 : 201).send(toWithdrawalView(withdrawal));
    },
  );

  fastify.get(
    '/v1/withdrawals/:id',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['withdrawals'],
        summary: 'One of my withdrawals',
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 200: WithdrawalView, ...commonErrorResponses },
      },
    },
    async (request) => toWithdrawalView(await withdrawals.getForWorker(requireWorker(request), request.params.id)),
  );
};

export default withdrawalRoutes;
