import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IdentityRepository } from '../../db/identity.repository';
import { AdminRole, commonErrorResponses } from '../../schemas/common';
import type { AccessTokenService } from '../../services/access-token.service';

const TokenResponse = Type.Object({
  accessToken: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  subjectId: Type.String({ format: 'uuid' }),
});

/**
 * Development-only sign-in so the pipeline can be exercised before the one-time-code flow exists.
 * app.ts never registers this in production.
 */
const devAuthRoutes: FastifyPluginAsyncTypebox<{ identities: IdentityRepository; tokens: AccessTokenService }> = async (
  fastify,
  { identities, tokens },
) => {
  fastify.post(
    '/v1/dev/workers/sign-in',
    {
      config: { access: 'public' },
      schema: {
        tags: ['development'],
        summary: 'Development only: sign in (or register) a worker by phone number',
        body: Type.Object(
          {
            phone: Type.String({ pattern: '^\\+?[0-9]{10,15}$' }),
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: TokenResponse, ...commonErrorResponses },
      },
    },
    async (request) => {
      const worker = await identities.upsertWorkerByPhone(request.body.phone, request.body.displayName);
      const { token, expiresAt } = tokens.issue({ kind: 'worker', workerId: worker.id });
      return { accessToken: token, expiresAt: expiresAt.toISOString(), subjectId: worker.id };
    },
  );

  fastify.post(
    '/v1/dev/admins/sign-in',
    {
      config: { access: 'public' },
      schema: {
        tags: ['development'],
        summary: 'Development only: sign in (or create) an admin by username',
        body: Type.Object(
          {
            username: Type.String({ pattern: '^[a-z0-9._-]{3,40}$' }),
            role: Type.Optional(AdminRole),
          },
          { additionalProperties: false },
        ),
        response: { 200: TokenResponse, ...commonErrorResponses },
      },
    },
    async (request) => {
      const admin = await identities.upsertAdmin(request.body.username, request.body.role ?? 'approver');
      const { token, expiresAt } = tokens.issue({ kind: 'admin', adminId: admin.id, role: admin.role });
      return { accessToken: token, expiresAt: expiresAt.toISOString(), subjectId: admin.id };
    },
  );
};

export default devAuthRoutes;
