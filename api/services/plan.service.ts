import type { Db } from '../db/knex';
import type { Plan, PlanPurchase, PlanRepository } from '../db/plan.repository';
import { istDay, istMonth, istMonthStart } from '../domain/ist';
import { AppError, ErrorCode } from '../errors';
import { fingerprintOf, replayOf } from './idempotency';
import type { LedgerService } from './ledger.service';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PlanOffer extends Plan {
  /** This IST month's purchase cap per worker: floor(catalog size / divisor). */
  monthlyCap: number;
}

export function createPlanService(deps: { db: Db; plans: PlanRepository; ledger: LedgerService; now?: () => Date }) {
  const { db, plans, ledger } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    async offers(): Promise<PlanOffer[]> {
      const catalogSize = await plans.catalogSize();
      return (await plans.listPlans()).map((plan) => ({
        ...plan,
        monthlyCap: Math.floor(catalogSize / plan.monthlyCapDivisor),
      }));
    },

    /** Commission owed to platforms and GigBit's margin for one IST month ("YYYY-MM"). */
    async commission(month: string) {
      const start = istMonthStart(new Date(`${month}-15T00:00:00+05:30`));
      const shifted = new Date(`${month}-15T00:00:00+05:30`);
      shifted.setUTCMonth(shifted.getUTCMonth() + 1);
      const end = istMonthStart(shifted);
      const report = await plans.commissionForMonth(start, end, month);
      return {
        month,
        ...report,
        commissionPaise: report.platforms.reduce((sum, p) => sum + p.commissionPaise, 0),
      };
    },

    listPurchases(workerId: string): Promise<PlanPurchase[]> {
      return plans.listForWorker(workerId);
    },

    /**
     * Buys a plan from the wallet (SPEC §4). Checks and payment run in one transaction under the worker's lock, so
     * simultaneous purchases cannot pass a cap together; the same Idempotency-Key returns the original purchase.
     */
    async purchase(input: {
      workerId: string;
      planCode: string;
      idempotencyKey: string;
    }): Promise<{ purchase: PlanPurchase; replayed: boolean }> {
      const requestFingerprint = fingerprintOf({ planCode: input.planCode });
      return db.transaction(async (trx) => {
        if (!(await plans.lockWorker(input.workerId, trx))) throw AppError.notFound('Worker');
        const earlier = replayOf(
          await plans.findByKey(input.workerId, input.idempotencyKey, trx),
          requestFingerprint,
          'This Idempotency-Key was already used for a different purchase',
        );
        if (earlier) return { purchase: earlier, replayed: true };
        const plan = await plans.findPlan(input.planCode, trx);
        if (!plan) throw AppError.notFound('Plan');

        const at = now();
        const catalogSize = await plans.catalogSize(trx);
        const cap = Math.floor(catalogSize / plan.monthlyCapDivisor);
        const month = istMonth(at);
        const bought = await plans.countInMonth(input.workerId, plan.code, month, trx);
        if (bought >= cap) {
          throw new AppError(
            ErrorCode.PLAN_CAP_REACHED,
            `You can buy ${plan.name} at most ${cap} times a month; you have bought it ${bought} times this month`,
            {
              cap,
              month,
            },
          );
        }
        const slotsInUse = await plans.activeSlots(input.workerId, at, trx);
        if (slotsInUse + plan.slots > catalogSize) {
          throw new AppError(
            ErrorCode.SLOT_LIMIT_REACHED,
            `${plan.name} adds ${plan.slots} platform slots, but you already have ${slotsInUse} of the ${catalogSize} possible`,
            { slotsInUse, maxSlots: catalogSize },
          );
        }

        const wallet = await ledger.walletOf(input.workerId, trx);
        const revenue = await ledger.systemAccount('subscription_revenue', trx);
        const { journal } = await ledger.postJournal(
          {
            idempotencyKey: `plan-purchase:${input.workerId}:${input.idempotencyKey}`,
            kind: 'plan_purchase',
            postings: [
              { accountId: wallet.id, amountPaise: -plan.pricePaise },
              { accountId: revenue.id, amountPaise: plan.pricePaise },
            ],
            description: `${plan.name} plan`,
            metadata: { planCode: plan.code },
          },
          trx,
        );
        const purchase = await plans.insert(
          {
            workerId: input.workerId,
            planCode: plan.code,
            pricePaise: plan.pricePaise,
            slots: plan.slots,
            validDays: plan.validDays,
            withdrawalsPerDay: plan.withdrawalsPerDay,
            purchaseIstDay: istDay(at),
            purchaseIstMonth: month,
            purchasedAt: at,
            expiresAt: new Date(at.getTime() + plan.validDays * DAY_MS),
            journalId: journal.id,
            idempotencyKey: input.idempotencyKey,
            requestFingerprint,
            commissionPerPlatformPaise: plan.commissionPerPlatformPaise,
          },
          trx,
        );
        return { purchase, replayed: false };
      });
    },
  };
}

export type PlanService = ReturnType<typeof createPlanService>;
