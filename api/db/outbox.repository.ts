import type { Knex } from 'knex';
import { notificationFor } from '../realtime/notification-text';
import type { Db } from './knex';
import { insertNotification } from './notification.repository';

export interface NewOutboxEvent {
  type: string;
  workerId?: string;
  toAdmins?: boolean;
  payload: Record<string, unknown>;
}

export interface OutboxEvent {
  id: number;
  /** Publication order (commit-ordered): the resync cursor. Null until the relay publishes the event. */
  deliverySeq: number | null;
  type: string;
  workerId: string | null;
  toAdmins: boolean;
  payload: Record<string, unknown>;
  createdAt: Date;
}

interface OutboxRow {
  id: number;
  delivery_seq: string | number | null;
  type: string;
  worker_id: string | null;
  to_admins: boolean;
  payload: Record<string, unknown>;
  created_at: Date;
  published_at: Date | null;
}

const toEvent = (row: OutboxRow): OutboxEvent => ({
  id: Number(row.id),
  deliverySeq: row.delivery_seq === null ? null : Number(row.delivery_seq),
  type: row.type,
  workerId: row.worker_id,
  toAdmins: row.to_admins,
  payload: row.payload,
  createdAt: row.created_at,
});

/** The advisory lock one publishing relay holds (exclusive) and a resync waits on (shared). */
const RELAY_LOCK = `hashtextextended('outbox-relay', 11)`;

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
      const eventId = (row as { id: number }).id;
      // The notification centre's row commits or rolls back with the event (and so with the state change).
      const text = notificationFor(event);
      if (text && event.workerId) {
        await insertNotification(trx, { eventId, workerId: event.workerId, type: event.type, text });
      }
      return eventId;
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

    /**
     * Marks the events published and numbers them in the given order. Call with the relay's advisory lock held
     * (`lockRelay`): with one numbering transaction at a time, the numbers only grow in commit order.
     */
    async markPublished(trx: Knex.Transaction, events: OutboxEvent[]): Promise<OutboxEvent[]> {
      if (events.length === 0) return [];
      const seqs: { rows: Array<{ seq: string }> } = await trx.raw(
        `SELECT nextval('outbox_delivery_seq') AS seq FROM generate_series(1, ?)`,
        [events.length],
      );
      const numbers = seqs.rows.map((r) => Number(r.seq)).sort((x, y) => x - y);
      const numbered = events.map((e, i) => ({ ...e, deliverySeq: numbers[i]! }));
      await trx.raw(
        `UPDATE outbox_events e SET published_at = now(), delivery_seq = v.seq
         FROM unnest(?::bigint[], ?::bigint[]) AS v(id, seq) WHERE e.id = v.id`,
        [numbered.map((e) => e.id), numbered.map((e) => e.deliverySeq)],
      );
      return numbered;
    },

    /** One publishing relay at a time, across every API instance, until the transaction ends. */
    async lockRelay(trx: Knex.Transaction): Promise<void> {
      await trx.raw(`SELECT pg_advisory_xact_lock(${RELAY_LOCK})`);
    },

    /**
     * What a worker missed since `afterSeq`, in publication order (the resync). It first waits for a relay batch
     * in flight (the relay emits before it commits): otherwise a client could be told "nothing after 5" while
     * 6–8 are emitted but not yet committed, and then see 9 live and never ask for 6–8 again.
     */
    async publishedForWorker(workerId: string, afterSeq: number, limit: number): Promise<OutboxEvent[]> {
      await db.raw(`SELECT pg_advisory_lock_shared(${RELAY_LOCK}); SELECT pg_advisory_unlock_shared(${RELAY_LOCK})`);
      const rows = await db<OutboxRow>('outbox_events')
        .where('worker_id', workerId)
        .whereNotNull('delivery_seq')
        .andWhere('delivery_seq', '>', afterSeq)
        .orderBy('delivery_seq')
        .limit(limit);
      return rows.map(toEvent);
    },

    /** What the admins' room missed since `afterSeq`, in publication order. */
    async publishedForAdmins(afterSeq: number, limit: number): Promise<OutboxEvent[]> {
      await db.raw(`SELECT pg_advisory_lock_shared(${RELAY_LOCK}); SELECT pg_advisory_unlock_shared(${RELAY_LOCK})`);
      const rows = await db<OutboxRow>('outbox_events')
        .where('to_admins', true)
        .whereNotNull('delivery_seq')
        .andWhere('delivery_seq', '>', afterSeq)
        .orderBy('delivery_seq')
        .limit(limit);
      return rows.map(toEvent);
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
