import { istDayStart, type IstDay } from './ist';

/**
 * The withdrawal allowance of SPEC §5 counts withdrawals, not rupees. Each plan purchase accrues `perDay`
 * withdrawals on every IST day from its purchase day for `validDays` days; what is not used rolls over without
 * expiry. Pure: the caller supplies purchases, how many withdrawals already count, and today.
 */
export interface AccruingPurchase {
  /** IST day of purchase: the first accrual day. */
  purchaseDay: IstDay;
  validDays: number;
  perDay: number;
}

export interface Allowance {
  /** Everything accrued so far, over all purchases. */
  accrued: number;
  used: number;
  /** accrued − used: how many withdrawals may start now. */
  available: number;
  /** The part of `available` that today's active purchases gave today. */
  todayBase: number;
  /** The rest of `available`: unused withdrawals carried from earlier days. */
  rollover: number;
  /** When the next withdrawals accrue (IST midnight), or null when no purchase accrues any more. */
  nextAccrualAt: Date | null;
}

function accruedBy(purchase: AccruingPurchase, today: IstDay): number {
  if (today < purchase.purchaseDay) return 0;
  return purchase.perDay * Math.min(purchase.validDays, today - purchase.purchaseDay + 1);
}

function accruesOn(purchase: AccruingPurchase, day: IstDay): boolean {
  return day >= purchase.purchaseDay && day < purchase.purchaseDay + purchase.validDays;
}

export function allowanceOn(purchases: readonly AccruingPurchase[], used: number, today: IstDay): Allowance {
  const accrued = purchases.reduce((sum, p) => sum + accruedBy(p, today), 0);
  const available = Math.max(0, accrued - used);
  const givenToday = purchases.filter((p) => accruesOn(p, today)).reduce((sum, p) => sum + p.perDay, 0);
  const todayBase = Math.min(available, givenToday);
  const nextDay = purchases.some((p) => accruesOn(p, today + 1)) ? today + 1 : null;
  return {
    accrued,
    used,
    available,
    todayBase,
    rollover: available - todayBase,
    nextAccrualAt: nextDay === null ? null : istDayStart(nextDay),
  };
}
