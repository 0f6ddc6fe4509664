import { Type, type Static } from '@sinclair/typebox';
import type { PlanPurchase } from '../db/plan.repository';
import type { PlanOffer } from '../services/plan.service';
import { Currency, Paise, Timestamp, Uuid } from './common';

export const PlanCodeParams = Type.Object(
  { code: Type.Union([Type.Literal('solo'), Type.Literal('duo'), Type.Literal('trio')]) },
  { additionalProperties: false },
);

export const PlanView = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    pricePaise: Paise,
    currency: Currency,
    slots: Type.Integer(),
    validDays: Type.Integer(),
    withdrawalsPerDay: Type.Integer(),
    monthlyCap: Type.Integer({ description: 'Purchases of this plan allowed per worker per IST month' }),
  },
  { $id: 'Plan' },
);

export const PurchaseView = Type.Object(
  {
    id: Uuid,
    planCode: Type.String(),
    pricePaise: Paise,
    currency: Currency,
    slots: Type.Integer(),
    purchasedAt: Timestamp,
    expiresAt: Timestamp,
    active: Type.Boolean(),
  },
  { $id: 'PlanPurchase' },
);

export const toPlanView = (p: PlanOffer): Static<typeof PlanView> => ({
  code: p.code,
  name: p.name,
  pricePaise: p.pricePaise,
  currency: 'INR',
  slots: p.slots,
  validDays: p.validDays,
  withdrawalsPerDay: p.withdrawalsPerDay,
  monthlyCap: p.monthlyCap,
});

export const toPurchaseView = (p: PlanPurchase, now: Date): Static<typeof PurchaseView> => ({
  id: p.id,
  planCode: p.planCode,
  pricePaise: p.pricePaise,
  currency: 'INR',
  slots: p.slots,
  purchasedAt: p.purchasedAt.toISOString(),
  expiresAt: p.expiresAt.toISOString(),
  active: p.purchasedAt <= now && now < p.expiresAt,
});
