import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWorker } from '../../plugins/auth';
import { commonErrorResponses, ErrorResponse, IdempotencyKeyHeaders } from '../../schemas/common';
import { PlanCodeParams, PlanView, PurchaseView, toPlanView, toPurchaseView } from '../../schemas/plan';
import type { PlanService } from '../../services/plan.service';

const planRoutes: FastifyPluginAsyncTypebox<{ plans: PlanService }> = async (fastify, { plans }) => {
  fastify.get(
    '/v1/plans',
    {
      config: { access: 'public' },
      schema: {
        tags: ['plans'],
        summary: 'The plans on offer, with this month’s purchase caps',
        response: { 200: Type.Object({ items: Type.Array(PlanView) }), ...commonErrorResponses },
      },
    },
    async () => ({ items: (await plans.offers()).map(toPlanView) }),
  );

  fastify.post(
    '/v1/plans/:code/purchases',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.money },
      schema: {
        tags: ['plans'],
        summary: 'Buy a plan, paid from the wallet',
        description: 'Refused with 422 and the rule: INSUFFICIENT_FUNDS, PLAN_CAP_REACHED or SLOT_LIMIT_REACHED.',
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeaders,
        params: PlanCodeParams,
        response: { 200: PurchaseView, 201: PurchaseView, 422: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const { purchase, replayed } = await plans.purchase({
        workerId: requireWorker(request),
        planCode: request.params.code,
        idempotencyKey: request.headers['idempotency-key'],
      });
      return reply.status(replayed ? 200 : 201).send(toPurchaseView(purchase, new Date()));
    },
  );

  fastify.get(
    '/v1/me/plans',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['plans'],
        summary: 'My plan purchases, newest first',
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ items: Type.Array(PurchaseView) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const now = new Date();
      return { items: (await plans.listPurchases(requireWorker(request))).map((p) => toPurchaseView(p, now)) };
    },
  );
};

export default planRoutes;
