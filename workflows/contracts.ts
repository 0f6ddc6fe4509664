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
  /** Escalation at the SLA, expiry at its end; absent in runs started before the approvals model. */
  timings?: ApprovalTimings;
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
  DECISION_REFUSED: 'DecisionRefusedError',
} as const;

// ---- One approvals model for withdrawals, loans, claims and deletions (SPEC §9) ----

export type RequestType = 'withdrawal' | 'loan' | 'claim' | 'deletion';
export const requestTypes: readonly RequestType[] = ['withdrawal', 'loan', 'claim', 'deletion'];

/** The workflow id is the business id, so starting twice never creates a second request (SPEC §9). */
export const requestWorkflowId = (type: RequestType, id: string): string => `${type}-${id}`;

export type AdminRoleName = 'viewer' | 'approver' | 'senior_approver' | 'superadmin';
const roleRank: Record<AdminRoleName, number> = { viewer: 0, approver: 1, senior_approver: 2, superadmin: 3 };

export interface RequestDecisionInput {
  decision: DecisionKind;
  adminId: string;
  /** The decider's role as the API saw it in the live session; needed for the senior-approver rule. */
  adminRole: AdminRoleName;
  /** Required when rejecting: the worker is told why. */
  reason?: string;
  comment?: string;
}

/** What the update validator needs to judge a decision; also what the `approvalState` query returns. */
export interface ApprovalState {
  requestId: string;
  status: string;
  /** True once an outcome is chosen (approved, rejected, expired, cancelled): later decisions are stale. */
  decided: boolean;
  approvalsRequired: number;
  /** From ₹25,000 one of a loan's two approvers must be a senior approver. */
  seniorRequired: boolean;
  approvals: Array<{ adminId: string; adminRole: AdminRoleName }>;
}

export interface RequestAnswer {
  requestId: string;
  status: string;
  approvalsGiven: number;
  approvalsRequired: number;
}

/** The portal decides through an Update (validated, answered); ops may send the same decision as a signal. */
export const decideRequestUpdate = defineUpdate<RequestAnswer, [RequestDecisionInput]>('decide');
export const decideRequestSignal = defineSignal<[RequestDecisionInput]>('decide');
/** The worker withdraws the request (while waiting for a decision; a deletion also during its grace period). */
export const cancelRequestUpdate = defineUpdate<RequestAnswer, []>('cancel');
export const approvalStateQuery = defineQuery<ApprovalState>('approvalState');

const describe = (status: string) => status.replace(/_/g, ' ');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Rules a decision must satisfy, shared by the update validator and the API so both explain refusals alike.
 * Each message names the rule. Identity rules that need the database (the requester never decides) are checked by
 * the API before sending and again where the decision is recorded.
 */
export function requestDecisionProblem(state: ApprovalState, input: RequestDecisionInput): string | undefined {
  if (input.decision !== 'approve' && input.decision !== 'reject') return 'decision must be "approve" or "reject"';
  if (typeof input.adminId !== 'string' || !UUID.test(input.adminId)) return 'adminId must be an admin’s id (a UUID)';
  if (!Object.hasOwn(roleRank, input.adminRole) || roleRank[input.adminRole] < roleRank.approver) {
    return 'only approvers may decide requests';
  }
  if (input.decision === 'reject' && !input.reason?.trim()) return 'a reason is required to reject';
  if (state.status !== 'pending_approval') return `the request is already ${describe(state.status)}`;
  if (state.decided) return 'the request has already been decided';
  if (state.approvals.some((a) => a.adminId === input.adminId)) {
    return 'four-eyes: you have already approved this request; a different approver must give the second approval';
  }
  const completes = input.decision === 'approve' && state.approvals.length + 1 >= state.approvalsRequired;
  const seniorAmongThem = [...state.approvals, input].some((a) => roleRank[a.adminRole] >= roleRank.senior_approver);
  if (completes && state.seniorRequired && !seniorAmongThem) {
    return 'four-eyes: a loan from ₹25,000 needs a senior approver for one of its two approvals';
  }
  return undefined;
}

export function requestCancelProblem(status: string, cancellable: readonly string[]): string | undefined {
  return cancellable.includes(status)
    ? undefined
    : `the request is already ${describe(status)} and can no longer be cancelled`;
}

/** SLA per request type, in ms: escalate at the SLA, expire at 3× (SPEC §9). Inputs so tests run in seconds. */
export interface ApprovalTimings {
  slaMs: number;
  expiryMs: number;
}

export type LoanStatus = 'pending_approval' | 'active' | 'closed' | 'rejected' | 'cancelled' | 'expired';
export type ClaimStatus = 'pending_approval' | 'paid' | 'rejected' | 'cancelled' | 'expired';
export type DeletionStatus = 'pending_approval' | 'grace' | 'erased' | 'rejected' | 'cancelled' | 'expired';

export interface LoanWorkflowInput {
  loanId: string;
  workerId: string;
  amountPaise: number;
  approvalsRequired: 1 | 2;
  seniorRequired: boolean;
  timings: ApprovalTimings;
  /** Wait between failed auto-debits of an instalment (a day), and how many before it is overdue (7). */
  retryIntervalMs: number;
  retriesBeforeOverdue: number;
  /** Set when the workflow continues as new in the repayment phase (one run per instalment keeps history small). */
  repaying?: boolean;
}

export interface RepaymentStep {
  /** The next unpaid instalment, or none when the loan is closed. */
  next: { number: number; dueAt: string; attempts: number; overdue: boolean } | null;
}

/** The worker pays off the whole outstanding principal (plus any arrears) at once. */
export const prepayLoanUpdate = defineUpdate<{ loanId: string; paidPaise: number }, []>('prepay');

export interface ClaimWorkflowInput {
  claimId: string;
  workerId: string;
  payoutPaise: number;
  timings: ApprovalTimings;
}

export interface DeletionWorkflowInput {
  deletionId: string;
  workerId: string;
  timings: ApprovalTimings;
  graceMs: number;
}
