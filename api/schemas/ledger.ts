import { Type, type Static } from '@sinclair/typebox';
import type { Reconciliation } from '../db/reconciliation.repository';
import { Timestamp, Uuid } from './common';

export const ReconciliationView = Type.Object(
  {
    id: Uuid,
    status: Type.Union([Type.Literal('clean'), Type.Literal('drift')]),
    checkedAt: Timestamp,
    counts: Type.Object({
      journals: Type.Integer(),
      postings: Type.Integer(),
      accounts: Type.Integer(),
      pendingHolds: Type.Integer(),
    }),
    findings: Type.Array(
      Type.Object({
        check: Type.String(),
        subject: Type.String(),
        detail: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
      }),
    ),
  },
  { $id: 'Reconciliation' },
);

export const ReconciliationPage = Type.Object({
  items: Type.Array(ReconciliationView),
  nextCursor: Type.Union([Timestamp, Type.Null()], { description: 'Pass as `before` for the next page' }),
});

export const ReconciliationQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    before: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type ReconciliationQuery = Static<typeof ReconciliationQuery>;

export function toReconciliationView(r: Reconciliation): Static<typeof ReconciliationView> {
  return { id: r.id, status: r.status, checkedAt: r.checkedAt.toISOString(), counts: r.counts, findings: r.findings };
}
