import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IdentityRepository } from '../../db/identity.repository';
import { clientMeta, requireAdmin } from '../../plugins/auth';
import { commonErrorResponses, ErrorResponse, IdParams } from '../../schemas/common';
import { AdminView, CreateAdminBody, CreatedAdminView, toAdminView, UpdateAdminBody } from '../../schemas/identity';
import type { AdminAuthService } from '../../services/admin-auth.service';

/** The admin roster: superadmins only. Every change is audited. */
const adminRosterRoutes: FastifyPluginAsyncTypebox<{
  adminAuth: AdminAuthService;
  identities: IdentityRepository;
}> = async (fastify, { adminAuth, identities }) => {
  fastify.get(
    '/v1/admin/admins',
    {
      config: { access: 'admin:superadmin' },
      schema: {
        tags: ['admin roster'],
        summary: 'Every admin with role and state',
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ admins: Type.Array(AdminView) }), ...commonErrorResponses },
      },
    },
    async () => ({ admins: (await identities.listAdmins()).map(toAdminView) }),
  );

  fastify.post(
    '/v1/admin/admins',
    {
      config: { access: 'admin:superadmin' },
      schema: {
        tags: ['admin roster'],
        summary: 'Create an admin; the answer carries their authenticator seed, once',
        security: [{ bearer: [] }],
        body: CreateAdminBody,
        response: { 201: CreatedAdminView, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireAdmin(request);
      const created = await adminAuth.createAdmin(request.body, { adminId: actor.adminId }, clientMeta(request));
      return reply.status(201).send({ admin: toAdminView(created.admin), enrolment: created.enrolment });
    },
  );

  fastify.patch(
    '/v1/admin/admins/:id',
    {
      config: { access: 'admin:superadmin' },
      schema: {
        tags: ['admin roster'],
        summary: 'Change an admin’s role, or disable / re-enable them (disabling ends their sessions)',
        description: 'Not on yourself; at least one active superadmin always remains (409 LAST_SUPERADMIN).',
        security: [{ bearer: [] }],
        params: IdParams,
        body: UpdateAdminBody,
        response: { 200: AdminView, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) =>
      toAdminView(
        await adminAuth.updateAdmin(requireAdmin(request), request.params.id, request.body, clientMeta(request)),
      ),
  );
};

export default adminRosterRoutes;
