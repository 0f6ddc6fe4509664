import type { Knex } from 'knex';
import type { Db } from './knex';

export type DevicePlatform = 'android' | 'ios' | 'web';

export interface DeviceToken {
  id: string;
  workerId: string;
  token: string;
  platform: DevicePlatform;
  createdAt: Date;
  lastSeenAt: Date;
}

interface DeviceTokenRow {
  id: string;
  worker_id: string;
  token: string;
  platform: DevicePlatform;
  created_at: Date;
  last_seen_at: Date;
}

const toDeviceToken = (row: DeviceTokenRow): DeviceToken => ({
  id: row.id,
  workerId: row.worker_id,
  token: row.token,
  platform: row.platform,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
});

/** FCM registration tokens of workers' devices (one row per app install). */
export function createDeviceTokenRepository(db: Db) {
  return {
    /**
     * Registers a token for a worker in one statement. Already this worker's: refreshed (`last_seen_at`,
     * platform). Another worker's: moved, under a new id and creation time, since it is a new registration for
     * this worker (the previous owner signed out on that device). `created` is false only for a refresh.
     */
    async register(input: {
      workerId: string;
      token: string;
      platform: DevicePlatform;
    }): Promise<{ device: DeviceToken; created: boolean }> {
      const result = await db.raw<{ rows: Array<DeviceTokenRow & { refreshed: boolean }> }>(
        `
        INSERT INTO device_tokens AS d (worker_id, token, platform)
        VALUES (:workerId, :token, :platform)
        ON CONFLICT (token) DO UPDATE SET
          id = CASE WHEN d.worker_id = excluded.worker_id THEN d.id ELSE gen_random_uuid() END,
          created_at = CASE WHEN d.worker_id = excluded.worker_id THEN d.created_at ELSE now() END,
          worker_id = excluded.worker_id,
          platform = excluded.platform,
          last_seen_at = now()
        RETURNING d.*, (xmax <> 0 AND created_at <> now()) AS refreshed
        `,
        input,
      );
      const row = result.rows[0]!;
      return { device: toDeviceToken(row), created: !row.refreshed };
    },

    async listForWorker(workerId: string): Promise<DeviceToken[]> {
      const rows = await db<DeviceTokenRow>('device_tokens').where({ worker_id: workerId }).orderBy('created_at');
      return rows.map(toDeviceToken);
    },

    /** Removes one of the worker's own devices; false when the id is unknown or someone else's. */
    async deleteOwned(workerId: string, id: string): Promise<boolean> {
      const deleted = await db('device_tokens').where({ id, worker_id: workerId }).delete();
      return deleted > 0;
    },

    async tokensOf(workerIds: string[], trx: Knex | Knex.Transaction = db): Promise<DeviceToken[]> {
      if (workerIds.length === 0) {
        return [];
      }
      const rows = await trx<DeviceTokenRow>('device_tokens').whereIn('worker_id', workerIds).orderBy('created_at');
      return rows.map(toDeviceToken);
    },

    /** Forgets tokens FCM reported as no longer registered (app uninstalled, token rotated). */
    async removeTokens(tokens: string[], trx: Knex | Knex.Transaction = db): Promise<number> {
      if (tokens.length === 0) {
        return 0;
      }
      return trx('device_tokens').whereIn('token', tokens).delete();
    },
  };
}

export type DeviceTokenRepository = ReturnType<typeof createDeviceTokenRepository>;
