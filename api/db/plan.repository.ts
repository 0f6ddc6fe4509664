import type { Knex } from 'knex';
import type { AccruingPurchase } from '../domain/allowance';
import type { Db } from './knex';

export type PlanCode = 'solo' | 'duo' | 'trio';

export interface Plan {
  code: PlanCode;
  name: string;
  pricePaise: number;
  slots: number;
  validDays: number;
  withdrawalsPerDay: number;
  commissionPerPlatformPaise: number;
  monthlyCapDivisor: number;
}

export interface PlanPurchase {
  id: string;
  workerId: string;
  planCode: PlanCode;
  pricePaise: number;
  slots: number;
  validDays: number;
  withdrawalsPerDay: number;
  purchaseIstDay: number;
  purchasedAt: Date;
  expiresAt: Date;
  journalId: string;
  idempotencyKey: string;
  requestFingerprint: string;
  commissionPerPlatformPaise: number;
}

interface PlanRow {
  code: PlanCode;
  name: string;
  price_paise: number;
  slots: number;
  valid_days: number;
  withdrawals_per_day: number;
  commission_per_platform_paise: number;
  monthly_cap_divisor: number;
}
interface PurchaseRow {
  id: string;
  worker_id: string;
  plan_code: PlanCode;
  price_paise: number;
  slots: number;
  valid_days: number;
  withdrawals_per_day: number;
  purchase_ist_day: number;
  purchase_ist_month: string;
  purchased_at: Date;
  expires_at: Date;
  journal_id: string;
  idempotency_key: string;
  request_fingerprint: string;
  commission_per_platform_paise: number;
}

const toPlan = (r: PlanRow): Plan => ({
  code: r.code,
  name: r.name,
  pricePaise: r.price_paise,
  slots: r.slots,
  validDays: r.valid_days,
  withdrawalsPerDay: r.withdrawals_per_day,
  commissionPerPlatformPaise: r.commission_per_platform_paise,
  monthlyCapDivisor: r.monthly_cap_divisor,
});
const toPurchase = (r: PurchaseRow): PlanPurchase => ({
  id: r.id,
  workerId: r.worker_id,
  planCode: r.plan_code,
  pricePaise: r.price_paise,
  slots: r.slots,
  validDays: r.valid_days,
  withdrawalsPerDay: r.withdrawals_per_day,
  purchaseIstDay: r.purchase_ist_day,
  purchasedAt: r.purchased_at,
  expiresAt: r.expires_at,
  journalId: r.journal_id,
  idempotencyKey: r.idempotency_key,
  requestFingerprint: r.request_fingerprint,
  commissionPerPlatformPaise: r.commission_per_platform_paise,
});

