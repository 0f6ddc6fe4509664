import type { Knex } from 'knex';

/** A worker-facing outbox event the push relay has not handled yet. */
export interface UnpushedEvent {
  id: number;
  type: string;
  workerId: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  pushAttempts: number;
}

interface UnpushedRow {
  id: number;
  type: string;
  worker_id: string;
  payload: Record<string, unknown>;
  created_at: Date;
  push_attempts: number;
}

/**
 * The push relay's view of the outbox: its own `pushed_at` mark, so pushes neither wait for nor hold up the
 * Socket.IO relay (`published_at`).
 */
export function createPushQueueRepository() {
  return {
    /**
     * Locks the oldest worker-facing events not yet pushed. SKIP LOCKED lets every API instance run a push relay
     * without two of them sending the same event at the same time.
     */
    async lockUnpushed(trx: Knex.Transaction, limit: number): Promise<UnpushedEvent[]> {
      const rows = await trx<UnpushedRow>('outbox_events')
        .select('id', 'type', 'worker_id', 'payload', 'created_at', 'push_attempts')
        .whereNull('pushed_at')
        .whereNotNull('worker_id')
        // Only events the socket relay has published: the two relays then never lock the same rows, so a slow FCM
        // cannot hold an event back from the sockets (or reorder it behind later ones).
        .whereNotNull('published_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked();
      return rows.map((row) => ({
        id: row.id,
        type: row.type,
        workerId: row.worker_id,
        payload: row.payload,
        createdAt: row.created_at,
        pushAttempts: row.push_attempts,
      }));
    },

    async markPushed(trx: Knex.Transaction, ids: number[]): Promise<void> {
      if (ids.length > 0) {
        await trx('outbox_events').whereIn('id', ids).update({ pushed_at: trx.fn.now() });
      }
    },

    /** Counts a failed pass; the event stays unpushed and is tried again on a later pass. */
    async recordFailedAttempt(trx: Knex.Transaction, ids: number[]): Promise<void> {
      if (ids.length > 0) {
        await trx('outbox_events')
          .whereIn('id', ids)
          .update({ push_attempts: trx.raw('push_attempts + 1') });
      }
    },
  };
}

export type PushQueueRepository = ReturnType<typeof createPushQueueRepository>;
