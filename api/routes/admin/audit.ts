import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AuditRepository } from '../../db/audit.repository';
import { commonErrorResponses } from '../../schemas/common';
import { AuditPageView, AuditQuerystring, toAuditEntryView } from '../../schemas/identity';

/** Search the append-only audit log, newest first, with a cursor. */
const adminAuditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditRepository }> = async (fastify, { audit }) => {
  fastify.get(
    '/v1/admin/audit',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'Audit log: admin actions and security events',
        description:
          'Filters combine. Actions include admin.signed_in, admin.sign_in_failed, admin.second_factor_failed, ' +
          'admin.locked_out, admin.created, admin.role_changed, admin.disabled, worker.code_sent, ' +
          'worker.code_failed, worker.code_locked, worker.signed_in, session.refresh_reused, session.signed_out and ' +
          '"http <METHOD> <route>" for every admin request that changes something.',
        security: [{ bearer: [] }],
        querystring: AuditQuerystring,
        response: { 200: AuditPageView, ...commonErrorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const entries = await audit.search({
        action: q.action,
        actorId: q.actorId,
        targetId: q.targetId,
        outcome: q.outcome,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        before: q.cursor ? Number(q.cursor) : undefined,
        limit: q.limit + 1,
      });
      const page = entries.slice(0, q.limit);
      return {
        entries: page.map(toAuditEntryView),
        nextCursor: entries.length > q.limit ? String(page[page.length - 1]!.id) : null,
      };
    },
  );
};

export default adminAuditRoutes;
