import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors';
import { commonErrorResponses } from '../../schemas/common';
import { SyncStatusView } from '../../schemas/platform';
import type { PlatformService } from '../../services/platform.service';

const adminEarningsSyncRoutes: FastifyPluginAsyncTypebox<{ platforms: PlatformService; batchSize: number }> = async (
  fastify,
  opts,
) => {
  fastify.post(
    '/v1/admin/earnings-sync',
    {
      config: { access: 'admin:approver' },
      schema: {
        tags: ['admin'],
        summary: 'Sync every connected account now (a backfill beside the 15-minute Schedule)',
        security: [{ bearer: [] }],
        response: { 202: Type.Object({ workflowId: Type.String() }), ...commonErrorResponses },
      },
    },
    async (_request, reply) => reply.status(202).send(await opts.platforms.startBackfill(opts.batchSize)),
  );

  fastify.get(
    '/v1/admin/earnings-sync/:workflowId',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'Progress of a sync sweep or backfill: accounts done / total, live while it runs',
        security: [{ bearer: [] }],
        params: Type.Object(
          { workflowId: Type.String({ pattern: '^earnings-(sync|backfill)-[A-Za-z0-9:._-]{1,100}$' }) },
          { additionalProperties: false },
        ),
        response: { 200: SyncStatusView, ...commonErrorResponses },
      },
    },
    async (request) => {
      const status = await opts.platforms.sweepStatus(request.params.workflowId);
      if (!status) throw AppError.notFound('Sync');
      return status;
    },
  );
};

export default adminEarningsSyncRoutes;
