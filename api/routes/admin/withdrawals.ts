import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireAdmin } from '../../plugins/auth';
import { commonErrorResponses, ErrorResponse, IdParams } from '../../schemas/common';
import { AdminWithdrawalView, DecisionBody, toAdminWithdrawalView } from '../../schemas/withdrawal';
import type { WithdrawalService } from '../../services/withdrawal.service';

const adminWithdrawalRoutes: FastifyPluginAsyncTypebox<{
  withdrawals: WithdrawalService;
  workflowUrl: (workflowId: string) => string;
}> = async (fastify, opts) => {
  const { withdrawals, workflowUrl } = opts;
  const view = (w: Parameters<typeof toAdminWithdrawalView>[0]) => toAdminWithdrawalView(w, workflowUrl(w.workflowId));

  fastify.get(
    '/v1/admin/withdrawals/:id',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'A withdrawal with its decision and workflow link',
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 200: AdminWithdrawalView, ...commonErrorResponses },
      },
    },
    async (request) => view(await withdrawals.getForAdmin(request.params.id)),
  );

  fastify.post(
    '/v1/admin/withdrawals/:id/decision',
    {
      config: { access: 'admin:approver' },
      schema: {
        tags: ['admin'],
        summary: 'Approve or reject a withdrawal waiting for a decision',
        description:
          'Sent to the request workflow as a Workflow Update; answers once the outcome is stored. ' +
          'A decision that is no longer valid (already decided, expired) is refused with 409 and changes nothing.',
        security: [{ bearer: [] }],
        params: IdParams,
        body: DecisionBody,
        response: { 200: AdminWithdrawalView, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => {
      const admin = requireAdmin(request);
      return view(
        await withdrawals.decide(
          { adminId: admin.adminId, role: admin.role },
          { withdrawalId: request.params.id, ...request.body },
        ),
      );
    },
  );
};

export default adminWithdrawalRoutes;
