import { Type } from '@sinclair/typebox';
import type { Notification } from '../db/notification.repository';
import { Timestamp } from './common';

const NotificationId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const NotificationView = Type.Object(
  {
    id: NotificationId,
    eventId: Type.Union([Type.Integer(), Type.Null()], {
      description: 'The real-time event it tells about (the Socket.IO `eventId`)',
    }),
    type: Type.String({ description: 'The event type from the event catalogue, e.g. withdrawal.status_changed' }),
    title: Type.String(),
    body: Type.String({ description: 'English; `data` carries the ids and status for an app to word it itself' }),
    data: Type.Record(Type.String(), Type.String()),
    createdAt: Timestamp,
    readAt: Type.Union([Timestamp, Type.Null()]),
  },
  { additionalProperties: false },
);

export const NotificationListQuerystring = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 200, description: "The previous page's nextCursor" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    unread: Type.Optional(Type.Boolean({ description: 'true: unread notifications only' })),
  },
  { additionalProperties: false },
);

export const NotificationPageView = Type.Object({
  items: Type.Array(NotificationView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const NotificationIdParams = Type.Object({ id: NotificationId }, { additionalProperties: false });

export const MarkAllReadQuerystring = Type.Object(
  {
    throughId: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'Only up to this notification (the newest the app showed), so a newer one stays unread',
      }),
    ),
  },
  { additionalProperties: false },
);

export const toNotificationView = (n: Notification) => ({
  id: n.id,
  eventId: n.eventId,
  type: n.type,
  title: n.title,
  body: n.body,
  data: n.data,
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt?.toISOString() ?? null,
});
