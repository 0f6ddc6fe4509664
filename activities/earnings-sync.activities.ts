import { Context } from '@temporalio/activity';
import type { Config } from '../api/config';
import type { Db } from '../api/db/knex';
import { createLedgerRepository } from '../api/db/ledger.repository';
import { createPlatformRepository } from '../api/db/platform.repository';
import { createEarningsSyncService, type SyncResult } from '../api/services/earnings-sync.service';
import { createLedgerService } from '../api/services/ledger.service';

export function createEarningsSyncActivities(deps: { db: Db; config: Pick<Config, 'PLATFORM_CONNECTOR_URL'> }) {
  const platforms = createPlatformRepository(deps.db);
  const sync = createEarningsSyncService({
    db: deps.db,
    platforms,
    ledger: createLedgerService({ db: deps.db, ledger: createLedgerRepository(deps.db) }),
    config: deps.config,
  });

  return {
    /** A page of connected accounts on enabled platforms (all of them, or one worker's). */
    listSyncableConnections(input: { workerId?: string; afterId?: string; limit: number }): Promise<string[]> {
      return platforms.syncableConnectionIds(input);
    },

    countSyncableConnections(): Promise<number> {
      return platforms.countSyncable();
    },

    /**
     * Syncs a bounded batch of accounts, heartbeating after each page so a stuck platform is noticed and a retry
     * starts where this attempt stopped (cursors are committed per page). One platform failing does not stop the rest.
     */
    async syncConnections(input: { connectionIds: string[] }): Promise<{ results: SyncResult[]; failed: string[] }> {
      const context = Context.current();
      const results: SyncResult[] = [];
      const failed: string[] = [];
      for (const connectionId of input.connectionIds) {
        try {
          results.push(await sync.syncConnection(connectionId, () => context.heartbeat({ connectionId })));
        } catch (err) {
          context.log.warn('Sync of one account failed; the next run retries it', {
            connectionId,
            error: (err as Error).message,
          });
          failed.push(connectionId);
        }
        context.heartbeat({ done: results.length + failed.length });
      }
      return { results, failed };
    },
  };
}
