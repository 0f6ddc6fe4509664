import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Config } from '../config';
import { syncProgressQuery, workerSyncWorkflowId, type SyncProgress } from '../../workflows/contracts';
import type { syncAllEarningsWorkflow, syncWorkerEarningsWorkflow } from '../../workflows/earnings-sync.workflow';
import type { Db } from '../db/knex';
import type { Connection, Platform, PlatformRepository } from '../db/platform.repository';
import type { PlanRepository } from '../db/plan.repository';
import { AppError, ErrorCode } from '../errors';
import { ConnectorRefusedError, connectorFor } from './platform-connector.client';

/**
 * Workers link their gig-platform accounts (SPEC §3): the platform texts a code, the worker enters it, the link
 * takes a plan slot (SPEC §4). Disconnecting keeps history and the slot stays bound until its purchase expires.
 */
export function createPlatformService(deps: {
  db: Db;
  platforms: PlatformRepository;
  plans: PlanRepository;
  temporal: Client;
  config: Pick<Config, 'PLATFORM_CONNECTOR_URL' | 'TEMPORAL_TASK_QUEUE'>;
  now?: () => Date;
}) {
  const { db, platforms, plans, temporal, config } = deps;
  const now = deps.now ?? (() => new Date());

  async function statusOf(
    handle: WorkflowHandle,
  ): Promise<{ state: 'running' | 'completed' | 'failed'; progress: SyncProgress | null } | null> {
    try {
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') {
        // A sync that has not run its first workflow task yet cannot answer queries: running, progress unknown.
        const progress = await handle.query(syncProgressQuery).catch(() => null);
        return { state: 'running', progress };
      }
      if (status.name === 'COMPLETED') return { state: 'completed', progress: (await handle.result()) as SyncProgress };
      return { state: 'failed', progress: null };
    } catch (err) {
      if ((err as Error).name === 'WorkflowNotFoundError') return null;
      throw err;
    }
  }

  async function enabledPlatform(slug: string): Promise<Platform> {
    const platform = await platforms.findBySlug(slug);
    if (!platform) throw AppError.notFound('Platform');
    if (!platform.enabled) {
      throw new AppError(ErrorCode.PLATFORM_UNAVAILABLE, `${platform.name} is not available right now`);
    }
    return platform;
  }

  return {
    catalog: () => platforms.list(),

    async connections(workerId: string): Promise<Array<Connection & { platform: Platform }>> {
      const [all, catalog] = await Promise.all([platforms.connectionsOf(workerId), platforms.list()]);
      return all.map((c) => ({ ...c, platform: catalog.find((p) => p.id === c.platformId)! }));
    },

    async requestCode(input: { workerId: string; slug: string; phone: string }): Promise<void> {
      const platform = await enabledPlatform(input.slug);
      if (await platforms.liveConnection(input.workerId, platform.id)) {
        throw new AppError(ErrorCode.ALREADY_CONNECTED, `${platform.name} is already connected`);
      }
      await connectorFor(platform, config.PLATFORM_CONNECTOR_URL).requestOtp(input.phone);
    },

    async connect(input: {
      workerId: string;
      slug: string;
      phone: string;
      otp: string;
    }): Promise<Connection & { platform: Platform }> {
      const platform = await enabledPlatform(input.slug);
      let externalAccountId: string;
      try {
        ({ externalAccountId } = await connectorFor(platform, config.PLATFORM_CONNECTOR_URL).link(
          input.phone,
          input.otp,
        ));
      } catch (err) {
        if (err instanceof ConnectorRefusedError) {
          throw new AppError(ErrorCode.WRONG_CODE, `${platform.name} did not accept that code: ${err.message}`);
        }
        throw err;
      }
      return db.transaction(async (trx) => {
        if (!(await plans.lockWorker(input.workerId, trx))) throw AppError.notFound('Worker');
        if (await platforms.liveConnection(input.workerId, platform.id, trx)) {
          throw new AppError(ErrorCode.ALREADY_CONNECTED, `${platform.name} is already connected`);
        }
        const slot = await platforms.freeSlot(input.workerId, platform.id, now(), trx);
        if (!slot) {
          throw new AppError(
            ErrorCode.NO_FREE_SLOT,
            'All your plan slots are taken; buy a plan to connect another platform',
          );
        }
        try {
          const connection = await platforms.insertConnection(
            { workerId: input.workerId, platformId: platform.id, externalAccountId, planPurchaseId: slot },
            trx,
          );
          return { ...connection, platform };
        } catch (err) {
          if ((err as { constraint?: string }).constraint === 'platform_connections_account_once') {
            throw new AppError(
              ErrorCode.ALREADY_CONNECTED,
              `This ${platform.name} account is connected to another GigBit worker`,
            );
          }
          throw err;
        }
      });
    },

    async disconnect(input: { workerId: string; slug: string }): Promise<void> {
      const platform = await platforms.findBySlug(input.slug);
      const connection = platform && (await platforms.liveConnection(input.workerId, platform.id));
      if (!connection) throw AppError.notFound('Connection');
      await platforms.disconnect(connection.id);
    },

    earningsByPlatform: (workerId: string) => platforms.earningsByPlatform(workerId),

    /** "Sync now": starts this worker's sync, or joins the one already running (same workflow id). */
    async syncNow(workerId: string): Promise<{ workflowId: string }> {
      const workflowId = workerSyncWorkflowId(workerId);
      await temporal.workflow.start<typeof syncWorkerEarningsWorkflow>('syncWorkerEarningsWorkflow', {
        workflowId,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        args: [{ workerId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      return { workflowId };
    },

    /** Starts a sync over every connected account now (a backfill), beside the Schedule's runs. */
    async startBackfill(batchSize: number): Promise<{ workflowId: string }> {
      const workflowId = `earnings-backfill-${randomUUID()}`;
      await temporal.workflow.start<typeof syncAllEarningsWorkflow>('syncAllEarningsWorkflow', {
        workflowId,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        args: [{ batchSize }],
      });
      return { workflowId };
    },

    /** Progress of a sweep or backfill by its workflow id: live while it runs (a query), the totals once done. */
    sweepStatus(workflowId: string) {
      return statusOf(temporal.workflow.getHandle(workflowId));
    },

    /** The latest sync of this worker: live progress while it runs, the totals once done. */
    syncStatus(workerId: string) {
      return statusOf(temporal.workflow.getHandle(workerSyncWorkflowId(workerId)));
    },
  };
}

export type PlatformService = ReturnType<typeof createPlatformService>;
