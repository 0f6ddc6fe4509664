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
     * Leases the oldest worker-facing events due for a push, in one short statement: every API instance can run a
     * push relay (SKIP LOCKED, and a leased event is not due), and no transaction stays open while FCM answers.
     * Only events the socket relay has published: the two relays never touch the same rows, so a slow FCM cannot
     * hold an event back from the sockets. A relay that dies mid-send leaves the lease to run out: sent again.
     */
    async lease(db: Knex, limit: number, leaseMs: number): Promise<UnpushedEvent[]> {
      const result: { rows: UnpushedRow[] } = await db.raw(
        `UPDATE outbox_events SET push_not_before = now() + (? * interval '1 millisecond')
         WHERE id IN (
           SELECT id FROM outbox_events
           WHERE pushed_at IS NULL AND worker_id IS NOT NULL AND published_at IS NOT NULL
             AND (push_not_before IS NULL OR push_not_before <= now())
           ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
         RETURNING id, type, worker_id, payload, created_at, push_attempts`,
        [leaseMs, limit],
      );
      return result.rows
        .map((row) => ({
          id: Number(row.id),
          type: row.type,
          workerId: row.worker_id,
          payload: row.payload,
          createdAt: row.created_at,
          pushAttempts: row.push_attempts,
        }))
        .sort((x, y) => x.id - y.id);
    },

    async markPushed(trx: Knex.Transaction, ids: number[]): Promise<void> {
      if (ids.length > 0) {
        await trx('outbox_events').whereIn('id', ids).update({ pushed_at: trx.fn.now() });
      }
    },

    /**
     * Counts a failed pass; the event stays unpushed and is due again after an exponential backoff
     * (`baseMs` × 2^attempts, at most 5 minutes), so an FCM outage is retried for minutes, not hammered.
     */
    async recordFailedAttempt(trx: Knex.Transaction, ids: number[], baseMs: number): Promise<void> {
      if (ids.length > 0) {
        await trx('outbox_events')
          .whereIn('id', ids)
          .update({
            push_attempts: trx.raw('push_attempts + 1'),
            push_not_before: trx.raw(`now() + least(? * power(2, push_attempts), 300000) * interval '1 millisecond'`, [
              baseMs,
            ]),
          });
      }
    },
  };
}

export type PushQueueRepository = ReturnType<typeof createPushQueueRepository>;
