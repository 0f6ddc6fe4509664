import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWorker } from '../../plugins/auth';
import { commonErrorResponses } from '../../schemas/common';
import {
  MarkAllReadQuerystring,
  NotificationIdParams,
  NotificationListQuerystring,
  NotificationPageView,
  NotificationView,
  toNotificationView,
} from '../../schemas/notification';
import type { NotificationService } from '../../services/notification.service';

/** The worker's notification centre (SPEC §11): the caller's own notifications, newest first, with read state. */
const notificationRoutes: FastifyPluginAsyncTypebox<{ notifications: NotificationService }> = async (fastify, opts) => {
  const { notifications } = opts;
  const security = [{ bearer: [] }];

  fastify.get(
    '/v1/me/notifications',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['notifications'],
        summary: 'My notifications, newest first (cursor-paginated; `unread=true` for unread only)',
        description:
          'One notification per worker-facing status change (withdrawals, loans and instalments, claims, insurance ' +
          'cover, account deletion), stored in the same transaction as the change.',
        security,
        querystring: NotificationListQuerystring,
        response: { 200: NotificationPageView, ...commonErrorResponses },
      },
    },
    async (request) => {
      const page = await notifications.list({
        workerId: requireWorker(request),
        cursor: request.query.cursor,
        limit: request.query.limit ?? 20,
        unreadOnly: request.query.unread === true,
      });
      return { items: page.items.map(toNotificationView), nextCursor: page.nextCursor };
    },
  );

  fastify.get(
    '/v1/me/notifications/unread-count',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['notifications'],
        summary: 'How many of my notifications are unread (the badge)',
        security,
        response: { 200: Type.Object({ unread: Type.Integer({ minimum: 0 }) }), ...commonErrorResponses },
      },
    },
    async (request) => ({ unread: await notifications.unreadCount(requireWorker(request)) }),
  );

  fastify.post(
    '/v1/me/notifications/:id/read',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark one of my notifications read',
        description: 'Idempotent: marking it again keeps the first read time. Another worker’s id answers 404.',
        security,
        params: NotificationIdParams,
        response: { 200: NotificationView, ...commonErrorResponses },
      },
    },
    async (request) =>
      toNotificationView(await notifications.markRead({ workerId: requireWorker(request), id: request.params.id })),
  );

  fastify.post(
    '/v1/me/notifications/read-all',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark all my notifications read (optionally only up to `throughId`)',
        security,
        querystring: MarkAllReadQuerystring,
        response: {
          200: Type.Object({ marked: Type.Integer({ minimum: 0, description: 'How many were unread until now' }) }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => ({
      marked: await notifications.markAllRead({
        workerId: requireWorker(request),
        throughId: request.query.throughId,
      }),
    }),
  );
};

export default notificationRoutes;
