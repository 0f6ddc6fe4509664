import { Type } from '@sinclair/typebox';
import type { Loan, LoanInstalment } from '../db/loan.repository';
import type { LoanEligibility } from '../domain/loan';
import type { ArrearsReport, LoanQuote } from '../services/loan.service';
import { Timestamp, Uuid } from './common';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

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
  maxAmountPaise: Type.Integer(),
  limitingCondition: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  improvement: Nullable(Type.String()),
});

export const QuoteView = Type.Object({
  amountPaise: Type.Integer(),
  annualRateBps: Type.Integer(),
  tenureMonths: Type.Integer(),
  emiPaise: Type.Integer(),
  totalInterestPaise: Type.Integer(),
  approvalsRequired: Type.Integer(),
  refusal: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
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

export const toEligibilityView = (e: LoanEligibility) => ({
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
