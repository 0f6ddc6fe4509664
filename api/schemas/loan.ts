import { Type } from '@sinclair/typebox';
import type { Loan, LoanInstalment } from '../db/loan.repository';
import type { LoanEligibility, LoanRules } from '../domain/loan';
import type { ArrearsReport, LoanQuote } from '../services/loan.service';
import { AmountRangeDetails, refusalErrorResponse, Timestamp, Uuid } from './common';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** The figures of each limiting condition, so an app can say it in any language. */
const limitFigures = {
  OPEN_LOAN: {},
  LOW_SCORE: {
    score: Type.Integer({ description: 'The worker’s score now (0–1000)' }),
    minScore: Type.Integer({ description: 'The score a loan needs' }),
  },
  LOW_EARNINGS: {
    windowDays: Type.Integer({ description: 'The days of earnings counted (ending today)' }),
    earningsInWindowPaise: Type.Integer({ description: 'What the worker earned in those days' }),
    maxShareOfEarningsBps: Type.Integer({
      description: 'The share of those earnings that may be borrowed (50% = 5000)',
    }),
    sharePaise: Type.Integer({ description: 'That share of the earnings, before rounding down' }),
    minAmountPaise: Type.Integer({ description: 'The smallest loan' }),
  },
};
const limitCodes = ['OPEN_LOAN', 'LOW_SCORE', 'LOW_EARNINGS'] as const;

export const LimitingConditionView = Type.Union(
  limitCodes.map((code) =>
    Type.Object({
      code: Type.Literal(code),
      message: Type.String({ description: 'The rule in an English sentence with the figures' }),
      details: Type.Object(limitFigures[code], { additionalProperties: false }),
    }),
  ),
);

/** A refusal's details when no amount would do: the limiting condition's code and its figures. */
const notEligibleDetails = limitCodes.map((code) =>
  Type.Object({ limitingCondition: Type.Literal(code), ...limitFigures[code] }, { additionalProperties: false }),
);

const QuoteRefusal = Type.Union([
  Type.Object({ code: Type.Literal('AMOUNT_OUT_OF_RANGE'), message: Type.String(), details: AmountRangeDetails }),
  ...notEligibleDetails.map((details) =>
    Type.Object({ code: Type.Literal('NOT_ELIGIBLE'), message: Type.String(), details }),
  ),
]);

/** POST /v1/loans: the same figures as the quote's refusal, and the largest amount the earnings allow. */
const maxAmount = { maxAmountPaise: Type.Integer({ description: 'The largest loan the earnings allow now' }) };
export const LoanRefusalResponse = refusalErrorResponse(
  'Refused by a rule, with its figures in details: LOAN_NOT_ALLOWED (limitingCondition OPEN_LOAN | LOW_SCORE ' +
    '(score, minScore) | LOW_EARNINGS (windowDays, earningsInWindowPaise, maxShareOfEarningsBps, sharePaise, ' +
    'minAmountPaise), and maxAmountPaise), AMOUNT_OUT_OF_RANGE (minPaise, maxPaise); or IDEMPOTENCY_KEY_REUSED',
  [
    ...limitCodes.map((code) =>
      Type.Object(
        { limitingCondition: Type.Literal(code), ...limitFigures[code], ...maxAmount },
        { additionalProperties: false },
      ),
    ),
    Type.Object(
      { limitingCondition: Type.Null(), ...maxAmount, ...AmountRangeDetails.properties },
      { additionalProperties: false },
    ),
  ],
);

export const EligibilityView = Type.Object({
  eligible: Type.Boolean(),
  score: Type.Integer({ minimum: 0, maximum: 1000 }),
  tenureDays: Type.Integer(),
  workedDays: Type.Integer(),
  goodDays: Type.Integer(),
  conditions: Type.Array(
    Type.Object({
      code: Type.String(),
      met: Type.Boolean(),
      have: Type.Integer(),
      need: Type.Integer(),
      description: Type.String(),
    }),
  ),
  conditionsMet: Type.Integer(),
  annualRateBps: Type.Integer(),
  earningsInWindowPaise: Type.Integer(),
  maxAmountPaise: Type.Integer({ description: 'The largest loan the earnings allow (also when not eligible)' }),
  minAmountPaise: Type.Integer({ description: 'The smallest loan' }),
  minScore: Type.Integer({ description: 'The score a loan needs' }),
  windowDays: Type.Integer({ description: 'C2, C3 and the earnings count the days of this window, ending today' }),
  goodDayPaise: Type.Integer({ description: 'What a day must earn to count for C3' }),
  limitingCondition: Nullable(LimitingConditionView),
  improvement: Nullable(Type.String()),
});

export const QuoteView = Type.Object({
  amountPaise: Type.Integer(),
  annualRateBps: Type.Integer(),
  tenureMonths: Type.Integer(),
  emiPaise: Type.Integer(),
  totalInterestPaise: Type.Integer(),
  approvalsRequired: Type.Integer(),
  refusal: Type.Union([...QuoteRefusal.anyOf, Type.Null()], {
    description:
      'Why this amount cannot be lent, with its figures in details: AMOUNT_OUT_OF_RANGE (minPaise, maxPaise), or ' +
      'NOT_ELIGIBLE (the limiting condition and its figures, as the eligibility gives them); null when it can',
  }),
});

