import { Type, type Static } from '@sinclair/typebox';
import { deletionReasons, openDeletionStatuses, type AccountDeletion } from '../db/account-deletion.repository';
import type { DeletionOverview, DeletionPrecondition } from '../services/account-deletion.service';
import { Paise, Timestamp, Uuid } from './common';

export const DeletionReasonSchema = Type.Union(
  deletionReasons.map((r) => Type.Literal(r)),
  { description: 'privacy | not_using | switching | support | other (other needs `text`)' },
);

export const DeletionStatusSchema = Type.Union(
  (['pending_approval', 'grace', 'erased', 'rejected', 'cancelled', 'expired'] as const).map((s) => Type.Literal(s)),
);

export const CreateDeletionBody = Type.Object(
  {
    reason: DeletionReasonSchema,
    text: Type.Optional(
      Type.String({ maxLength: 500, description: 'In your own words; required when the reason is "other"' }),
    ),
  },
  { additionalProperties: false },
);

export const DeletionPreconditionView = Type.Object(
  {
    code: Type.Union(
      (['open_loan', 'withdrawal_in_flight', 'claim_in_flight', 'wallet_balance'] as const).map((c) => Type.Literal(c)),
    ),
    message: Type.String({ description: 'What blocks deletion and what to do about it, in plain words' }),
    requestIds: Type.Optional(Type.Array(Uuid, { description: 'The loans, withdrawals or claims concerned' })),
    amountPaise: Type.Optional(Paise),
  },
  { $id: 'DeletionPrecondition' },
);

export const DeletionView = Type.Object(
  {
    id: Uuid,
    status: DeletionStatusSchema,
    reason: DeletionReasonSchema,
    text: Type.Union([Type.String(), Type.Null()]),
    canCancel: Type.Boolean({ description: 'True while waiting for approval and during the grace period' }),
    graceEndsAt: Type.Union([Timestamp, Type.Null()], {
      description: 'After approval: personal data is erased after this moment unless cancelled',
    }),
    erasedAt: Type.Union([Timestamp, Type.Null()]),
    decisionReason: Type.Union([Type.String(), Type.Null()], {
      description: 'Why it was rejected, expired or closed',
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'AccountDeletion' },
);
export type DeletionView = Static<typeof DeletionView>;

export const DeletionOverviewView = Type.Object({
  deletion: Type.Union([DeletionView, Type.Null()], {
    description: 'The open request, else the latest closed one, else null',
  }),
  preconditions: Type.Array(DeletionPreconditionView, {
    description: 'What would refuse a new request right now; empty when nothing does',
  }),
  canRequest: Type.Boolean({ description: 'No request is open and no precondition blocks one' }),
});

export function toDeletionView(d: AccountDeletion): DeletionView {
  return {
    id: d.id,
    status: d.status,
    reason: d.reason,
    text: d.reasonText,
    canCancel: openDeletionStatuses.includes(d.status),
    graceEndsAt: d.graceEndsAt?.toISOString() ?? null,
    erasedAt: d.erasedAt?.toISOString() ?? null,
    decisionReason: d.decisionReason,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

export function toDeletionOverview(o: DeletionOverview): Static<typeof DeletionOverviewView> {
  const open = o.deletion !== null && openDeletionStatuses.includes(o.deletion.status);
  return {
    deletion: o.deletion ? toDeletionView(o.deletion) : null,
    preconditions: o.preconditions,
    canRequest: !open && o.preconditions.length === 0,
  };
}

/** The request detail's `subject` for a deletion in the admin portal. */
export function toAdminDeletionView(
  subject: { deletion: AccountDeletion; preconditions: DeletionPrecondition[]; pseudonym: string | null },
  workflowUrl: string,
): Record<string, unknown> {
  const { deletion } = subject;
  return {
    ...toDeletionView(deletion),
    workerId: deletion.workerId,
    workerPseudonym: subject.pseudonym,
    workflowId: deletion.workflowId,
    workflowUrl,
    preconditions: subject.preconditions,
  };
}
