import type { Knex } from 'knex';
import type { Db } from './knex';

export interface WebPushSubscription {
  id: string;
  workerId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  createdAt: Date;
  lastSuccessAt: Date | null;
}

interface WebPushSubscriptionRow {
  id: string;
  worker_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: Date;
  last_success_at: Date | null;
}

const toSubscription = (row: WebPushSubscriptionRow): WebPushSubscription => ({
  id: row.id,
  workerId: row.worker_id,
  endpoint: row.endpoint,
  p256dh: row.p256dh,
  auth: row.auth,
  createdAt: row.created_at,
  lastSuccessAt: row.last_success_at,
});

/** The PWA's Web Push subscriptions (one row per browser profile that allowed notifications). */
export function createWebPushSubscriptionRepository(db: Db) {
  return {
    /**
     * Saves a subscription in one statement. The same endpoint again: its keys are refreshed (a browser may rotate
     * them); another worker's endpoint moves to this worker under a new id (a new sign-in on that browser).
     */
    async save(input: {
      workerId: string;
      endpoint: string;
      p256dh: string;
      auth: string;
    }): Promise<{ subscription: WebPushSubscription; created: boolean }> {
      const result = await db.raw<{ rows: Array<WebPushSubscriptionRow & { same_owner: boolean }> }>(
        `
        WITH previous AS (SELECT worker_id FROM web_push_subscriptions WHERE endpoint = :endpoint)
        INSERT INTO web_push_subscriptions AS s (worker_id, endpoint, p256dh, auth)
        VALUES (:workerId, :endpoint, :p256dh, :auth)
        ON CONFLICT (endpoint) DO UPDATE SET
          id = CASE WHEN s.worker_id = excluded.worker_id THEN s.id ELSE gen_random_uuid() END,
          created_at = CASE WHEN s.worker_id = excluded.worker_id THEN s.created_at ELSE now() END,
          worker_id = excluded.worker_id,
          p256dh = excluded.p256dh,
          auth = excluded.auth
        RETURNING s.*, coalesce((SELECT worker_id FROM previous) = s.worker_id, false) AS same_owner
        `,
        input,
      );
      const row = result.rows[0]!;
      return { subscription: toSubscription(row), created: !row.same_owner };
    },

    async listForWorker(workerId: string): Promise<WebPushSubscription[]> {
      const rows = await db<WebPushSubscriptionRow>('web_push_subscriptions')
        .where({ worker_id: workerId })
        .orderBy('created_at');
      return rows.map(toSubscription);
    },

    /** Removes one of the worker's own subscriptions; false when the id is unknown or someone else's. */
    async deleteOwned(workerId: string, id: string): Promise<boolean> {
      return (await db('web_push_subscriptions').where({ id, worker_id: workerId }).delete()) > 0;
    },

    async subscriptionsOf(workerIds: string[], trx: Knex | Knex.Transaction = db): Promise<WebPushSubscription[]> {
      if (workerIds.length === 0) {
        return [];
      }
      const rows = await trx<WebPushSubscriptionRow>('web_push_subscriptions')
        .whereIn('worker_id', workerIds)
        .orderBy('created_at');
      return rows.map(toSubscription);
    },

    /** Forgets subscriptions the push service reported gone (404/410: unsubscribed, expired). */
    async removeEndpoints(endpoints: string[], trx: Knex | Knex.Transaction = db): Promise<number> {
      if (endpoints.length === 0) {
        return 0;
      }
      return trx('web_push_subscriptions').whereIn('endpoint', endpoints).delete();
    },

    async markDelivered(endpoints: string[], trx: Knex | Knex.Transaction = db): Promise<void> {
      if (endpoints.length > 0) {
        await trx('web_push_subscriptions').whereIn('endpoint', endpoints).update({ last_success_at: trx.fn.now() });
      }
    },
  };
}

export type WebPushSubscriptionRepository = ReturnType<typeof createWebPushSubscriptionRepository>;
