import type { Config } from '../config';
import type { Db } from '../db/knex';
import type { PlatformRepository } from '../db/platform.repository';
import type { LedgerService } from './ledger.service';
import { connectorFor } from './platform-connector.client';

const PAGE_SIZE = 200;

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

  return {
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
        await db.transaction(async (trx) => {
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
        });
        onPage({ tripsCredited: result.tripsCredited });
        connection = { ...connection, tripCursor: page.nextCursor };
        if (page.trips.length < PAGE_SIZE) return result;
      }
    },
  };
}

export type EarningsSyncService = ReturnType<typeof createEarningsSyncService>;
