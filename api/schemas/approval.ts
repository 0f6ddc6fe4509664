import { Type, type Static } from '@sinclair/typebox';
import type { RequestDecision, RequestRecord, TimelineEntry } from '../db/request.repository';
import { AdminRole, Timestamp, Uuid } from './common';

export const RequestTypeSchema = Type.Union(
  (['withdrawal', 'loan', 'claim', 'deletion'] as const).map((t) => Type.Literal(t)),
);
export const SlaStateSchema = Type.Union(
  (['on_time', 'overdue', 'closed', 'none'] as const).map((s) => Type.Literal(s)),
  { description: 'overdue = past its SLA and escalated; none = no decision needed (automatic)' },
);

export const RequestSummary = Type.Object({
  id: Uuid,
  type: RequestTypeSchema,
  workerId: Uuid,
  workerName: Type.Union([Type.String(), Type.Null()]),
  amountPaise: Type.Union([Type.Integer(), Type.Null()]),
  currency: Type.Literal('INR'),
  status: Type.String(),
  approvalsRequired: Type.Integer(),
  approvalsGiven: Type.Integer(),
  seniorRequired: Type.Boolean(),
  slaState: SlaStateSchema,
  slaDueAt: Type.Union([Timestamp, Type.Null()]),
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  escalatedAt: Type.Union([Timestamp, Type.Null()]),
  claimedBy: Type.Union([Type.Object({ adminId: Uuid, username: Type.String(), since: Timestamp }), Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  closedAt: Type.Union([Timestamp, Type.Null()]),
  workflowId: Type.String(),
  workflowUrl: Type.String({ description: 'The request’s workflow in the Temporal Web UI' }),
});
export type RequestSummary = Static<typeof RequestSummary>;

export const DecisionView = Type.Object({
  adminId: Uuid,
  adminUsername: Type.String(),
  adminRole: AdminRole,
  decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
  reason: Type.Union([Type.String(), Type.Null()]),
  comment: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Timestamp,
});

export const TimelineView = Type.Object({
  at: Timestamp,
  kind: Type.String({ description: 'created | status | decision | escalated | claimed | released' }),
  status: Type.Union([Type.String(), Type.Null()]),
  actor: Type.Object({
    kind: Type.Union([Type.Literal('worker'), Type.Literal('admin'), Type.Literal('system')]),
    id: Type.Union([Uuid, Type.Null()]),
  }),
  detail: Type.Record(Type.String(), Type.Unknown()),
});

export const RequestDetail = Type.Object({
  request: RequestSummary,
  fourEyes: Type.Object({
    required: Type.Boolean(),
    seniorRequired: Type.Boolean(),
    approvalsGiven: Type.Integer(),
    approvalsRequired: Type.Integer(),
  }),
  decisions: Type.Array(DecisionView),
  timeline: Type.Array(TimelineView),
  documents: Type.Array(
    Type.Object({ id: Uuid, contentType: Type.String(), byteSize: Type.Integer(), url: Type.String() }),
  ),
  subject: Type.Record(Type.String(), Type.Unknown(), {
    description: 'The withdrawal, loan, claim or deletion itself, as its own admin view',
  }),
});

export const DecisionRequestBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Required to reject' })),
    comment: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const BulkDecisionBody = Type.Object(
  {
    ids: Type.Array(Uuid, { minItems: 1, maxItems: 500 }),
    decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    comment: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const BulkDecisionResult = Type.Object({
  results: Type.Array(
    Type.Object({
      id: Uuid,
      ok: Type.Boolean(),
      status: Type.Optional(Type.String()),
      error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    }),
  ),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
});

export const InboxQuerystring = Type.Object(
  {
    type: Type.Optional(Type.Array(RequestTypeSchema, { maxItems: 4 })),
    status: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z_]{1,32}$' }), {
        maxItems: 10,
        description: 'Default: pending_approval (the queue)',
      }),
    ),
    sla: Type.Optional(Type.Union([Type.Literal('on_time'), Type.Literal('overdue')])),
    minAgeMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 525_600 })),
    maxAgeMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 525_600 })),
    claimed: Type.Optional(Type.Union([Type.Literal('me'), Type.Literal('nobody')])),
    workerId: Type.Optional(Uuid),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

export function slaStateOf(r: RequestRecord): Static<typeof SlaStateSchema> {
  if (r.approvalsRequired === 0) return 'none';
  if (r.status !== 'pending_approval') return 'closed';
  return r.escalatedAt ? 'overdue' : 'on_time';
}

export function toRequestSummary(
  r: RequestRecord,
  workflowUrl: (workflowId: string) => string,
  claimLive: (r: RequestRecord) => boolean,
): RequestSummary {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: r.id,
    type: r.type,
    workerId: r.workerId,
    workerName: r.workerName,
    amountPaise: r.amountPaise === null ? null : Number(r.amountPaise),
    currency: 'INR',
    status: r.status,
    approvalsRequired: r.approvalsRequired,
    approvalsGiven: r.approvalsGiven,
    seniorRequired: r.seniorRequired,
    slaState: slaStateOf(r),
    slaDueAt: iso(r.slaDueAt),
    expiresAt: iso(r.expiresAt),
    escalatedAt: iso(r.escalatedAt),
    claimedBy:
      r.assignedTo && r.assignedAt && claimLive(r)
        ? { adminId: r.assignedTo, username: r.assignedToUsername ?? '', since: r.assignedAt.toISOString() }
        : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    closedAt: iso(r.closedAt),
    workflowId: r.workflowId,
    workflowUrl: workflowUrl(r.workflowId),
  };
}

export const toDecisionView = (d: RequestDecision) => ({ ...d, decidedAt: d.decidedAt.toISOString() });

export const toTimelineView = (t: TimelineEntry) => ({
  at: t.at.toISOString(),
  kind: t.kind,
  status: t.status,
  actor: { kind: t.actorKind, id: t.actorId },
  detail: t.detail,
});
