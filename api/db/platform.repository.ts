import type { Knex } from 'knex';
import type { Db } from './knex';

export interface Platform {
  id: string;
  slug: string;
  name: string;
  brandColour: string;
  enabled: boolean;
  sortOrder: number;
  connectorUrl: string | null;
  logo: { file: string; contentType: string; sha256: string } | null;
}

export interface PlatformInput {
  slug: string;
  name: string;
  brandColour: string;
  enabled: boolean;
  sortOrder: number;
}

export interface Connection {
  id: string;
  workerId: string;
  platformId: string;
  externalAccountId: string;
  planPurchaseId: string;
  status: 'connected' | 'disconnected';
  tripCursor: string | null;
  lastSyncedAt: Date | null;
  connectedAt: Date;
  disconnectedAt: Date | null;
}

interface PlatformRow {
  id: string;
  slug: string;
  name: string;
  brand_colour: string;
  enabled: boolean;
  sort_order: number;
  connector_url: string | null;
  logo_file: string | null;
  logo_content_type: string | null;
  logo_sha256: string | null;
}
interface ConnectionRow {
  id: string;
  worker_id: string;
  platform_id: string;
  external_account_id: string;
  plan_purchase_id: string;
  status: 'connected' | 'disconnected';
  trip_cursor: string | null;
  last_synced_at: Date | null;
  connected_at: Date;
  disconnected_at: Date | null;
}

const toPlatform = (r: PlatformRow): Platform => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  brandColour: r.brand_colour,
  enabled: r.enabled,
  sortOrder: r.sort_order,
  connectorUrl: r.connector_url,
  logo:
    r.logo_file && r.logo_content_type && r.logo_sha256
      ? { file: r.logo_file, contentType: r.logo_content_type, sha256: r.logo_sha256 }
      : null,
});
const toConnection = (r: ConnectionRow): Connection => ({
  id: r.id,
  workerId: r.worker_id,
  platformId: r.platform_id,
  externalAccountId: r.external_account_id,
  planPurchaseId: r.plan_purchase_id,
  status: r.status,
  tripCursor: r.trip_cursor,
  lastSyncedAt: r.last_synced_at,
  connectedAt: r.connected_at,
  disconnectedAt: r.disconnected_at,
});

export interface NewTrip {
  externalTripId: string;
  amountPaise: number;
  completedAt: Date;
}

