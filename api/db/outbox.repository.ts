import type { Knex } from 'knex';
import type { Db } from './knex';

export interface NewOutboxEvent {
  type: string;
  workerId?: string;
  toAdmins?: boolean;
  payload: Record<string, unknown>;
}

export interface OutboxEvent {
  id: number;
  type: string;
  workerId: string | null;
  toAdmins: boolean;
  payload: Record<string, unknown>;
  createdAt: Date;
}

interface OutboxRow {
  id: number;
  type: string;
  worker_id: string | null;
  to_admins: boolean;
  payload: Record<string, unknown>;
  created_at: Date;
  published_at: Date | null;
}

const toEvent = (row: OutboxRow): OutboxEvent => ({
  id: row.id,
  type: row.type,
  workerId: row.worker_id,
  toAdmins: row.to_admins,
  payload: row.payload,
  createdAt: row.created_at,
});

export function createOutboxRepository(db: Db) {
  return {
    /** Must be called inside the transaction that makes the state change the event describes. */
    async append(trx: Knex.Transaction, event: NewOutboxEvent): Promise<number> {
      const [row] = await trx<OutboxRow>('outbox_events')
        .insert({
          type: event.type,
          worker_id: event.workerId ?? null,
          to_admins: event.toAdmins ?? false,
          payload: event.payload,
        })
        .returning('id');
      return (row as { id: number }).id;
    },

    /**
     * Locks the oldest unpublished events for this relay. SKIP LOCKED lets every API instance run a relay
     * without two of them publishing the same event at the same time.
     */
    async lockUnpublished(trx: Knex.Transaction, limit: number): Promise<OutboxEvent[]> {
      const rows = await trx<OutboxRow>('outbox_events')
        .whereNull('published_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked();
      return rows.map(toEvent);
    },

    async markPublished(trx: Knex.Transaction, ids: number[]): Promise<void> {
      await trx('outbox_events').whereIn('id', ids).update({ published_at: db.fn.now() });
    },

    async listForWorker(workerId: string, afterId: number, limit: number): Promise<OutboxEvent[]> {
      const rows = await db<OutboxRow>('outbox_events')
        .where('worker_id', workerId)
        .andWhere('id', '>', afterId)
        .orderBy('id')
        .limit(limit);
      return rows.map(toEvent);
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
