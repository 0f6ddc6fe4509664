import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { commonErrorResponses } from '../../schemas/common';
import { RulesView } from '../../schemas/rules';

/** The product rules with this deployment's figures: read-only, the same for everyone, no sign-in needed. */
const ruleRoutes: FastifyPluginAsyncTypebox<{ rules: RulesView }> = async (fastify, { rules }) => {
  fastify.get(
    '/v1/rules',
    {
      config: { access: 'public' },
      schema: {
        tags: ['rules'],
        summary: 'The product rules a worker is told, with their configured figures',
        description:
          'Withdrawal range, fee, insurance share and approval threshold; loan score, range, earnings window and ' +
          'conditions; premium, claim reporting window, payouts and proof counts; document size; account deletion ' +
          'grace. Money in integer paise, shares in basis points. The figures are configuration: an app words its ' +
          'texts with them instead of copying numbers.',
        response: { 200: RulesView, ...commonErrorResponses },
      },
    },
    async () => rules,
  );
};

export default ruleRoutes;