export function createPlatformRepository(db: Db) {
  const q = (trx?: Knex.Transaction) => trx ?? db;

  /** Records trips of many connections at once, in one fixed order; returns how many were new. */
  async function insertTrips(
    trips: Array<NewTrip & { journalId: string; connection: Connection }>,
    trx: Knex.Transaction,
  ): Promise<number> {
    if (trips.length === 0) return 0;
    const rows = trips
      .map((t) => ({
        platform_id: t.connection.platformId,
        external_trip_id: t.externalTripId,
        connection_id: t.connection.id,
        worker_id: t.connection.workerId,
        amount_paise: t.amountPaise,
        completed_at: t.completedAt,
        journal_id: t.journalId,
      }))
      .sort((a, b) => (a.platform_id + a.external_trip_id < b.platform_id + b.external_trip_id ? -1 : 1));
    const inserted = await trx('platform_trips')
      .insert(rows)
      .onConflict(['platform_id', 'external_trip_id'])
      .ignore()
      .returning('external_trip_id');
    return inserted.length;
  }

  return {
    async list(): Promise<Platform[]> {
      return (await db<PlatformRow>('platforms').orderBy('sort_order').orderBy('name')).map(toPlatform);
    },

    async findBySlug(slug: string, trx?: Knex.Transaction): Promise<Platform | undefined> {
      const row = await q(trx)<PlatformRow>('platforms').where('slug', slug).first();
      return row ? toPlatform(row) : undefined;
    },

    async findById(id: string, trx?: Knex.Transaction): Promise<Platform | undefined> {
      const row = await q(trx)<PlatformRow>('platforms').where('id', id).first();
      return row ? toPlatform(row) : undefined;
    },

    async create(input: PlatformInput): Promise<Platform | undefined> {
      const [row] = await db('platforms')
        .insert({
          slug: input.slug,
          name: input.name,
          brand_colour: input.brandColour,
          enabled: input.enabled,
          sort_order: input.sortOrder,
        })
        .onConflict('slug')
        .ignore()
        .returning<PlatformRow[]>('*');
      return row ? toPlatform(row) : undefined;
    },

    async update(id: string, changes: Partial<Omit<PlatformInput, 'slug'>>): Promise<Platform | undefined> {
      const [row] = await db('platforms')
        .where({ id })
        .update({
          ...(changes.name !== undefined && { name: changes.name }),
          ...(changes.brandColour !== undefined && { brand_colour: changes.brandColour }),
          ...(changes.enabled !== undefined && { enabled: changes.enabled }),
          ...(changes.sortOrder !== undefined && { sort_order: changes.sortOrder }),
        })
        .returning<PlatformRow[]>('*');
      return row ? toPlatform(row) : undefined;
    },

    async setLogo(
      id: string,
      logo: { file: string; contentType: string; sha256: string },
    ): Promise<Platform | undefined> {
      const [row] = await db('platforms')
        .where({ id })
        .update({ logo_file: logo.file, logo_content_type: logo.contentType, logo_sha256: logo.sha256 })
        .returning<PlatformRow[]>('*');
      return row ? toPlatform(row) : undefined;
    },

    async liveConnection(
      workerId: string,
      platformId: string,
      trx?: Knex.Transaction,
    ): Promise<Connection | undefined> {
      const row = await q(trx)<ConnectionRow>('platform_connections')
        .where({ worker_id: workerId, platform_id: platformId, status: 'connected' })
        .first();
      return row ? toConnection(row) : undefined;
    },

    async findConnection(id: string, trx?: Knex.Transaction): Promise<Connection | undefined> {
      const row = await q(trx)<ConnectionRow>('platform_connections').where({ id }).first();
      return row ? toConnection(row) : undefined;
    },

    async findConnections(ids: string[]): Promise<Connection[]> {
      if (ids.length === 0) return [];
      return (await db<ConnectionRow>('platform_connections').whereIn('id', ids).orderBy('id')).map(toConnection);
    },

    /** Which of these (platform, trip) pairs were already credited. */
    async knownTrips(
      pairs: Array<[platformId: string, externalTripId: string]>,
      trx: Knex.Transaction,
    ): Promise<Set<string>> {
      if (pairs.length === 0) return new Set();
      const rows = await trx('platform_trips')
        .whereIn(['platform_id', 'external_trip_id'], pairs)
        .select<Array<{ platform_id: string; external_trip_id: string }>>('platform_id', 'external_trip_id');
      return new Set(rows.map((r) => `${r.platform_id}:${r.external_trip_id}`));
    },

    async connectionsOf(workerId: string): Promise<Connection[]> {
      return (
        await db<ConnectionRow>('platform_connections').where({ worker_id: workerId }).orderBy('connected_at', 'desc')
      ).map(toConnection);
    },

    /** Connected accounts on enabled platforms, in id order: `afterId` pages through them. */
    async syncableConnectionIds(options: { workerId?: string; afterId?: string; limit: number }): Promise<string[]> {
      const query = db('platform_connections as c')
        .join('platforms as p', 'p.id', 'c.platform_id')
        .where('c.status', 'connected')
        .andWhere('p.enabled', true)
        .orderBy('c.id')
        .limit(options.limit)
        .select<Array<{ id: string }>>('c.id');
      if (options.workerId) void query.andWhere('c.worker_id', options.workerId);
      if (options.afterId) void query.andWhere('c.id', '>', options.afterId);
      return (await query).map((r) => r.id);
    },

    async countSyncable(): Promise<number> {
      const [row] = await db('platform_connections as c')
        .join('platforms as p', 'p.id', 'c.platform_id')
        .where('c.status', 'connected')
        .andWhere('p.enabled', true)
        .count<Array<{ count: number }>>('* as count');
      return Number(row?.count ?? 0);
    },

    /**
     * The slot for a new connection (SPEC §4): the platform's own slot when an unexpired purchase still holds it (a
     * slot stays bound until its purchase expires), else the oldest unexpired purchase with room.
     */
    async freeSlot(workerId: string, platformId: string, at: Date, trx: Knex.Transaction): Promise<string | undefined> {
      const { rows } = await trx.raw<{ rows: Array<{ id: string }> }>(
        `SELECT p.id FROM plan_purchases p
         LEFT JOIN LATERAL (
           SELECT count(DISTINCT c.platform_id)::int AS used, bool_or(c.platform_id = ?) AS mine
           FROM platform_connections c WHERE c.plan_purchase_id = p.id
         ) s ON true
         WHERE p.worker_id = ? AND p.purchased_at <= ? AND p.expires_at > ?
           AND (coalesce(s.mine, false) OR coalesce(s.used, 0) < p.slots)
         ORDER BY coalesce(s.mine, false) DESC, p.purchased_at, p.id
         LIMIT 1`,
        [platformId, workerId, at, at],
      );
      return rows[0]?.id;
    },

    async insertConnection(
      input: { workerId: string; platformId: string; externalAccountId: string; planPurchaseId: string },
      trx: Knex.Transaction,
    ): Promise<Connection> {
      const [row] = await trx('platform_connections')
        .insert({
          worker_id: input.workerId,
          platform_id: input.platformId,
          external_account_id: input.externalAccountId,
          plan_purchase_id: input.planPurchaseId,
        })
        .returning<ConnectionRow[]>('*');
      return toConnection(row!);
    },

    async disconnect(id: string): Promise<void> {
      await db('platform_connections')
        .where({ id, status: 'connected' })
        .update({ status: 'disconnected', disconnected_at: db.fn.now() });
    },

    /**
     * The links among `ids` still connected, share-locked for the rest of the transaction: a disconnect (or an
     * account erasure) waits for the credit in flight, and a credit after a disconnect sees it and credits nothing.
     */
    async lockConnected(ids: string[], trx: Knex.Transaction): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await trx('platform_connections')
        .whereIn('id', ids)
        .where('status', 'connected')
        .forShare()
        .select<Array<{ id: string }>>('id');
      return new Set(rows.map((r) => r.id));
    },

    /** Records trips not seen before and returns only those: a trip is credited once, whoever syncs it. */
    async insertNewTrips(
      connection: Connection,
      trips: Array<NewTrip & { journalId: string }>,
      trx: Knex.Transaction,
    ): Promise<number> {
      return insertTrips(
        trips.map((t) => ({ ...t, connection })),
        trx,
      );
    },

    insertTrips,

    async knownTripIds(platformId: string, externalTripIds: string[], trx: Knex.Transaction): Promise<Set<string>> {
      if (externalTripIds.length === 0) return new Set();
      const rows = await trx('platform_trips')
        .where('platform_id', platformId)
        .whereIn('external_trip_id', externalTripIds)
        .select<Array<{ external_trip_id: string }>>('external_trip_id');
      return new Set(rows.map((r) => r.external_trip_id));
    },

    async saveCursor(connectionId: string, cursor: string | null, trx: Knex.Transaction): Promise<void> {
      await trx('platform_connections')
        .where({ id: connectionId })
        .update({ trip_cursor: cursor, last_synced_at: trx.fn.now() });
    },

    async earningsByPlatform(
      workerId: string,
    ): Promise<Array<{ platformId: string; slug: string; name: string; amountPaise: number; trips: number }>> {
      const rows = await db('platform_trips as t')
        .join('platforms as p', 'p.id', 't.platform_id')
        .where('t.worker_id', workerId)
        .groupBy('p.id', 'p.slug', 'p.name')
        .select<Array<{ id: string; slug: string; name: string; total: string; trips: number }>>(
          'p.id',
          'p.slug',
          'p.name',
          db.raw('sum(t.amount_paise)::text AS total'),
          db.raw('count(*)::int AS trips'),
        );
      return rows.map((r) => ({
        platformId: r.id,
        slug: r.slug,
        name: r.name,
        amountPaise: Number(r.total),
        trips: r.trips,
      }));
    },
  };
}

export type PlatformRepository = ReturnType<typeof createPlatformRepository>;
