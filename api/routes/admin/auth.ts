import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IdentityRepository } from '../../db/identity.repository';
import { AppError } from '../../errors';
import { clientMeta, requireAdmin } from '../../plugins/auth';
import { commonErrorResponses, ErrorResponse } from '../../schemas/common';
import {
  AdminChallengeView,
  AdminPasswordBody,
  AdminSecondFactorBody,
  AdminSessionView,
  AdminView,
  ChangePasswordBody,
  toAdminView,
  toSessionView,
} from '../../schemas/identity';
import type { AdminAuthService } from '../../services/admin-auth.service';

/** Admin sign-in in two steps (password, then authenticator code) and the signed-in admin's own account. */
const adminAuthRoutes: FastifyPluginAsyncTypebox<{
  adminAuth: AdminAuthService;
  identities: IdentityRepository;
}> = async (fastify, { adminAuth, identities }) => {
  fastify.post(
    '/v1/admin/auth/sign-in',
    {
      config: { access: 'public', rateLimit: fastify.rateLimits.signIn },
      schema: {
        tags: ['admin auth'],
        summary: 'Step 1: username and password; answers with a challenge for the authenticator code',
        description: 'Five failed attempts (password or code) lock the account for 15 minutes (423 ACCOUNT_LOCKED).',
        body: AdminPasswordBody,
        response: { 200: AdminChallengeView, 423: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => {
      const challenge = await adminAuth.signIn(request.body, clientMeta(request));
      return {
        challengeToken: challenge.challengeToken,
        expiresAt: challenge.expiresAt.toISOString(),
        secondFactor: 'totp' as const,
      };
    },
  );

  fastify.post(
    '/v1/admin/auth/second-factor',
    {
      config: { access: 'public', rateLimit: fastify.rateLimits.signIn },
      schema: {
        tags: ['admin auth'],
        summary: 'Step 2: the authenticator (TOTP) code; starts the session',
        description: 'Each code is accepted once. A wrong or reused code is 422 WRONG_CODE.',
        body: AdminSecondFactorBody,
        response: { 200: AdminSessionView, 422: ErrorResponse, 423: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => {
      const session = await adminAuth.verifySecondFactor(request.body, clientMeta(request));
      return { ...toSessionView(session, session.admin.id), admin: toAdminView(session.admin) };
    },
  );

  fastify.get(
    '/v1/admin/me',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin auth'],
        summary: 'The signed-in admin',
        security: [{ bearer: [] }],
        response: { 200: AdminView, ...commonErrorResponses },
      },
    },
    async (request) => {
      const admin = await identities.findAdmin(requireAdmin(request).adminId);
      if (!admin) throw AppError.notFound('Admin');
      return toAdminView(admin);
    },
  );

  fastify.post(
    '/v1/admin/me/password',
    {
      config: { access: 'admin:viewer', rateLimit: fastify.rateLimits.signIn },
      schema: {
        tags: ['admin auth'],
        summary: 'Change your own password',
        security: [{ bearer: [] }],
        body: ChangePasswordBody,
        response: { 204: Type.Null(), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      await adminAuth.changePassword(requireAdmin(request), request.body, clientMeta(request));
      return reply.status(204).send(null);
    },
  );
};

export default adminAuthRoutes;
