import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { clientMeta, requirePrincipal } from '../../plugins/auth';
import { commonErrorResponses, ErrorResponse } from '../../schemas/common';
import {
  CodeSentView,
  CodeSignInBody,
  ContactBody,
  RefreshBody,
  SessionView,
  toSessionView,
} from '../../schemas/identity';
import type { SessionService } from '../../services/session.service';
import type { WorkerSignInService } from '../../services/worker-sign-in.service';

/** Worker sign-in with a one-time code, and the session routes shared by workers and admins. */
const authRoutes: FastifyPluginAsyncTypebox<{ signIn: WorkerSignInService; sessions: SessionService }> = async (
  fastify,
  { signIn, sessions },
) => {
  fastify.post(
    '/v1/auth/codes',
    {
      config: { access: 'public', rateLimit: fastify.rateLimits.signIn },
      schema: {
        tags: ['auth'],
        summary: 'Send a one-time sign-in code by email or SMS',
        description:
          'Answers the same whether or not the account exists (a first sign-in registers it). At most 5 codes an ' +
          'hour per email or phone, 30 s apart; a new code replaces the previous one.',
        body: ContactBody,
        response: { 202: CodeSentView, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const sent = await signIn.requestCode(request.body, clientMeta(request));
      return reply
        .status(202)
        .send({ expiresAt: sent.expiresAt.toISOString(), resendAfter: sent.resendAfter.toISOString() });
    },
  );

  fastify.post(
    '/v1/auth/sign-in',
    {
      config: { access: 'public', rateLimit: fastify.rateLimits.signIn },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with the code: starts a session',
        description:
          'Codes last 10 minutes and work once. The fifth wrong try kills the code (429 TOO_MANY_ATTEMPTS). ' +
          'A wrong code is 422 WRONG_CODE with the tries left.',
        body: CodeSignInBody,
        response: { 200: SessionView, 422: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => {
      const session = await signIn.signIn(request.body, clientMeta(request));
      return toSessionView(session, session.workerId);
    },
  );

  fastify.post(
    '/v1/auth/refresh',
    {
      config: { access: 'public', rateLimit: fastify.rateLimits.signIn },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new access and refresh token',
        description:
          'Each refresh token works once. Presenting a used one again signs the whole session out (it was copied).',
        body: RefreshBody,
        response: { 200: SessionView, ...commonErrorResponses },
      },
    },
    async (request) => {
      const tokens = await sessions.refresh(request.body.refreshToken, clientMeta(request));
      const principal = await sessions.authenticate(tokens.accessToken);
      const subjectId = principal?.kind === 'worker' ? principal.workerId : (principal?.adminId ?? '');
      return toSessionView(tokens, subjectId);
    },
  );

  fastify.post(
    '/v1/auth/sign-out',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['auth'],
        summary: 'End this session (its access and refresh tokens stop working at once)',
        security: [{ bearer: [] }],
        response: { 204: Type.Null(), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      await sessions.signOut(requirePrincipal(request), clientMeta(request));
      return reply.status(204).send(null);
    },
  );

  fastify.post(
    '/v1/auth/sign-out-everywhere',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['auth'],
        summary: 'End every session of this account, on every device',
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ sessionsEnded: Type.Integer() }), ...commonErrorResponses },
      },
    },
    async (request) => ({
      sessionsEnded: await sessions.signOutEverywhere(requirePrincipal(request), clientMeta(request)),
    }),
  );
};

export default authRoutes;