export const InstalmentView = Type.Object({
  number: Type.Integer(),
  dueOn: Type.String({ format: 'date' }),
  principalPaise: Type.Integer(),
  interestPaise: Type.Integer(),
  lateFeePaise: Type.Integer(),
  totalPaise: Type.Integer(),
  status: Type.Union(['scheduled', 'overdue', 'paid', 'waived'].map((s) => Type.Literal(s))),
  paidAt: Nullable(Timestamp),
});

export const LoanView = Type.Object({
  id: Uuid,
  status: Type.Union(
    ['pending_approval', 'active', 'closed', 'rejected', 'cancelled', 'expired'].map((s) => Type.Literal(s)),
  ),
  amountPaise: Type.Integer(),
  currency: Type.Literal('INR'),
  annualRateBps: Type.Integer(),
  tenureMonths: Type.Integer(),
  emiPaise: Type.Integer(),
  totalInterestPaise: Type.Integer(),
  outstandingPrincipalPaise: Type.Integer(),
  decisionReason: Nullable(Type.String()),
  disbursedAt: Nullable(Timestamp),
  closedAt: Nullable(Timestamp),
  closure: Nullable(Type.String()),
  createdAt: Timestamp,
  instalments: Type.Optional(Type.Array(InstalmentView)),
});

export const ApplyLoanBody = Type.Object(
  {
    amountPaise: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'Whole rupees, in paise' }),
    documentId: Type.String({ format: 'uuid', description: 'A proof document uploaded with purpose loan_proof' }),
  },
  { additionalProperties: false },
);

export const QuoteQuery = Type.Object(
  { amountPaise: Type.Integer({ minimum: 1, maximum: 100_000_000 }) },
  { additionalProperties: false },
);

export const ArrearsView = Type.Object({
  buckets: Type.Array(
    Type.Object({
      bucket: Type.String(),
      instalments: Type.Integer(),
      loans: Type.Integer(),
      amountPaise: Type.Integer(),
    }),
  ),
  items: Type.Array(
    Type.Object({
      loanId: Uuid,
      workerId: Uuid,
      number: Type.Integer(),
      dueOn: Type.String(),
      daysOverdue: Type.Integer(),
      bucket: Type.String(),
      amountPaise: Type.Integer(),
    }),
  ),
});

export const toEligibilityView = (
  e: LoanEligibility,
  rules: Pick<LoanRules, 'minAmountPaise' | 'minScore' | 'windowDays' | 'goodDayPaise'>,
) => ({
  eligible: e.eligible,
  score: e.score,
  tenureDays: e.tenureDays,
  workedDays: e.workedDays,
  goodDays: e.goodDays,
  conditions: e.conditions,
  conditionsMet: e.conditionsMet,
  annualRateBps: e.annualRateBps,
  earningsInWindowPaise: e.earningsInWindowPaise,
  maxAmountPaise: e.maxAmountPaise,
  minAmountPaise: rules.minAmountPaise,
  minScore: rules.minScore,
  windowDays: rules.windowDays,
  goodDayPaise: rules.goodDayPaise,
  limitingCondition: e.limitingCondition,
  improvement: e.improvement,
});

export const toQuoteView = (q: LoanQuote) => q;

export const toInstalmentView = (i: LoanInstalment) => ({
  number: i.number,
  dueOn: i.dueOn,
  principalPaise: i.principalPaise,
  interestPaise: i.interestPaise,
  lateFeePaise: i.lateFeePaise,
  totalPaise: i.principalPaise + i.interestPaise + i.lateFeePaise,
  status: i.status,
  paidAt: i.paidAt?.toISOString() ?? null,
});

export function toLoanView(loan: Loan, instalments?: LoanInstalment[]) {
  const outstanding = instalments
    ? instalments
        .filter((i) => i.status === 'scheduled' || i.status === 'overdue')
        .reduce((s, i) => s + i.principalPaise, 0)
    : loan.status === 'active'
      ? loan.amountPaise
      : 0;
  return {
    id: loan.id,
    status: loan.status,
    amountPaise: loan.amountPaise,
    currency: 'INR' as const,
    annualRateBps: loan.annualRateBps,
    tenureMonths: loan.tenureMonths,
    emiPaise: loan.emiPaise,
    totalInterestPaise: loan.totalInterestPaise,
    outstandingPrincipalPaise: loan.status === 'active' ? outstanding : 0,
    decisionReason: loan.decisionReason,
    disbursedAt: loan.disbursedAt?.toISOString() ?? null,
    closedAt: loan.closedAt?.toISOString() ?? null,
    closure: loan.closure,
    createdAt: loan.createdAt.toISOString(),
    ...(instalments ? { instalments: instalments.map(toInstalmentView) } : {}),
  };
}

export const toArrearsView = (a: ArrearsReport) => a;
