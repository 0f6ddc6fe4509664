/**
 * What the API, the Temporal worker and ops share about GigBit's workflows: names, message definitions,
 * input/result types and search attributes. Imported by workflow code, so it must stay deterministic.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const withdrawalWorkflowId = (withdrawalId: string): string => `withdrawal-${withdrawalId}`;

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

export type WithdrawalStatus = 'pending_approval' | 'approved' | 'rejected' | 'expired';
export type FinalWithdrawalStatus = Exclude<WithdrawalStatus, 'pending_approval'>;
export const terminalWithdrawalStatuses: readonly WithdrawalStatus[] = ['approved', 'rejected', 'expired'];

export interface WithdrawalWorkflowInput {
  withdrawalId: string;
  workerId: string;
  amountPaise: number;
  /** Undecided requests expire after this long (an input, so tests run it in seconds). */
  approvalExpiryMs: number;
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
export const withdrawalStateQuery = defineQuery<WithdrawalState>('withdrawalState');

/** Rules a decision must satisfy; shared by the update validator and the API so both explain refusals alike. */
export function decisionProblem(status: WithdrawalStatus, input: DecisionInput): string | undefined {
  if (input.decision !== 'approve' && input.decision !== 'reject') return 'decision must be "approve" or "reject"';
  if (!input.adminId) return 'adminId is required';
  if (input.decision === 'reject' && !input.reason?.trim()) return 'a reason is required to reject';
  if (status !== 'pending_approval') return `the withdrawal is already ${status.replace('_', ' ')}`;
  return undefined;
}

/** Business failures raised by activities; listed as non-retryable in every proxy. */
export const BusinessErrorType = {
  STALE_STATE: 'StaleStateError',
  NOT_FOUND: 'NotFoundError',
} as const;
