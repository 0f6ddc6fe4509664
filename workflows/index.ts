// The worker's workflowsPath: every workflow type GigBit runs is exported from here.
export { withdrawalWorkflow } from './withdrawal.workflow';
export { ledgerReconciliationWorkflow } from './ledger-reconciliation.workflow';
export { syncAllEarningsWorkflow, syncWorkerEarningsWorkflow } from './earnings-sync.workflow';
export { deletionWorkflow } from './account-deletion.workflow';
export { loanWorkflow } from './loan.workflow';
export { claimWorkflow } from './insurance-claim.workflow';
export { insurancePremiumsWorkflow } from './insurance-premiums.workflow';
