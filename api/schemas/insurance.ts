import { Type, type Static } from '@sinclair/typebox';
import { isoDateOf, type Claim, type Contribution, type Premium } from '../db/insurance.repository';
import type { TimelineEntry } from '../db/request.repository';
import { AppError, ErrorCode } from '../errors';
import type { ClaimDetail, InsuranceStatus } from '../services/insurance.service';
import type { StoredDocument } from '../services/document.service';
import { Currency, Paise, Timestamp, Uuid } from './common';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const CalendarDate = Type.String({ format: 'date', description: 'An IST calendar day, YYYY-MM-DD' });

export const ClaimTypeSchema = Type.Union([Type.Literal('vehicle_damage'), Type.Literal('product_damage_loss')], {
  description: 'vehicle_damage pays ₹8,000 (2 a year); product_damage_loss pays ₹3,000 (3 a year)',
});
export const ClaimStatusSchema = Type.Union(
  (['pending_approval', 'paid', 'rejected', 'cancelled', 'expired'] as const).map((s) => Type.Literal(s)),
);

const PremiumView = Type.Object({
  month: Type.String({ description: 'IST month, YYYY-MM' }),
  amountPaise: Paise,
  currency: Currency,
  status: Type.Union([Type.Literal('due'), Type.Literal('paid'), Type.Literal('lapsed')], {
    description: 'lapsed = written off: not collected because cover had ended',
  }),
  dueOn: CalendarDate,
  attempts: Type.Integer(),
  paidAt: Nullable(Timestamp),
});

export const InsuranceView = Type.Object(
  {
    status: Type.Union(
      (['none', 'active', 'grace', 'lapsed', 'opted_out'] as const).map((s) => Type.Literal(s)),
      {
        description:
          'none = never opted in; grace = a premium is unpaid but cover continues until lapsesOn; lapsed = not ' +
          'covered until a premium is paid',
      },
    ),
    coveredToday: Type.Boolean(),
    optedInAt: Nullable(Timestamp),
    optOutEffectiveOn: Nullable(CalendarDate),
    currentPeriod: Nullable(
      Type.Object({
        startsOn: CalendarDate,
        endsOn: Nullable(CalendarDate),
      }),
    ),
    premium: Type.Object({
      monthlyPaise: Paise,
      currency: Currency,
      thisMonth: Nullable(PremiumView),
      overdue: Nullable(
        Type.Object({
          ...PremiumView.properties,
          coveredThrough: Type.String({ format: 'date', description: 'Last day of cover if it stays unpaid' }),
          lapsesOn: Type.String({ format: 'date', description: 'First day without cover if it stays unpaid' }),
        }),
      ),
    }),
    claimLimits: Type.Array(
      Type.Object({
        type: ClaimTypeSchema,
        payoutPaise: Paise,
        maxPerYear: Type.Integer(),
        usedThisYear: Type.Integer({ description: 'Pending and paid claims with an incident in this IST year' }),
        remaining: Type.Integer(),
        year: Type.Integer(),
      }),
    ),
  },
  { $id: 'Insurance' },
);
export type InsuranceView = Static<typeof InsuranceView>;

export const PageQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);

export const ContributionView = Type.Object({
  kind: Type.Union([Type.Literal('premium'), Type.Literal('withdrawal_share')], {
    description: 'A monthly premium, or the 1% share of a paid withdrawal',
  }),
  amountPaise: Paise,
  currency: Currency,
  at: Timestamp,
  month: Nullable(Type.String({ description: 'The premium’s IST month' })),
  withdrawalId: Nullable(Uuid),
});

export const ContributionsPage = Type.Object({
  items: Type.Array(ContributionView),
  nextCursor: Nullable(Type.String()),
  totals: Type.Object({ premiumsPaise: Paise, withdrawalSharesPaise: Paise, currency: Currency }),
});

export const FileClaimBody = Type.Object(
  {
    type: ClaimTypeSchema,
    incidentOn: CalendarDate,
    description: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }),
    documentIds: Type.Array(Uuid, {
      maxItems: 10,
      description: '1–3 proof documents uploaded first with POST /v1/documents?purpose=claim_proof',
    }),
  },
  { additionalProperties: false },
);

const ClaimDocumentView = Type.Object({ id: Uuid, contentType: Type.String(), byteSize: Type.Integer() });

