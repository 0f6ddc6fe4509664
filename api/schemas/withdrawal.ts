import { Type, type Static } from '@sinclair/typebox';
import type { Withdrawal } from '../db/withdrawal.repository';
import { Currency, Paise, Timestamp, Uuid } from './common';

export const WithdrawalStatus = Type.Union(
  ['pending_approval', 'approved', 'rejected', 'expired'].map((status) => Type.Literal(status)),
);

export const CreateWithdrawalBody = Type.Object(
  { amountPaise: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Integer paise' }) },
  { additionalProperties: false },
);
export type CreateWithdrawalBody = Static<typeof CreateWithdrawalBody>;

export const WithdrawalView = Type.Object(
  {
    id: Uuid,
    amountPaise: Paise,
    currency: Currency,
    status: WithdrawalStatus,
    decisionReason: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
    decidedAt: Type.Union([Timestamp, Type.Null()]),
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
export type DecisionBody = Static<typeof DecisionBody>;

export function toWithdrawalView(w: Withdrawal): WithdrawalView {
  return {
    id: w.id,
    amountPaise: w.amountPaise,
    currency: w.currency,
    status: w.status,
    decisionReason: w.decisionReason,
    createdAt: w.createdAt.toISOString(),
    decidedAt: w.decidedAt?.toISOString() ?? null,
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
  };
}
