/**
 * What the API, the Temporal worker and ops share about GigBit's workflows: names, message definitions,
 * input/result types and search attributes. Imported by workflow code, so it must stay deterministic.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const withdrawalWorkflowId = (withdrawalId: string): string => `withdrawal-${withdrawalId}`;

/** "Sync now" for one worker: a second request while one runs joins it (same workflow id). */
export const workerSyncWorkflowId = (workerId: string): string => `sync-worker-${workerId}`;
/** The Temporal Schedule (and workflow id prefix) of the sync over all connected accounts. */
export const EARNINGS_SYNC_SCHEDULE_ID = 'earnings-sync';

export interface SyncProgress {
  accountsDone: number;
  /** Known up front for one worker; for the full sweep, counted when it starts. */
  accountsTotal: number;
  tripsCredited: number;
  amountPaise: number;
  failedAccounts: number;
}
export const syncProgressQuery = defineQuery<SyncProgress>('syncProgress');

/** The Temporal Schedule that runs ledger reconciliation (visible in the Web UI under Schedules). */
export const LEDGER_RECONCILIATION_SCHEDULE_ID = 'ledger-reconciliation';

export interface ReconciliationSummary {
  reconciliationId: string;
  status: 'clean' | 'drift';
  findings: number;
}

/** Search attributes registered on the dev server (scripts/temporal.ts) so ops can filter in the Web UI. */
export const searchAttributes = {
  requestType: defineSearchAttributeKey('GigBitRequestType', SearchAttributeType.KEYWORD),
  workerId: defineSearchAttributeKey('GigBitWorkerId', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('GigBitStatus', SearchAttributeType.KEYWORD),
  amountPaise: defineSearchAttributeKey('GigBitAmountPaise', SearchAttributeType.INT),
} as const;

export type RequestType = 'withdrawal';

export type WithdrawalStatus =
  'pending_approval' | 'approved' | 'paying' | 'paid' | 'rejected' | 'cancelled' | 'expired' | 'failed';
/** Where a request can end without a payout; the hold is voided and the money stays in the wallet. */
export type ClosedWithoutPayout = 'rejected' | 'cancelled' | 'expired';
export const terminalWithdrawalStatuses: readonly WithdrawalStatus[] = [
  'paid',
  'rejected',
  'cancelled',
  'expired',
  'failed',
];

export interface WithdrawalWorkflowInput {
  withdrawalId: string;
  workerId: string;
  amountPaise: number;
  /** From ₹5,000 an admin decides; below, the request is approved automatically. */
  requiresApproval: boolean;
  /** Undecided requests expire after this long (an input, so tests run it in seconds). */
  approvalExpiryMs: number;
  /** First status poll at the rail when no webhook arrived; doubles up to 10 minutes. */
  payoutPollMs: number;
}

export type DecisionKind = 'approve' | 'reject';

export interface DecisionInput {
  decision: DecisionKind;
  adminId: string;
  /** Required when rejecting: the worker is told why. */
  reason?: string;
  comment?: string;
}

export interface DecisionResult {
  withdrawalId: string;
  status: WithdrawalStatus;
  decidedAt: string;
}

export interface WithdrawalState {
  withdrawalId: string;
  status: WithdrawalStatus;
}

/** The portal decides through an Update (validated, answered); ops may send the same decision as a signal. */
export const decideWithdrawalUpdate = defineUpdate<DecisionResult, [DecisionInput]>('decideWithdrawal');
export const decideWithdrawalSignal = defineSignal<[DecisionInput]>('decideWithdrawal');
/** The worker withdraws the request while it still waits for a decision. */
export const cancelWithdrawalUpdate = defineUpdate<DecisionResult, []>('cancelWithdrawal');
/** The rail's webhook (through the API) says a payout settled; the workflow confirms with the rail itself. */
export const payoutSettledSignal = defineSignal<[{ payoutId: string }]>('payoutSettled');
export const withdrawalStateQuery = defineQuery<WithdrawalState>('withdrawalState');

/** Rules a decision must satisfy; shared by the update validator and the API so both explain refusals alike. */
export function decisionProblem(status: WithdrawalStatus, input: DecisionInput): string | undefined {
  if (input.decision !== 'approve' && input.decision !== 'reject') return 'decision must be "approve" or "reject"';
  if (!input.adminId) return 'adminId is required';
  if (input.decision === 'reject' && !input.reason?.trim()) return 'a reason is required to reject';
  if (status !== 'pending_approval') return `the withdrawal is already ${status.replace('_', ' ')}`;
  return undefined;
}

export function cancelProblem(status: WithdrawalStatus): string | undefined {
  return status === 'pending_approval'
    ? undefined
    : `the withdrawal is already ${status.replace('_', ' ')} and can no longer be cancelled`;
}

/** Business failures raised by activities; listed as non-retryable in every proxy. */
export const BusinessErrorType = {
  STALE_STATE: 'StaleStateError',
  NOT_FOUND: 'NotFoundError',
  PAYOUT_REFUSED: 'PayoutRefusedError',
} as const;
