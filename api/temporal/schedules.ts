import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { LEDGER_RECONCILIATION_SCHEDULE_ID } from '../../workflows/contracts';
import type { ledgerReconciliationWorkflow } from '../../workflows/ledger-reconciliation.workflow';

/**
 * Creates GigBit's Temporal Schedules, or brings an existing one in line with the configuration. Safe to run on
 * every worker start: the schedule id is fixed, so several workers converge on one schedule.
 */
export async function ensureSchedules(
  client: Client,
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'LEDGER_RECONCILIATION_INTERVAL_MS'>,
): Promise<void> {
  const spec = { intervals: [{ every: config.LEDGER_RECONCILIATION_INTERVAL_MS }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'ledgerReconciliationWorkflow',
    workflowId: LEDGER_RECONCILIATION_SCHEDULE_ID,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
  };
  try {
    await client.schedule.create<typeof ledgerReconciliationWorkflow>({
      scheduleId: LEDGER_RECONCILIATION_SCHEDULE_ID,
      spec,
      action,
      // A pass that is still running when the next is due is not doubled.
      policies: { overlap: 'SKIP', catchupWindow: '1 hour' },
    });
  } catch (err) {
    if ((err as Error).name !== 'ScheduleAlreadyRunning') throw err;
    await client.schedule
      .getHandle(LEDGER_RECONCILIATION_SCHEDULE_ID)
      .update<typeof ledgerReconciliationWorkflow>((previous) => ({ ...previous, spec, action }));
  }
}
