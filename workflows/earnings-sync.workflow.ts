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
 * The scheduled sweep over every connected account on an enabled platform, in bounded batches, a few at a time;
 * progress (accounts done / total) is a query. Long sweeps continue as new and carry their progress along.
 */
export async function syncAllEarningsWorkflow(
  input: {
    batchSize: number;
    parallelBatches?: number;
    /** Batches per run before continuing as new (keeps history small); an input so tests can make runs short. */
    batchesPerRun?: number;
    afterId?: string;
    progress?: SyncProgress;
  } = { batchSize: 50 },
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
  const parallel = input.parallelBatches ?? 4;
  let afterId = input.afterId;
  const batchesPerRun = input.batchesPerRun ?? BATCHES_PER_RUN;
  for (let batches = 0; batches < batchesPerRun;) {
    // The next few batches (disjoint id ranges), then sync them at once.
    const wave: string[][] = [];
    while (wave.length < parallel) {
      const ids = await listSyncableConnections({ afterId, limit: input.batchSize });
      if (ids.length === 0) break;
      wave.push(ids);
      afterId = ids[ids.length - 1];
    }
    if (wave.length === 0) return progress;
    for (const outcome of await Promise.all(wave.map((ids) => syncConnections({ connectionIds: ids })))) {
      track(progress, outcome);
    }
    batches += wave.length;
  }
  return continueAsNew<typeof syncAllEarningsWorkflow>({ ...input, parallelBatches: parallel, afterId, progress });
}
