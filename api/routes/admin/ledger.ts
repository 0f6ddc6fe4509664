import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReconciliationRepository } from '../../db/reconciliation.repository';
import { commonErrorResponses } from '../../schemas/common';
import { ReconciliationPage, ReconciliationQuery, toReconciliationView } from '../../schemas/ledger';

const adminLedgerRoutes: FastifyPluginAsyncTypebox<{ reconciliations: ReconciliationRepository }> = async (
  fastify,
  opts,
) => {
  fastify.get(
    '/v1/admin/ledger/reconciliations',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'Ledger reconciliation reports, newest first',
        description:
          'Each scheduled pass checks every ledger invariant and stores what it found; drift is reported, never fixed silently.',
        security: [{ bearer: [] }],
        querystring: ReconciliationQuery,
        response: { 200: ReconciliationPage, ...commonErrorResponses },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const items = await opts.reconciliations.list(limit, before ? new Date(before) : undefined);
      return {
        items: items.map(toReconciliationView),
        nextCursor: items.length === limit ? items[items.length - 1]!.checkedAt.toISOString() : null,
      };
    },
  );
};

export default adminLedgerRoutes;
