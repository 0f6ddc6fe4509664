import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createReconciliationActivities } from '../activities/reconciliation.activities';
import type { ReconciliationSummary } from './contracts';

const { reconcileLedger } = proxyActivities<ReturnType<typeof createReconciliationActivities>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 10 },
});

/** One reconciliation pass, started by the ledger-reconciliation Schedule (or by hand from the Web UI). */
export async function ledgerReconciliationWorkflow(): Promise<ReconciliationSummary> {
  // One report per run: a retried activity finds the report it already stored.
  const { workflowId, runId } = workflowInfo();
  return reconcileLedger({ runKey: `${workflowId}/${runId}` });
}
