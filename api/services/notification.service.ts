import type { Notification, NotificationRepository } from '../db/notification.repository';
import { AppError, ErrorCode } from '../errors';

export interface NotificationPage {
  items: Notification[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
}

/** Cursors are opaque to clients: the last item's id, which the database compares with the rows' own ids. */
function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = /^n:([1-9][0-9]{0,15})$/.exec(text)?.[1];
  if (!id || !Number.isSafeInteger(Number(id))) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'The cursor is not one this API issued');
  }
  return Number(id);
}
const encodeCursor = (n: Notification) => Buffer.from(`n:${n.id}`, 'utf8').toString('base64url');

/**
 * The worker's notification centre (SPEC §11). Rows are written with their events (outbox `append`); this only
 * reads them and records what was read. Always the caller's own: another worker's id is simply not found.
 */
export function createNotificationService(deps: { notifications: NotificationRepository }) {
  const { notifications } = deps;
  return {
    async list(input: {
      workerId: string;
      cursor?: string;
      limit: number;
      unreadOnly: boolean;
    }): Promise<NotificationPage> {
      const items = await notifications.listForWorker(input.workerId, {
        beforeId: input.cursor === undefined ? undefined : decodeCursor(input.cursor),
        unreadOnly: input.unreadOnly,
        limit: input.limit,
      });
      const last = items.at(-1);
      return { items, nextCursor: items.length === input.limit && last ? encodeCursor(last) : null };
    },

    unreadCount(workerId: string): Promise<number> {
      return notifications.unreadCount(workerId);
    },

    /** Idempotent: marking a read notification again keeps its first read time. */
    async markRead(input: { workerId: string; id: number }): Promise<Notification> {
      const notification = await notifications.markRead(input.workerId, input.id);
      if (!notification) throw AppError.notFound('Notification');
      return notification;
    },

    markAllRead(input: { workerId: string; throughId?: number }): Promise<number> {
      return notifications.markAllRead(input.workerId, input.throughId);
    },
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
