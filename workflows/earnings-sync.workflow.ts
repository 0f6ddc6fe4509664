import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createEarningsSyncActivities } from '../activities/earnings-sync.activities';
import { syncProgressQuery, type SyncProgress } from './contracts';

type Activities = ReturnType<typeof createEarningsSyncActivities>;

const { listSyncableConnections, countSyncableConnections } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const { syncConnections } = proxyActivities<Activities>({
  // A batch may be long; heartbeats (after every page) show it is alive.
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 5 },
});

/** Batches per run before continuing as new, so a sweep over many accounts keeps its history small. */
const BATCHES_PER_RUN = 100;

function track(progress: SyncProgress, batch: Awaited<ReturnType<Activities['syncConnections']>>): void {
  progress.accountsDone += batch.results.length + batch.failed.length;
  progress.failedAccounts += batch.failed.length;
  for (const r of batch.results) {
    progress.tripsCredited += r.tripsCredited;
    progress.amountPaise += r.amountPaise;
  }
}

/** "Sync now" for one worker's connected platforms. Its id is per worker, so a second click joins the running one. */
export async function syncWorkerEarningsWorkflow(input: { workerId: string }): Promise<SyncProgress> {
  const ids = await listSyncableConnections({ workerId: input.workerId, limit: 1000 });
  const progress: SyncProgress = {
    accountsDone: 0,
    accountsTotal: ids.length,
    tripsCredited: 0,
    amountPaise: 0,
    failedAccounts: 0,
  };
  setHandler(syncProgressQuery, () => progress);
  for (const connectionId of ids) track(progress, await syncConnections({ connectionIds: [connectionId] }));
  return progress;
}

/**
 * The scheduled sweep over every connected account on an enabled platform, in bounded batches; progress
 * (accounts done / total) is a query. Long sweeps continue as new and carry their progress along.
 */
export async function syncAllEarningsWorkflow(
  input: { batchSize: number; afterId?: string; progress?: SyncProgress } = { batchSize: 50 },
): Promise<SyncProgress> {
  const progress: SyncProgress = input.progress ?? {
    accountsDone: 0,
    accountsTotal: 0,
    tripsCredited: 0,
    amountPaise: 0,
    failedAccounts: 0,
  };
  setHandler(syncProgressQuery, () => progress);
  if (!input.progress) progress.accountsTotal = await countSyncableConnections();
  let afterId = input.afterId;
  for (let batches = 0; batches < BATCHES_PER_RUN; batches++) {
    const ids = await listSyncableConnections({ afterId, limit: input.batchSize });
    if (ids.length === 0) return progress;
    track(progress, await syncConnections({ connectionIds: ids }));
    afterId = ids[ids.length - 1];
  }
  return continueAsNew<typeof syncAllEarningsWorkflow>({ batchSize: input.batchSize, afterId, progress });
}
