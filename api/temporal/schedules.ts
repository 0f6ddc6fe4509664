import type { Client, ScheduleOptionsStartWorkflowAction, Workflow } from '@temporalio/client';
import type { Config } from '../config';
import { EARNINGS_SYNC_SCHEDULE_ID, LEDGER_RECONCILIATION_SCHEDULE_ID } from '../../workflows/contracts';
import type { syncAllEarningsWorkflow } from '../../workflows/earnings-sync.workflow';
import type { ledgerReconciliationWorkflow } from '../../workflows/ledger-reconciliation.workflow';
import type { insurancePremiumsWorkflow } from '../../workflows/insurance-premiums.workflow';

/** The Schedule (and workflow id prefix) that bills, retries and lapses insurance premiums (SPEC §7). */
export const INSURANCE_PREMIUMS_SCHEDULE_ID = 'insurance-premiums';
/** Workers per premium activity call. */
const INSURANCE_PREMIUMS_BATCH_SIZE = 100;

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
    | 'INSURANCE_PREMIUM_INTERVAL_MS'
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
  await ensureInsurancePremiumsSchedule(client, config);
}

/** The premium run (bill, retry, grace, lapse, reinstate, opt-outs): daily by default, on its own for tests. */
export async function ensureInsurancePremiumsSchedule(
  client: Client,
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'INSURANCE_PREMIUM_INTERVAL_MS'>,
): Promise<void> {
  await ensureSchedule<typeof insurancePremiumsWorkflow>(
    client,
    INSURANCE_PREMIUMS_SCHEDULE_ID,
    config.INSURANCE_PREMIUM_INTERVAL_MS,
    {
      type: 'startWorkflow',
      workflowType: 'insurancePremiumsWorkflow',
      workflowId: INSURANCE_PREMIUMS_SCHEDULE_ID,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ batchSize: INSURANCE_PREMIUMS_BATCH_SIZE }],
    },
  );
}
