import type { Config } from '../config';
import type { Db } from '../db/knex';
import type { Connection, PlatformRepository } from '../db/platform.repository';
import type { LedgerService } from './ledger.service';
import { connectorFor, type ConnectorTrip } from './platform-connector.client';

const PAGE_SIZE = 200;
/** Platform pages fetched at once while preparing a batch. */
const FETCH_CONCURRENCY = 8;

export interface SyncResult {
  connectionId: string;
  tripsCredited: number;
  amountPaise: number;
  skipped?: 'disconnected' | 'platform_disabled';
}

/**
 * Pulls one connection's new trips from its platform and credits each exactly once (SPEC §3). Page by page, each
 * page in one transaction: its journals (platform settlement → wallet), its trip rows and the advanced cursor
 * commit together, so a crash resumes from the last committed page and a second sync finds nothing new.
 */
export function createEarningsSyncService(deps: {
  db: Db;
  platforms: PlatformRepository;
  ledger: LedgerService;
  config: Pick<Config, 'PLATFORM_CONNECTOR_URL'>;
}) {
  const { db, platforms, ledger, config } = deps;

  const syncConnection = async (
    connectionId: string,
    onPage: (progress: { tripsCredited: number }) => void = () => undefined,
  ): Promise<SyncResult> => service.syncConnection(connectionId, onPage);

  /**
   * Syncs many accounts with one transaction for all their first pages: pages are fetched in parallel, then every
   * fresh trip of the batch is credited in one multi-row write (journals, trips, cursors). Accounts whose first page
   * was full continue page by page; an account whose platform fails is reported and retried by the next run.
   */
  async function syncBatch(
    connectionIds: string[],
    onProgress: () => void = () => undefined,
  ): Promise<{ results: SyncResult[]; failed: string[] }> {
    const catalog = new Map((await platforms.list()).map((p) => [p.id, p]));
    const connections = await platforms.findConnections(connectionIds);
    const results = new Map<string, SyncResult>(
      connectionIds.map((id) => [id, { connectionId: id, tripsCredited: 0, amountPaise: 0 }]),
    );
    const failed: string[] = [];
    const live = connections.filter((c) => {
      const skipped =
        c.status !== 'connected'
          ? 'disconnected'
          : !catalog.get(c.platformId)?.enabled
            ? 'platform_disabled'
            : undefined;
      if (skipped) results.get(c.id)!.skipped = skipped;
      return !skipped;
    });

    const pages: Array<{ connection: Connection; trips: ConnectorTrip[]; nextCursor: string | null }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(FETCH_CONCURRENCY, live.length) }, async () => {
        while (next < live.length) {
          const connection = live[next++]!;
          try {
            const connector = connectorFor(catalog.get(connection.platformId)!, config.PLATFORM_CONNECTOR_URL);
            pages.push({
              connection,
              ...(await connector.trips(connection.externalAccountId, connection.tripCursor, PAGE_SIZE)),
            });
          } catch {
            failed.push(connection.id);
          }
          onProgress();
        }
      }),
    );

    const wallets = new Map<string, string>();
    for (const workerId of new Set(pages.map((p) => p.connection.workerId))) {
      wallets.set(workerId, (await ledger.walletOf(workerId)).id);
    }
    const settlements = new Map<string, string>();
    for (const platformId of new Set(pages.map((p) => p.connection.platformId))) {
      settlements.set(platformId, (await ledger.platformSettlementOf(platformId)).id);
    }

    await db.transaction(async (trx) => {
      // A link disconnected (or its worker erased) since the fetch gets nothing credited.
      const stillConnected = await platforms.lockConnected(
        pages.map((p) => p.connection.id),
        trx,
      );
      const all = pages
        .filter((p) => stillConnected.has(p.connection.id))
        .flatMap((p) => p.trips.map((trip) => ({ ...trip, connection: p.connection })));
      const known = await platforms.knownTrips(
        all.map((t) => [t.connection.platformId, t.externalTripId]),
        trx,
      );
      const fresh = all.filter(
        (t) =>
          !known.has(`${t.connection.platformId}:${t.externalTripId}`) &&
          Number.isSafeInteger(t.amountPaise) &&
          t.amountPaise > 0,
      );
      const keyOf = (t: (typeof fresh)[number]) => `trip:${t.connection.platformId}:${t.externalTripId}`;
      const journalIds = await ledger.postJournals(
        fresh.map((t) => ({
          idempotencyKey: keyOf(t),
          kind: 'earning' as const,
          postings: [
            { accountId: settlements.get(t.connection.platformId)!, amountPaise: -t.amountPaise },
            { accountId: wallets.get(t.connection.workerId)!, amountPaise: t.amountPaise },
          ],
          description: `${catalog.get(t.connection.platformId)!.name} trip ${t.externalTripId}`,
          metadata: { platformId: t.connection.platformId, externalTripId: t.externalTripId },
        })),
        trx,
      );
      await platforms.insertTrips(
        fresh.map((t) => ({ ...t, completedAt: new Date(t.completedAt), journalId: journalIds.get(keyOf(t))! })),
        trx,
      );
      for (const page of pages.filter((p) => stillConnected.has(p.connection.id))) {
        await platforms.saveCursor(page.connection.id, page.nextCursor, trx);
      }
      for (const t of fresh) {
        const result = results.get(t.connection.id)!;
        result.tripsCredited++;
        result.amountPaise += t.amountPaise;
      }
    });

    // Long histories: the rest of the feed, account by account.
    for (const page of pages.filter((p) => p.trips.length === PAGE_SIZE)) {
      const rest = await syncConnection(page.connection.id, onProgress);
      const result = results.get(page.connection.id)!;
      result.tripsCredited += rest.tripsCredited;
      result.amountPaise += rest.amountPaise;
    }
    return { results: [...results.values()].filter((r) => !failed.includes(r.connectionId)), failed };
  }

  const service = {
    syncBatch,

    async syncConnection(
      connectionId: string,
      onPage: (progress: { tripsCredited: number }) => void = () => undefined,
    ): Promise<SyncResult> {
      const result: SyncResult = { connectionId, tripsCredited: 0, amountPaise: 0 };
      let connection = await platforms.findConnection(connectionId);
      if (!connection || connection.status !== 'connected') return { ...result, skipped: 'disconnected' };
      const platform = await platforms.findById(connection.platformId);
      // Disabling a platform stops new syncs; money already credited stays.
      if (!platform?.enabled) return { ...result, skipped: 'platform_disabled' };
      const connector = connectorFor(platform, config.PLATFORM_CONNECTOR_URL);
      const [wallet, settlement] = await Promise.all([
        ledger.walletOf(connection.workerId),
        ledger.platformSettlementOf(platform.id),
      ]);

      for (;;) {
        const page = await connector.trips(connection.externalAccountId, connection.tripCursor, PAGE_SIZE);
        const stillConnected = await db.transaction(async (trx) => {
          if (!(await platforms.lockConnected([connectionId], trx)).has(connectionId)) return false;
          const known = await platforms.knownTripIds(
            platform.id,
            page.trips.map((t) => t.externalTripId),
            trx,
          );
          const fresh = page.trips.filter(
            (t) => !known.has(t.externalTripId) && Number.isSafeInteger(t.amountPaise) && t.amountPaise > 0,
          );
          const keyOf = (externalTripId: string) => `trip:${platform.id}:${externalTripId}`;
          // One journal per trip (platform settlement → wallet), written for the whole page at once.
          const journalIds = await ledger.postJournals(
            fresh.map((trip) => ({
              idempotencyKey: keyOf(trip.externalTripId),
              kind: 'earning' as const,
              postings: [
                { accountId: settlement.id, amountPaise: -trip.amountPaise },
                { accountId: wallet.id, amountPaise: trip.amountPaise },
              ],
              description: `${platform.name} trip ${trip.externalTripId}`,
              metadata: { platformId: platform.id, externalTripId: trip.externalTripId },
            })),
            trx,
          );
          const credited = fresh.map((trip) => ({
            ...trip,
            completedAt: new Date(trip.completedAt),
            journalId: journalIds.get(keyOf(trip.externalTripId))!,
          }));
          const inserted = await platforms.insertNewTrips(connection!, credited, trx);
          await platforms.saveCursor(connection!.id, page.nextCursor, trx);
          result.tripsCredited += inserted;
          result.amountPaise += credited.reduce((sum, t) => sum + t.amountPaise, 0);
          return true;
        });
        if (!stillConnected) return { ...result, skipped: 'disconnected' };
        onPage({ tripsCredited: result.tripsCredited });
        connection = { ...connection, tripCursor: page.nextCursor };
        if (page.trips.length < PAGE_SIZE) return result;
      }
    },
  };
  return service;
}

export type EarningsSyncService = ReturnType<typeof createEarningsSyncService>;
