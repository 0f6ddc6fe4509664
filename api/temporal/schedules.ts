import type { Client, ScheduleOptionsStartWorkflowAction, Workflow } from '@temporalio/client';
import type { Config } from '../config';
import { EARNINGS_SYNC_SCHEDULE_ID, LEDGER_RECONCILIATION_SCHEDULE_ID } from '../../workflows/contracts';
import type { syncAllEarningsWorkflow } from '../../workflows/earnings-sync.workflow';
import type { ledgerReconciliationWorkflow } from '../../workflows/ledger-reconciliation.workflow';

/** Creates the schedule, or brings an existing one in line with the configuration. */
async function ensureSchedule<W extends Workflow>(
  client: Client,
  scheduleId: string,
  everyMs: number,
  action: ScheduleOptionsStartWorkflowAction<W>,
): Promise<void> {
  const spec = { intervals: [{ every: everyMs }] };
  try {
    // A run still going when the next is due is not doubled.
    await client.schedule.create<W>({
      scheduleId,
      spec,
      action,
      policies: { overlap: 'SKIP', catchupWindow: '1 hour' },
    });
  } catch (err) {
    if ((err as Error).name !== 'ScheduleAlreadyRunning') throw err;
    await client.schedule.getHandle(scheduleId).update<W>((previous) => ({ ...previous, spec, action }));
  }
}

/**
 * GigBit's Temporal Schedules (visible in the Web UI). Safe on every worker start: the ids are fixed, so several
 * workers converge on one schedule each.
 */
export async function ensureSchedules(
  client: Client,
  config: Pick<
    Config,
    | 'TEMPORAL_TASK_QUEUE'
    | 'LEDGER_RECONCILIATION_INTERVAL_MS'
    | 'EARNINGS_SYNC_INTERVAL_MS'
    | 'EARNINGS_SYNC_BATCH_SIZE'
  >,
): Promise<void> {
  await ensureSchedule<typeof ledgerReconciliationWorkflow>(
    client,
    LEDGER_RECONCILIATION_SCHEDULE_ID,
    config.LEDGER_RECONCILIATION_INTERVAL_MS,
    {
      type: 'startWorkflow',
      workflowType: 'ledgerReconciliationWorkflow',
      workflowId: LEDGER_RECONCILIATION_SCHEDULE_ID,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
    },
  );
  await ensureSchedule<typeof syncAllEarningsWorkflow>(
    client,
    EARNINGS_SYNC_SCHEDULE_ID,
    config.EARNINGS_SYNC_INTERVAL_MS,
    {
      type: 'startWorkflow',
      workflowType: 'syncAllEarningsWorkflow',
      workflowId: EARNINGS_SYNC_SCHEDULE_ID,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ batchSize: config.EARNINGS_SYNC_BATCH_SIZE }],
    },
  );
}