export function createPlanRepository(db: Db) {
  const q = (trx?: Knex.Transaction) => trx ?? db;
  return {
    async listPlans(): Promise<Plan[]> {
      return (await db<PlanRow>('plans').orderBy('price_paise')).map(toPlan);
    },

    async findPlan(code: string, trx?: Knex.Transaction): Promise<Plan | undefined> {
      const row = await q(trx)<PlanRow>('plans').where('code', code).first();
      return row ? toPlan(row) : undefined;
    },

    /** N of SPEC §4: the platforms in the catalog (enabled ones). */
    async catalogSize(trx?: Knex.Transaction): Promise<number> {
      const [row] = await q(trx)('platforms').where({ enabled: true }).count<Array<{ count: number }>>('* as count');
      return Number(row?.count ?? 0);
    },

    async countInMonth(workerId: string, planCode: string, istMonth: string, trx?: Knex.Transaction): Promise<number> {
      const [row] = await q(trx)('plan_purchases')
        .where({ worker_id: workerId, plan_code: planCode, purchase_ist_month: istMonth })
        .count<Array<{ count: number }>>('* as count');
      return Number(row?.count ?? 0);
    },

    async activeSlots(workerId: string, at: Date, trx?: Knex.Transaction): Promise<number> {
      const [row] = await q(trx)('plan_purchases')
        .where({ worker_id: workerId })
        .andWhere('purchased_at', '<=', at)
        .andWhere('expires_at', '>', at)
        .sum<Array<{ total: string | null }>>('slots as total');
      return Number(row?.total ?? 0);
    },

    async findByKey(
      workerId: string,
      idempotencyKey: string,
      trx?: Knex.Transaction,
    ): Promise<PlanPurchase | undefined> {
      const row = await q(trx)<PurchaseRow>('plan_purchases')
        .where({ worker_id: workerId, idempotency_key: idempotencyKey })
        .first();
      return row ? toPurchase(row) : undefined;
    },

    async listForWorker(workerId: string, trx?: Knex.Transaction): Promise<PlanPurchase[]> {
      return (
        await q(trx)<PurchaseRow>('plan_purchases').where({ worker_id: workerId }).orderBy('purchased_at', 'desc')
      ).map(toPurchase);
    },

    /** Every purchase as an allowance source (expired ones too: their unused withdrawals roll over). */
    async accruingPurchases(workerId: string, trx?: Knex.Transaction): Promise<AccruingPurchase[]> {
      const rows = await q(trx)<PurchaseRow>('plan_purchases')
        .where({ worker_id: workerId })
        .select('purchase_ist_day', 'valid_days', 'withdrawals_per_day');
      return rows.map((r) => ({
        purchaseDay: r.purchase_ist_day,
        validDays: r.valid_days,
        perDay: r.withdrawals_per_day,
      }));
    },

    async insert(
      purchase: Omit<PlanPurchase, 'id'> & { purchaseIstMonth: string },
      trx: Knex.Transaction,
    ): Promise<PlanPurchase> {
      const [row] = (await trx('plan_purchases')
        .insert({
          worker_id: purchase.workerId,
          plan_code: purchase.planCode,
          price_paise: purchase.pricePaise,
          slots: purchase.slots,
          valid_days: purchase.validDays,
          withdrawals_per_day: purchase.withdrawalsPerDay,
          purchase_ist_day: purchase.purchaseIstDay,
          purchase_ist_month: purchase.purchaseIstMonth,
          purchased_at: purchase.purchasedAt,
          expires_at: purchase.expiresAt,
          journal_id: purchase.journalId,
          idempotency_key: purchase.idempotencyKey,
          request_fingerprint: purchase.requestFingerprint,
          commission_per_platform_paise: purchase.commissionPerPlatformPaise,
        })
        .returning('*')) as PurchaseRow[];
      return toPurchase(row!);
    },

    /**
     * Commission owed per platform for an IST month (SPEC §4): every purchase whose validity overlaps the month owes
     * its rate to each platform bound to one of its slots. Also the month's plan revenue and GigBit's margin on the
     * purchases made in it (price − rate × slots).
     */
    async commissionForMonth(monthStart: Date, monthEnd: Date, istMonth: string) {
      const platforms = await db('plan_purchases as pp')
        .join(
          db('platform_connections').distinct('plan_purchase_id', 'platform_id').as('b'),
          'b.plan_purchase_id',
          'pp.id',
        )
        .join('platforms as p', 'p.id', 'b.platform_id')
        .where('pp.purchased_at', '<', monthEnd)
        .andWhere('pp.expires_at', '>', monthStart)
        .groupBy('p.id', 'p.slug', 'p.name', 'p.sort_order')
        .orderBy('p.sort_order')
        .select<Array<{ slug: string; name: string; commission: string; purchases: number; workers: number }>>(
          'p.slug',
          'p.name',
          db.raw('sum(pp.commission_per_platform_paise)::text AS commission'),
          db.raw('count(*)::int AS purchases'),
          db.raw('count(DISTINCT pp.worker_id)::int AS workers'),
        );
      const [totals] = await db('plan_purchases')
        .where('purchase_ist_month', istMonth)
        .select<Array<{ revenue: string | null; margin: string | null; purchases: number }>>(
          db.raw('sum(price_paise)::text AS revenue'),
          db.raw('sum(price_paise - commission_per_platform_paise * slots)::text AS margin'),
          db.raw('count(*)::int AS purchases'),
        );
      return {
        platforms: platforms.map((r) => ({
          slug: r.slug,
          name: r.name,
          commissionPaise: Number(r.commission),
          purchases: r.purchases,
          workers: r.workers,
        })),
        purchasesInMonth: totals?.purchases ?? 0,
        revenuePaise: Number(totals?.revenue ?? 0),
        marginPaise: Number(totals?.margin ?? 0),
      };
    },

    /** Serialises one worker's money requests (purchases, withdrawals) so caps and allowances hold under concurrency. */
    async lockWorker(workerId: string, trx: Knex.Transaction): Promise<boolean> {
      return (await trx('workers').where({ id: workerId }).forUpdate().first('id')) !== undefined;
    },

    async isInsured(workerId: string, trx?: Knex.Transaction): Promise<boolean> {
      const row = await q(trx)<{ worker_id: string; status: string }>('insurance_coverages')
        .where({ worker_id: workerId })
        .first();
      // Cover continues through the grace period of an unpaid premium (SPEC §7), so the 1% share does too.
      return row?.status === 'active' || row?.status === 'grace';
    },
  };
}

export type PlanRepository = ReturnType<typeof createPlanRepository>;
