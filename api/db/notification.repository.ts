import type { Knex } from 'knex';
import type { NotificationText } from '../realtime/notification-text';
import type { Db } from './knex';

/** One entry of a worker's notification centre: the words of one worker-facing event, read or not. */
export interface Notification {
  id: number;
  /** The outbox event it tells about (the Socket.IO `eventId`); null only if that event was ever cleaned up. */
  eventId: number | null;
  workerId: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, string>;
  createdAt: Date;
  readAt: Date | null;
}

interface NotificationRow {
  id: number;
  event_id: number | null;
  worker_id: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, string>;
  created_at: Date;
  read_at: Date | null;
}

const toNotification = (row: NotificationRow): Notification => ({
  id: Number(row.id),
  eventId: row.event_id === null ? null : Number(row.event_id),
  workerId: row.worker_id,
  type: row.type,
  title: row.title,
  body: row.body,
  data: row.data,
  createdAt: row.created_at,
  readAt: row.read_at,
});

/**
 * Stores the notification for a worker-facing outbox event. Called only by the outbox's `append`, inside the
 * transaction that writes the event, so the notification exists exactly when the state change does.
 */
export async function insertNotification(
  trx: Knex.Transaction,
  input: { eventId: number; workerId: string; type: string; text: NotificationText },
): Promise<void> {
  await trx('notifications').insert({
    event_id: input.eventId,
    worker_id: input.workerId,
    type: input.type,
    title: input.text.title,
    body: input.text.body,
    data: input.text.data,
  });
}

export function createNotificationRepository(db: Db) {
  return {
    /** Newest first; `beforeId` continues a page (ids only grow, so "older than" is simply a smaller id). */
    async listForWorker(
      workerId: string,
      query: { beforeId?: number; unreadOnly: boolean; limit: number },
    ): Promise<Notification[]> {
      const b = db<NotificationRow>('notifications').where({ worker_id: workerId });
      if (query.beforeId !== undefined) {
        void b.andWhere('id', '<', query.beforeId);
      }
      if (query.unreadOnly) {
        void b.whereNull('read_at');
      }
      const rows = await b.orderBy('id', 'desc').limit(query.limit);
      return rows.map(toNotification);
    },

    async unreadCount(workerId: string): Promise<number> {
      const row: { count: number } = await db('notifications')
        .where({ worker_id: workerId })
        .whereNull('read_at')
        .first(db.raw('count(*)::int AS count'));
      return row.count;
    },

    /** Marks one of the worker's own notifications read; an earlier read time is kept. Undefined if not theirs. */
    async markRead(workerId: string, id: number): Promise<Notification | undefined> {
      const [row] = await db<NotificationRow>('notifications')
        .where({ id, worker_id: workerId })
        .update({ read_at: db.raw<Date>('coalesce(read_at, now())') })
        .returning('*');
      return row && toNotification(row);
    },

    /**
     * Marks the worker's unread notifications read, up to `throughId` when given (the newest one the app showed, so
     * one that arrived meanwhile stays unread); returns how many were marked.
     */
    async markAllRead(workerId: string, throughId?: number): Promise<number> {
      const b = db('notifications').where({ worker_id: workerId }).whereNull('read_at');
      if (throughId !== undefined) {
        void b.andWhere('id', '<=', throughId);
      }
      return b.update({ read_at: db.fn.now() });
    },
  };
}

export type NotificationRepository = ReturnType<typeof createNotificationRepository>;
