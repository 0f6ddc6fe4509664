import { Type, type Static } from '@sinclair/typebox';
import type { Withdrawal } from '../db/withdrawal.repository';
import type { Allowance } from '../domain/allowance';
import type { MoneySummary, WithdrawalPreview } from '../services/withdrawal.service';
import { AmountRangeDetails, Currency, Paise, refusalErrorResponse, Timestamp, Uuid } from './common';

export const WithdrawalStatus = Type.Union(
  ['pending_approval', 'approved', 'paying', 'paid', 'rejected', 'cancelled', 'expired', 'failed'].map((status) =>
    Type.Literal(status),
  ),
);

export const CreateWithdrawalBody = Type.Object(
  { amountPaise: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Integer paise' }) },
  { additionalProperties: false },
);

export const PreviewQuery = Type.Object(
  { amountPaise: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) },
  { additionalProperties: false },
);

const Charges = {
  amountPaise: Paise,
  serviceFeePaise: Paise,
  insuranceContributionPaise: Paise,
  netPaise: Type.Integer({ description: 'What reaches the bank account: amount − fee − contribution' }),
};

export const WithdrawalView = Type.Object(
  {
    id: Uuid,
    ...Charges,
    currency: Currency,
    status: WithdrawalStatus,
    requiresApproval: Type.Boolean(),
    decisionReason: Type.Union([Type.String(), Type.Null()]),
    failureReason: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
    decidedAt: Type.Union([Timestamp, Type.Null()]),
    paidAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'Withdrawal' },
);
export type WithdrawalView = Static<typeof WithdrawalView>;

export const AdminWithdrawalView = Type.Object(
  {
    ...WithdrawalView.properties,
    workerId: Uuid,
    workflowId: Type.String(),
    workflowUrl: Type.String({ description: 'This request in the Temporal Web UI' }),
    decidedBy: Type.Union([Uuid, Type.Null()]),
    decisionComment: Type.Union([Type.String(), Type.Null()]),
    payoutId: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'AdminWithdrawal' },
);
export type AdminWithdrawalView = Static<typeof AdminWithdrawalView>;

export const DecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Required when rejecting' })),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const AllowanceView = Type.Object(
  {
    available: Type.Integer({ description: 'Withdrawals that may start now: todayBase + rollover' }),
    todayBase: Type.Integer({ description: '2 × plans active today, as far as not used' }),
    rollover: Type.Integer({ description: 'Unused withdrawals carried from earlier days; they never expire' }),
    used: Type.Integer(),
    nextAccrualAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'Allowance' },
);

const AllowanceUsedUpDetails = Type.Object(
  {
    nextAccrualAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'When more withdrawals are added; null when no plan adds any (buy a plan)',
    }),
  },
  { additionalProperties: false },
);
const InsufficientFundsDetails = Type.Object(
  // No minimum: the figure is reported as it is, never turned into a serialisation error.
  { spendablePaise: Type.Integer({ description: 'What can be taken out now, integer paise' }) },
  { additionalProperties: false },
);

/** The rules that refuse a withdrawal, each with its figures: the same in the preview and in the POST's 422. */
const withdrawalRefusals = [
  Type.Object({ code: Type.Literal('AMOUNT_OUT_OF_RANGE'), message: Type.String(), details: AmountRangeDetails }),
  Type.Object({ code: Type.Literal('ALLOWANCE_USED_UP'), message: Type.String(), details: AllowanceUsedUpDetails }),
  Type.Object({ code: Type.Literal('INSUFFICIENT_FUNDS'), message: Type.String(), details: InsufficientFundsDetails }),
];

export const WithdrawalRefusalResponse = refusalErrorResponse(
  'Refused by a rule: AMOUNT_OUT_OF_RANGE (details: minPaise, maxPaise), ALLOWANCE_USED_UP (nextAccrualAt), ' +
    'INSUFFICIENT_FUNDS (spendablePaise); or IDEMPOTENCY_KEY_REUSED',
  [AmountRangeDetails, AllowanceUsedUpDetails, InsufficientFundsDetails],
);

export const PreviewView = Type.Object({
  ...Charges,
  currency: Currency,
  requiresApproval: Type.Boolean(),
  spendablePaise: Paise,
  allowance: AllowanceView,
  refusal: Type.Union([...withdrawalRefusals, Type.Null()], {
    description:
      'The rule that would refuse this amount now: its code, an English sentence, and its figures in details ' +
      '(the same as the POST would refuse with); null when it would be accepted',
  }),
});

export const BalanceView = Type.Object({
  balancePaise: Paise,
  heldPaise: Paise,
  spendablePaise: Paise,
  currency: Currency,
  allowance: AllowanceView,
  earningsByPlatform: Type.Array(
    Type.Object({ slug: Type.String(), name: Type.String(), amountPaise: Paise, trips: Type.Integer() }),
    { description: 'Lifetime earnings synced from each platform' },
  ),
});

export const toAllowanceView = (a: Allowance): Static<typeof AllowanceView> => ({
  available: a.available,
  todayBase: a.todayBase,
  rollover: a.rollover,
  used: a.used,
  nextAccrualAt: a.nextAccrualAt?.toISOString() ?? null,
});

export const toPreviewView = (p: WithdrawalPreview): Static<typeof PreviewView> => ({
  amountPaise: p.amountPaise,
  serviceFeePaise: p.serviceFeePaise,
  insuranceContributionPaise: p.insuranceContributionPaise,
  netPaise: p.netPaise,
  currency: 'INR',
  requiresApproval: p.requiresApproval,
  spendablePaise: p.spendablePaise,
  allowance: toAllowanceView(p.allowance),
  refusal: p.refusal,
});

export const toBalanceView = (m: MoneySummary): Static<typeof BalanceView> => ({
  balancePaise: m.balancePaise,
  heldPaise: m.heldPaise,
  spendablePaise: m.spendablePaise,
  currency: 'INR',
  allowance: toAllowanceView(m.allowance),
  earningsByPlatform: m.earningsByPlatform,
});

export function toWithdrawalView(w: Withdrawal): WithdrawalView {
  return {
    id: w.id,
    amountPaise: w.amountPaise,
    serviceFeePaise: w.serviceFeePaise,
    insuranceContributionPaise: w.insuranceContributionPaise,
    netPaise: w.netPaise,
    currency: w.currency,
    status: w.status,
    requiresApproval: w.requiresApproval,
    decisionReason: w.decisionReason,
    failureReason: w.failureReason,
    createdAt: w.createdAt.toISOString(),
    decidedAt: w.decidedAt?.toISOString() ?? null,
    paidAt: w.paidAt?.toISOString() ?? null,
  };
}

export function toAdminWithdrawalView(w: Withdrawal, workflowUrl: string): AdminWithdrawalView {
  return {
    ...toWithdrawalView(w),
    workerId: w.workerId,
    workflowId: w.workflowId,
    workflowUrl,
    decidedBy: w.decidedBy,
    decisionComment: w.decisionComment,
    payoutId: w.payoutId,
  };
}
