import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWorker } from '../../plugins/auth';
import { commonErrorResponses, ErrorResponse } from '../../schemas/common';
import {
  ConnectionView,
  Phone,
  PlatformView,
  SlugParams,
  SyncStatusView,
  toConnectionView,
  toPlatformView,
} from '../../schemas/platform';
import type { PlatformAdminService } from '../../services/platform-admin.service';
import type { PlatformService } from '../../services/platform.service';

const platformRoutes: FastifyPluginAsyncTypebox<{
  platforms: PlatformService;
  logos: Pick<PlatformAdminService, 'logo'>;
}> = async (fastify, { platforms, logos }) => {
  fastify.get(
    '/v1/platforms/:slug/logo',
    {
      config: { access: 'public' },
      schema: {
        tags: ['platforms'],
        summary: 'A platform’s logo (long-lived cache; the catalog’s logoUrl changes when the logo does)',
        params: SlugParams,
        querystring: Type.Object({ v: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const logo = await logos.logo(request.params.slug);
      const etag = `"${logo.sha256}"`;
      void reply
        .header('content-type', logo.contentType)
        .header('etag', etag)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', request.query.v ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      return reply.send(logo.bytes);
    },
  );

  fastify.get(
    '/v1/platforms',
    {
      config: { access: 'public' },
      schema: {
        tags: ['platforms'],
        summary: 'The gig platforms GigBit connects to',
        response: {
          200: Type.Object({ items: Type.Array(PlatformView), activeCount: Type.Integer() }),
          ...commonErrorResponses,
        },
      },
    },
    async () => {
      const items = await platforms.catalog();
      return { items: items.map(toPlatformView), activeCount: items.filter((p) => p.enabled).length };
    },
  );

  fastify.get(
    '/v1/me/platforms',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['platforms'],
        summary: 'My platform connections (disconnected ones keep their history)',
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ items: Type.Array(ConnectionView) }), ...commonErrorResponses },
      },
    },
    async (request) => ({ items: (await platforms.connections(requireWorker(request))).map(toConnectionView) }),
  );

  fastify.post(
    '/v1/me/platforms/:slug/code',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.signIn },
      schema: {
        tags: ['platforms'],
        summary: 'Ask the platform to text a one-time code to my platform phone number',
        security: [{ bearer: [] }],
        params: SlugParams,
        body: Type.Object({ phone: Phone }, { additionalProperties: false }),
        response: {
          202: Type.Object({ sent: Type.Boolean() }),
          409: ErrorResponse,
          422: ErrorResponse,
          ...commonErrorResponses,
        },
      },
    },
    async (request, reply) => {
      await platforms.requestCode({
        workerId: requireWorker(request),
        slug: request.params.slug,
        phone: request.body.phone,
      });
      return reply.status(202).send({ sent: true });
    },
  );

  fastify.post(
    '/v1/me/platforms/:slug/connect',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['platforms'],
        summary: 'Connect the platform with the code it texted; takes a plan slot',
        description: 'Refused with 422: WRONG_CODE, NO_FREE_SLOT, PLATFORM_UNAVAILABLE; 409 ALREADY_CONNECTED.',
        security: [{ bearer: [] }],
        params: SlugParams,
        body: Type.Object(
          { phone: Phone, otp: Type.String({ pattern: '^[0-9]{6}$' }) },
          { additionalProperties: false },
        ),
        response: { 201: ConnectionView, 409: ErrorResponse, 422: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const connection = await platforms.connect({
        workerId: requireWorker(request),
        slug: request.params.slug,
        ...request.body,
      });
      return reply.status(201).send(toConnectionView(connection));
    },
  );

  fastify.delete(
    '/v1/me/platforms/:slug',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['platforms'],
        summary: 'Disconnect a platform (earnings already credited stay; the slot stays bound until the plan expires)',
        security: [{ bearer: [] }],
        params: SlugParams,
        response: { 204: Type.Null(), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      await platforms.disconnect({ workerId: requireWorker(request), slug: request.params.slug });
      return reply.status(204).send(null);
    },
  );

  fastify.post(
    '/v1/me/sync',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['platforms'],
        summary: 'Sync my earnings now (joins a sync already running)',
        security: [{ bearer: [] }],
        response: { 202: Type.Object({ workflowId: Type.String() }), ...commonErrorResponses },
      },
    },
    async (request, reply) => reply.status(202).send(await platforms.syncNow(requireWorker(request))),
  );

  fastify.get(
    '/v1/me/sync',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['platforms'],
        summary: 'Progress of my latest sync (accounts done / total), live while it runs',
        security: [{ bearer: [] }],
        response: { 200: SyncStatusView, ...commonErrorResponses },
      },
    },
    async (request) =>
      (await platforms.syncStatus(requireWorker(request))) ?? { state: 'never' as const, progress: null },
  );
};

export default platformRoutes;
