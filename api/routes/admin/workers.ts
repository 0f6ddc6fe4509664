import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, ErrorCode } from '../../errors';
import { commonErrorResponses, IdParams, Paise, Timestamp, Uuid } from '../../schemas/common';
import type { AdminWorkersService } from '../../services/admin-workers.service';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const WorkerSummary = Type.Object({
  id: Uuid,
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  displayName: Nullable(Type.String()),
  createdAt: Timestamp,
  erased: Type.Boolean({ description: 'Personal data erased after an account deletion' }),
  balancePaise: Paise,
  heldPaise: Paise,
  spendablePaise: Paise,
});

const WorkerDetail = Type.Object({
  worker: WorkerSummary,
  currency: Type.Literal('INR'),
  insurance: Nullable(Type.Object({ status: Type.String(), optedInAt: Nullable(Timestamp) })),
  plans: Type.Array(
    Type.Object({
      id: Uuid,
      planCode: Type.String(),
      name: Type.String(),
      pricePaise: Paise,
      slots: Type.Integer(),
      purchasedAt: Timestamp,
      expiresAt: Timestamp,
      active: Type.Boolean(),
    }),
  ),
  platforms: Type.Array(
    Type.Object({
      id: Uuid,
      slug: Type.String(),
      name: Type.String(),
      status: Type.String(),
      connectedAt: Timestamp,
      disconnectedAt: Nullable(Timestamp),
      lastSyncedAt: Nullable(Timestamp),
      earnedPaise: Paise,
    }),
  ),
  loans: Type.Array(
    Type.Object({
      id: Uuid,
      amountPaise: Paise,
      status: Type.String(),
      tenureMonths: Type.Integer(),
      emiPaise: Paise,
      annualRateBps: Type.Integer(),
      createdAt: Timestamp,
      outstandingPrincipalPaise: Paise,
      overdueInstalments: Type.Integer(),
    }),
  ),
  claims: Type.Array(
    Type.Object({
      id: Uuid,
      type: Type.String(),
      incidentOn: Type.String(),
      description: Type.String(),
      payoutPaise: Paise,
      status: Type.String(),
      createdAt: Timestamp,
    }),
  ),
  withdrawals: Type.Array(
    Type.Object({
      id: Uuid,
      amountPaise: Paise,
      status: Type.String(),
      createdAt: Timestamp,
      paidAt: Nullable(Timestamp),
    }),
    { description: 'The 20 most recent' },
  ),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Worker lookup for operations (any admin role may read). */
const adminWorkerRoutes: FastifyPluginAsyncTypebox<{ workers: AdminWorkersService }> = async (fastify, opts) => {
  fastify.get(
    '/v1/admin/workers',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'Search workers by id, phone, email or name; newest first, with a cursor',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 100 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(WorkerSummary), nextCursor: Nullable(Type.String()) }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const { q, cursor, limit } = request.query;
      let afterId: string | undefined;
      if (cursor) {
        afterId = Buffer.from(cursor, 'base64url').toString('utf8');
        if (!UUID.test(afterId)) {
          throw new AppError(ErrorCode.VALIDATION_FAILED, 'The cursor is not one this API issued');
        }
      }
      const items = await opts.workers.search({ q, afterId, limit });
      const last = items.at(-1);
      return {
        items,
        nextCursor: items.length === limit && last ? Buffer.from(last.id, 'utf8').toString('base64url') : null,
      };
    },
  );

  fastify.get(
    '/v1/admin/workers/:id',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'One worker: balance, insurance, plans, platforms, loans, claims and recent withdrawals',
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 200: WorkerDetail, ...commonErrorResponses },
      },
    },
    async (request) => opts.workers.detail(request.params.id),
  );
};

export default adminWorkerRoutes;
