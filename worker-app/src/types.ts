/** The API's response shapes the app reads (from the OpenAPI document at /docs/json). */

export interface Allowance {
  available: number;
  todayBase: number;
  rollover: number;
  used: number;
  nextAccrualAt: string | null;
}

export interface Balance {
  balancePaise: number;
  heldPaise: number;
  spendablePaise: number;
  currency: 'INR';
  allowance: Allowance;
  earningsByPlatform: Array<{ slug: string; name: string; amountPaise: number; trips: number }>;
}

export interface Platform {
  id: string;
  slug: string;
  name: string;
  brandColour: string;
  enabled: boolean;
  logoUrl: string | null;
}

export interface Connection {
  id: string;
  platform: Platform;
  status: 'connected' | 'disconnected';
  connectedAt: string;
  disconnectedAt: string | null;
  lastSyncedAt: string | null;
}

export interface SyncStatus {
  state: 'running' | 'completed' | 'failed' | 'never';
  progress: {
    accountsDone: number;
    accountsTotal: number;
    tripsCredited: number;
    amountPaise: number;
    failedAccounts: number;
  } | null;
}

export interface Plan {
  code: 'solo' | 'duo' | 'trio';
  name: string;
  pricePaise: number;
  slots: number;
  validDays: number;
  withdrawalsPerDay: number;
  monthlyCap: number;
}

export interface Purchase {
  id: string;
  planCode: string;
  pricePaise: number;
  slots: number;
  purchasedAt: string;
  expiresAt: string;
  active: boolean;
}

export type WithdrawalStatus =
  'pending_approval' | 'approved' | 'paying' | 'paid' | 'rejected' | 'cancelled' | 'expired' | 'failed';

export interface Withdrawal {
  id: string;
  amountPaise: number;
  serviceFeePaise: number;
  insuranceContributionPaise: number;
  netPaise: number;
  status: WithdrawalStatus;
  requiresApproval: boolean;
  decisionReason: string | null;
  failureReason: string | null;
  createdAt: string;
  decidedAt: string | null;
  paidAt: string | null;
}

export interface Preview {
  amountPaise: number;
  serviceFeePaise: number;
  insuranceContributionPaise: number;
  netPaise: number;
  requiresApproval: boolean;
  spendablePaise: number;
  allowance: Allowance;
  /** The rule that would refuse this amount, with its figures (the same as the POST's 422 details). */
  refusal:
    | { code: 'AMOUNT_OUT_OF_RANGE'; message: string; details: { minPaise: number; maxPaise: number } }
    | { code: 'ALLOWANCE_USED_UP'; message: string; details: { nextAccrualAt: string | null } }
    | { code: 'INSUFFICIENT_FUNDS'; message: string; details: { spendablePaise: number } }
    | null;
}

/** The condition that refuses a loan, with its figures. */
export type LimitingCondition =
  | { code: 'OPEN_LOAN'; message: string; details: Record<string, never> }
  | { code: 'LOW_SCORE'; message: string; details: { score: number; minScore: number } }
  | {
      code: 'LOW_EARNINGS';
      message: string;
      details: {
        windowDays: number;
        earningsInWindowPaise: number;
        maxShareOfEarningsBps: number;
        sharePaise: number;
        minAmountPaise: number;
      };
    };

/** A limiting condition as refusal details: its code under `limitingCondition`, beside its figures. */
export type LimitDetails = {
  [L in LimitingCondition as L['code']]: { limitingCondition: L['code'] } & L['details'];
}[LimitingCondition['code']];

export interface Eligibility {
  eligible: boolean;
  score: number;
  tenureDays: number;
  workedDays: number;
  goodDays: number;
  conditions: Array<{ code: string; met: boolean; have: number; need: number; description: string }>;
  conditionsMet: number;
  annualRateBps: number;
  earningsInWindowPaise: number;
  maxAmountPaise: number;
  minAmountPaise: number;
  minScore: number;
  windowDays: number;
  goodDayPaise: number;
  limitingCondition: LimitingCondition | null;
  improvement: string | null;
}

export interface Quote {
  amountPaise: number;
  annualRateBps: number;
  tenureMonths: number;
  emiPaise: number;
  totalInterestPaise: number;
  approvalsRequired: number;
  refusal:
    | { code: 'AMOUNT_OUT_OF_RANGE'; message: string; details: { minPaise: number; maxPaise: number } }
    | { code: 'NOT_ELIGIBLE'; message: string; details: LimitDetails }
    | null;
}

