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
     * Syncs a bounded batch of accounts in one transaction, heartbeating as pages arrive so a stuck platform is
     * noticed; a retry starts from the committed cursors. One platform failing does not stop the rest.
     */
    async syncConnections(input: { connectionIds: string[] }): Promise<{ results: SyncResult[]; failed: string[] }> {
      const context = Context.current();
      const outcome = await sync.syncBatch(input.connectionIds, () => context.heartbeat());
      for (const connectionId of outcome.failed) {
        context.log.warn('Sync of one account failed; the next run retries it', { connectionId });
      }
      return outcome;
    },
  };
}
