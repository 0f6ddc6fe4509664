import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { istMonth } from '../../domain/ist';
import { commonErrorResponses, Paise } from '../../schemas/common';
import type { PlanService } from '../../services/plan.service';

const CommissionReport = Type.Object({
  month: Type.String({ description: 'IST month, YYYY-MM' }),
  platforms: Type.Array(
    Type.Object({
      slug: Type.String(),
      name: Type.String(),
      commissionPaise: Paise,
      purchases: Type.Integer({ description: 'Plan purchases with a slot bound to this platform during the month' }),
      workers: Type.Integer(),
    }),
  ),
  commissionPaise: Paise,
  purchasesInMonth: Type.Integer(),
  revenuePaise: Paise,
  marginPaise: Type.Integer({
    description: 'Σ (price − commission rate × slots) over the purchases made in the month',
  }),
});

const adminCommissionRoutes: FastifyPluginAsyncTypebox<{ plans: PlanService }> = async (fastify, { plans }) => {
  fastify.get(
    '/v1/admin/commission',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'Commission owed to each platform and GigBit’s margin, for one IST month',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            month: Type.Optional(
              Type.String({ pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])$', description: 'Default: this IST month' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: CommissionReport, ...commonErrorResponses },
      },
    },
    async (request) => plans.commission(request.query.month ?? istMonth(new Date())),
  );
};

export default adminCommissionRoutes;
