// The worker's workflowsPath: every workflow type GigBit runs is exported from here.
export { withdrawalWorkflow } from './withdrawal.workflow';
export { ledgerReconciliationWorkflow } from './ledger-reconciliation.workflow';
export { syncAllEarningsWorkflow, syncWorkerEarningsWorkflow } from './earnings-sync.workflow';
