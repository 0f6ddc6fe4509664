import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, ErrorCode } from '../../errors';
import { commonErrorResponses, ErrorResponse, IdParams } from '../../schemas/common';
import { AdminPlatformView, toAdminPlatformView } from '../../schemas/platform';
import type { PlatformAdminService } from '../../services/platform-admin.service';

const Name = Type.String({ minLength: 1, maxLength: 60 });
const Colour = Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: 'Brand colour, #RRGGBB' });
const SortOrder = Type.Integer({ minimum: 0, maximum: 10_000 });

const adminPlatformRoutes: FastifyPluginAsyncTypebox<{ admin: PlatformAdminService; logoMaxBytes: number }> = async (
  fastify,
  opts,
) => {
  const { admin } = opts;
  // Logos arrive as the raw image body; the declared type is only a hint, the bytes are sniffed by the service.
  fastify.addContentTypeParser(
    ['image/png', 'image/jpeg', 'image/webp'],
    { parseAs: 'buffer', bodyLimit: opts.logoMaxBytes },
    (_request, body, done) => done(null, body),
  );

  fastify.get(
    '/v1/admin/platforms',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'The platform catalog, disabled ones included',
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ items: Type.Array(AdminPlatformView) }), ...commonErrorResponses },
      },
    },
    async () => ({ items: (await admin.list()).map(toAdminPlatformView) }),
  );

  fastify.post(
    '/v1/admin/platforms',
    {
      config: { access: 'admin:senior_approver' },
      schema: {
        tags: ['admin'],
        summary: 'Add a platform to the catalog',
        security: [{ bearer: [] }],
        body: Type.Object(
          {
            slug: Type.String({ pattern: '^[a-z0-9-]{2,40}$' }),
            name: Name,
            brandColour: Colour,
            enabled: Type.Boolean({ default: true }),
            sortOrder: Type.Integer({ minimum: 0, maximum: 10_000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: AdminPlatformView, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(toAdminPlatformView(await admin.create(request.body))),
  );

  fastify.patch(
    '/v1/admin/platforms/:id',
    {
      config: { access: 'admin:senior_approver' },
      schema: {
        tags: ['admin'],
        summary: 'Edit, enable or disable, or reorder a platform',
        description: 'Disabling stops new syncs and connections; money already credited stays.',
        security: [{ bearer: [] }],
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            brandColour: Type.Optional(Colour),
            enabled: Type.Optional(Type.Boolean()),
            sortOrder: Type.Optional(SortOrder),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: AdminPlatformView, ...commonErrorResponses },
      },
    },
    async (request) => toAdminPlatformView(await admin.update(request.params.id, request.body)),
  );

  fastify.put(
    '/v1/admin/platforms/:id/logo',
    {
      config: { access: 'admin:senior_approver', rateLimit: fastify.rateLimits.uploads },
      schema: {
        tags: ['admin'],
        summary: 'Upload the platform’s logo (PNG, JPEG or WebP body; checked by its bytes, size-limited)',
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 200: AdminPlatformView, ...commonErrorResponses },
      },
    },
    async (request) => {
      // Any other content type (JSON, say) was parsed as such: refuse it as the wrong media type.
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send the logo as image/png, image/jpeg or image/webp');
      }
      return toAdminPlatformView(await admin.setLogo(request.params.id, request.body));
    },
  );
};

export default adminPlatformRoutes;