/** GET /v1/rules: the configured figures the app words its texts with (never copied into them). */
export interface Rules {
  currency: 'INR';
  withdrawal: {
    minPaise: number;
    maxPaise: number;
    serviceFeePaise: number;
    insuranceShareBps: number;
    approvalFromPaise: number;
  };
  loan: {
    minScore: number;
    minAmountPaise: number;
    maxAmountPaise: number;
    maxShareOfEarningsBps: number;
    windowDays: number;
    minTenureDays: number;
    minWorkedDays: number;
    minGoodDays: number;
    goodDayPaise: number;
    twoApproversFromPaise: number;
    lateFeePaise: number;
  };
  insurance: {
    premiumPaise: number;
    premiumGraceDays: number;
    claimReportingWindowDays: number;
    claimMinDocuments: number;
    claimMaxDocuments: number;
    claims: Array<{ type: ClaimType; payoutPaise: number; maxPerYear: number }>;
  };
  documents: { maxBytes: number };
  accountDeletion: { graceDays: number; graceMs: number };
}

export interface Instalment {
  number: number;
  dueOn: string;
  principalPaise: number;
  interestPaise: number;
  lateFeePaise: number;
  totalPaise: number;
  status: 'scheduled' | 'overdue' | 'paid' | 'waived';
  paidAt: string | null;
}

export interface Loan {
  id: string;
  status: 'pending_approval' | 'active' | 'closed' | 'rejected' | 'cancelled' | 'expired';
  amountPaise: number;
  annualRateBps: number;
  tenureMonths: number;
  emiPaise: number;
  totalInterestPaise: number;
  outstandingPrincipalPaise: number;
  decisionReason: string | null;
  disbursedAt: string | null;
  closedAt: string | null;
  createdAt: string;
  instalments?: Instalment[];
}

export type ClaimType = 'vehicle_damage' | 'product_damage_loss';

export interface Insurance {
  status: 'none' | 'active' | 'grace' | 'lapsed' | 'opted_out';
  coveredToday: boolean;
  optedInAt: string | null;
  optOutEffectiveOn: string | null;
  currentPeriod: { startsOn: string; endsOn: string | null } | null;
  premium: {
    monthlyPaise: number;
    thisMonth: { month: string; amountPaise: number; status: string; dueOn: string } | null;
    overdue: { month: string; amountPaise: number; lapsesOn: string; coveredThrough: string } | null;
  };
  claimLimits: Array<{
    type: ClaimType;
    payoutPaise: number;
    maxPerYear: number;
    usedThisYear: number;
    remaining: number;
    year: number;
  }>;
}

export interface Contribution {
  kind: 'premium' | 'withdrawal_share';
  amountPaise: number;
  at: string;
  month: string | null;
  withdrawalId: string | null;
}

export interface Claim {
  id: string;
  type: ClaimType;
  incidentOn: string;
  description: string;
  payoutPaise: number;
  status: 'pending_approval' | 'paid' | 'rejected' | 'cancelled' | 'expired';
  decisionReason: string | null;
  createdAt: string;
}

export interface AppNotification {
  id: number;
  eventId: number | null;
  type: string;
  title: string;
  body: string;
  data: Record<string, string>;
  createdAt: string;
  readAt: string | null;
}

export interface HistoryItem {
  id: string;
  kind: string;
  amountPaise: number;
  at: string;
  description: string | null;
  reference: {
    withdrawalId: string | null;
    loanId: string | null;
    claimId: string | null;
    planCode: string | null;
    platformName: string | null;
    month: string | null;
  };
}

export interface Device {
  id: string;
  platform: 'android' | 'ios' | 'web';
  createdAt: string;
  lastSeenAt: string;
}

export interface DeletionOverview {
  deletion: {
    id: string;
    status: 'pending_approval' | 'grace' | 'erased' | 'rejected' | 'cancelled' | 'expired';
    canCancel: boolean;
    graceEndsAt: string | null;
    decisionReason: string | null;
  } | null;
  preconditions: Array<{
    code: 'open_loan' | 'withdrawal_in_flight' | 'claim_in_flight' | 'wallet_balance';
    message: string;
    amountPaise?: number;
  }>;
  canRequest: boolean;
}

export interface Envelope<T = Record<string, unknown>> {
  eventId: number;
  seq: number;
  type: string;
  version: number;
  data: T;
}