export const ClaimView = Type.Object(
  {
    id: Uuid,
    type: ClaimTypeSchema,
    incidentOn: CalendarDate,
    description: Type.String(),
    payoutPaise: Paise,
    currency: Currency,
    status: ClaimStatusSchema,
    decisionReason: Nullable(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Claim' },
);
export type ClaimView = Static<typeof ClaimView>;

export const ClaimDetailView = Type.Object({
  ...ClaimView.properties,
  documents: Type.Array(ClaimDocumentView),
  history: Type.Array(
    Type.Object({
      at: Timestamp,
      kind: Type.String({ description: 'created | status | decision | escalated' }),
      status: Nullable(Type.String()),
      by: Type.Union([Type.Literal('worker'), Type.Literal('admin'), Type.Literal('system')]),
      decision: Nullable(Type.String()),
      reason: Nullable(Type.String()),
    }),
  ),
});
export type ClaimDetailView = Static<typeof ClaimDetailView>;

export const ClaimsPage = Type.Object({ items: Type.Array(ClaimView), nextCursor: Nullable(Type.String()) });

const toPremiumView = (p: Premium) => ({
  month: p.month,
  amountPaise: p.amountPaise,
  currency: 'INR' as const,
  status: p.status,
  dueOn: isoDateOf(p.dueOn),
  attempts: p.attempts,
  paidAt: p.paidAt?.toISOString() ?? null,
});

export function toInsuranceView(s: InsuranceStatus): InsuranceView {
  return {
    status: s.coverage?.status ?? 'none',
    coveredToday: s.coveredToday,
    optedInAt: s.coverage?.optedInAt?.toISOString() ?? null,
    optOutEffectiveOn:
      s.coverage?.optOutEffectiveOn === null || s.coverage === undefined
        ? null
        : isoDateOf(s.coverage.optOutEffectiveOn),
    currentPeriod: s.currentPeriod && {
      startsOn: isoDateOf(s.currentPeriod.startsOn),
      endsOn: s.currentPeriod.endsOn === null ? null : isoDateOf(s.currentPeriod.endsOn),
    },
    premium: {
      monthlyPaise: s.premiumPaise,
      currency: 'INR',
      thisMonth: s.thisMonth ? toPremiumView(s.thisMonth) : null,
      overdue: s.overdue && {
        ...toPremiumView(s.overdue.premium),
        coveredThrough: isoDateOf(s.overdue.lapsesOn - 1),
        lapsesOn: isoDateOf(s.overdue.lapsesOn),
      },
    },
    claimLimits: s.claimLimits.map((l) => ({
      type: l.type,
      payoutPaise: l.payoutPaise,
      maxPerYear: l.maxPerYear,
      usedThisYear: l.used,
      remaining: Math.max(0, l.maxPerYear - l.used),
      year: l.year,
    })),
  };
}

export const toContributionView = (c: Contribution): Static<typeof ContributionView> => ({
  kind: c.kind,
  amountPaise: c.amountPaise,
  currency: 'INR',
  at: c.at.toISOString(),
  month: c.kind === 'premium' ? c.reference : null,
  withdrawalId: c.kind === 'withdrawal_share' ? c.reference : null,
});

export const toClaimView = (c: Claim): ClaimView => ({
  id: c.id,
  type: c.type,
  incidentOn: isoDateOf(c.incidentOn),
  description: c.description,
  payoutPaise: c.payoutPaise,
  currency: 'INR',
  status: c.status,
  decisionReason: c.decisionReason,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The worker's view of the history: who acted (not which admin), decisions and reasons; admin comments stay inside. */
const toHistoryItem = (t: TimelineEntry) => ({
  at: t.at.toISOString(),
  kind: t.kind,
  status: t.status,
  by: t.actorKind,
  decision: text(t.detail.decision),
  reason: text(t.detail.reason),
});

export const toClaimDetailView = (d: ClaimDetail): ClaimDetailView => ({
  ...toClaimView(d.claim),
  documents: d.documents
    .filter((f: StoredDocument) => !f.erasedAt)
    .map((f) => ({ id: f.id, contentType: f.contentType, byteSize: f.byteSize })),
  history: d.history.filter((t) => t.kind !== 'claimed' && t.kind !== 'released').map(toHistoryItem),
});

// Cursors are opaque to clients: base64url of the sort key of the last item.
export const encodeCursor = (...parts: string[]): string => Buffer.from(parts.join('|'), 'utf8').toString('base64url');

export function decodeCursor(cursor: string, parts: number): [Date, ...string[]] {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(decoded[0] ?? '');
  if (decoded.length !== parts || Number.isNaN(at.getTime()) || decoded.some((p) => p.length === 0 || p.length > 64)) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'The cursor is not one this API issued');
  }
  return [at, ...decoded.slice(1)];
}
