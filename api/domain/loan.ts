import { type IstDay } from './ist';

/**
 * Emergency loans (SPEC §6): eligibility, the amount a worker may ask for, tenure and the repayment schedule.
 * Pure: the caller supplies the worker's daily earnings, today's IST day and the rules (numbers from config), so
 * the same answers come out of the API, the workflow and the tests.
 */
export interface LoanRules {
  /** How many IST days, ending today inclusive, the eligibility looks back over. */
  windowDays: number;
  /** C1: days since registration. */
  minTenureDays: number;
  /** C2: days in the window with any earnings. */
  minWorkedDays: number;
  /** C3: days in the window with at least `goodDayPaise`. */
  minGoodDays: number;
  goodDayPaise: number;
  minScore: number;
  minAmountPaise: number;
  maxAmountPaise: number;
  /** At most this share of the window's earnings may be borrowed, in basis points (50% = 5000). */
  maxShareOfEarningsBps: number;
  /** That share is rounded down to a multiple of this (₹500), so offers are round numbers. */
  roundDownToPaise: number;
  /** Annual rate in basis points, indexed by how many of C1–C3 are met (0..3). */
  rateBpsByConditionsMet: readonly [number, number, number, number];
  /**
   * Tenure by amount, ascending: the first entry whose `upToPaise` (inclusive) covers the amount. The last entry
   * catches every larger amount whatever its `upToPaise`, so the table stays plain JSON (no Infinity).
   */
  tenureMonthsByAmount: ReadonlyArray<{ upToPaise: number; months: number }>;
}

export const defaultLoanRules: LoanRules = {
  windowDays: 90,
  minTenureDays: 90,
  minWorkedDays: 75,
  minGoodDays: 75,
  goodDayPaise: 80_000,
  minScore: 300,
  minAmountPaise: 500_000,
  maxAmountPaise: 5_000_000,
  maxShareOfEarningsBps: 5_000,
  roundDownToPaise: 50_000,
  rateBpsByConditionsMet: [1_300, 1_200, 1_000, 700],
  tenureMonthsByAmount: [
    { upToPaise: 1_000_000, months: 6 },
    { upToPaise: 2_500_000, months: 12 },
    { upToPaise: 4_000_000, months: 18 },
    { upToPaise: 5_000_000, months: 24 },
  ],
};

/**
 * The score's shape is the SPEC formula itself (a 0–1000 scale: tenure weighs 300, worked days and ₹800 days 350
 * each); the thresholds it is measured against come from the rules.
 */
const SCORE_WEIGHTS = { tenure: 300, worked: 350, good: 350 } as const;

export type LoanConditionCode = 'C1' | 'C2' | 'C3';

export interface LoanCondition {
  code: LoanConditionCode;
  met: boolean;
  have: number;
  need: number;
  description: string;
}

export type LoanRefusalCode = 'OPEN_LOAN' | 'LOW_SCORE' | 'LOW_EARNINGS';

/**
 * The rule that refuses a loan, with its figures as numbers beside the English sentence, so an app can say the
 * same in any language.
 */
export type LoanLimitingCondition =
  | { code: 'OPEN_LOAN'; message: string; details: Record<never, never> }
  | { code: 'LOW_SCORE'; message: string; details: { score: number; minScore: number } }
  | {
      code: 'LOW_EARNINGS';
      message: string;
      details: {
        windowDays: number;
        earningsInWindowPaise: number;
        /** The share of those earnings that may be borrowed (50% = 5000) and what it comes to, unrounded. */
        maxShareOfEarningsBps: number;
        sharePaise: number;
        minAmountPaise: number;
      };
    };

export interface LoanEligibilityInput {
  registeredOn: IstDay;
  today: IstDay;
  /** Earnings per IST day; several entries for one day add up. Days outside the window are ignored. */
  dailyEarnings: ReadonlyArray<{ day: IstDay; amountPaise: number }>;
  hasOpenLoan: boolean;
}

export interface LoanEligibility {
  eligible: boolean;
  score: number;
  /** First and last IST day counted: the window clipped at registration. */
  windowFrom: IstDay;
  windowTo: IstDay;
  tenureDays: number;
  workedDays: number;
  goodDays: number;
  conditions: LoanCondition[];
  conditionsMet: number;
  annualRateBps: number;
  earningsInWindowPaise: number;
  /**
   * The largest loan the earnings allow (share of earnings rounded down, capped at the rules' maximum). Computed
   * even when not eligible, so the screen can show it next to the reason.
   */
  maxAmountPaise: number;
  /** The first rule that refuses, or null when eligible. */
  limitingCondition: LoanLimitingCondition | null;
  /** When eligible with a condition unmet: the nearest condition that would lower the rate, in plain words. */
  improvement: string | null;
}

export function loanEligibility(input: LoanEligibilityInput, rules: LoanRules): LoanEligibility {
  const { registeredOn, today } = input;
  // Tenure counts whole days since registration: registered on day D, the worker has 90 days' tenure on D + 90.
  // A registration dated after today (clock skew) counts as no tenure rather than negative.
  const tenureDays = Math.max(0, today - registeredOn);
  const windowTo = today;
  // Days before registration cannot hold earnings that count, so the window starts no earlier than registration.
  const windowFrom = Math.max(today - rules.windowDays + 1, registeredOn);

  const byDay = new Map<IstDay, number>();
  for (const { day, amountPaise } of input.dailyEarnings) {
    if (day < windowFrom || day > windowTo) continue;
    byDay.set(day, (byDay.get(day) ?? 0) + amountPaise);
  }
  let workedDays = 0;
  let goodDays = 0;
  let earningsInWindowPaise = 0;
  for (const amount of byDay.values()) {
    earningsInWindowPaise += amount;
    if (amount > 0) workedDays += 1;
    if (amount >= rules.goodDayPaise) goodDays += 1;
  }

  const score = Math.round(
    SCORE_WEIGHTS.tenure * Math.min(1, tenureDays / rules.minTenureDays) +
      SCORE_WEIGHTS.worked * Math.min(1, workedDays / rules.minWorkedDays) +
      SCORE_WEIGHTS.good * Math.min(1, goodDays / rules.minGoodDays),
  );

  const lastDays = `the last ${rules.windowDays} days`;
  const conditions: LoanCondition[] = [
    {
      code: 'C1',
      met: tenureDays >= rules.minTenureDays,
      have: tenureDays,
      need: rules.minTenureDays,
      description: `With GigBit for at least ${rules.minTenureDays} days`,
    },
    {
      code: 'C2',
      met: workedDays >= rules.minWorkedDays,
      have: workedDays,
      need: rules.minWorkedDays,
      description: `Earned something on at least ${rules.minWorkedDays} of ${lastDays}`,
    },
    {
      code: 'C3',
      met: goodDays >= rules.minGoodDays,
      have: goodDays,
      need: rules.minGoodDays,
      description: `Earned ${rupees(rules.goodDayPaise)} or more on at least ${rules.minGoodDays} of ${lastDays}`,
    },
  ];
  const conditionsMet = conditions.filter((c) => c.met).length;
  const annualRateBps = rateFor(conditionsMet, rules);

  // Floor at every step: the offer never exceeds the stated share, and is a round number of rupees.
  const share = Math.floor((Math.max(0, earningsInWindowPaise) * rules.maxShareOfEarningsBps) / 10_000);
  const maxAmountPaise = Math.min(
    rules.maxAmountPaise,
    Math.floor(share / rules.roundDownToPaise) * rules.roundDownToPaise,
  );

  let limitingCondition: LoanEligibility['limitingCondition'] = null;
  if (input.hasOpenLoan) {
    limitingCondition = { code: 'OPEN_LOAN', message: 'You already have a loan open; repay it first.', details: {} };
  } else if (score < rules.minScore) {
    limitingCondition = {
      code: 'LOW_SCORE',
      message: `Your score is ${score}; you need ${rules.minScore}. Work on more days to raise it.`,
      details: { score, minScore: rules.minScore },
    };
  } else if (maxAmountPaise < rules.minAmountPaise) {
    limitingCondition = {
      code: 'LOW_EARNINGS',
      message:
        `${shareWords(rules.maxShareOfEarningsBps)} of your last ${rules.windowDays} days' earnings is ` +
        `${rupees(share)}; the smallest loan is ${rupees(rules.minAmountPaise)}.`,
      details: {
        windowDays: rules.windowDays,
        earningsInWindowPaise,
        maxShareOfEarningsBps: rules.maxShareOfEarningsBps,
        sharePaise: share,
        minAmountPaise: rules.minAmountPaise,
      },
    };
  }
  const eligible = limitingCondition === null;

  return {
    eligible,
    score,
    windowFrom,
    windowTo,
    tenureDays,
    workedDays,
    goodDays,
    conditions,
    conditionsMet,
    annualRateBps,
    earningsInWindowPaise,
    maxAmountPaise,
    limitingCondition,
    improvement: eligible ? improvementHint(conditions, conditionsMet, rules) : null,
  };
}

function rateFor(conditionsMet: number, rules: LoanRules): number {
  const rate = rules.rateBpsByConditionsMet[conditionsMet];
  if (rate === undefined) throw new RangeError(`no rate for ${conditionsMet} conditions met`);
  return rate;
}

/**
 * The unmet condition closest to being met (fewest days missing; C1 before C2 before C3 on a tie), since that is
 * the quickest way to a lower rate.
 */
function improvementHint(conditions: LoanCondition[], conditionsMet: number, rules: LoanRules): string | null {
  const unmet = conditions.filter((c) => !c.met).sort((a, b) => a.need - a.have - (b.need - b.have));
  const nearest = unmet[0];
  if (!nearest) return null;
  const missing = nearest.need - nearest.have;
  const from = percent(rateFor(conditionsMet, rules));
  const to = percent(rateFor(conditionsMet + 1, rules));
  const lower = `your rate drops from ${from} to ${to}`;
  switch (nearest.code) {
    case 'C1':
      return `In ${days(missing)} you will have been with GigBit for ${nearest.need} days; then ${lower}.`;
    case 'C2':
      return `Earn something on ${missing} more ${dayWord(missing)} in the last ${rules.windowDays} and ${lower}.`;
    case 'C3':
      return (
        `Earn ${rupees(rules.goodDayPaise)} or more on ${missing} more ${dayWord(missing)} ` +
        `in the last ${rules.windowDays} and ${lower}.`
      );
  }
}

/**
 * An amount refused: out of range (with the range in figures), or no amount at all because the worker is not
 * eligible (with the limiting condition's code and figures).
 */
export type LoanAmountProblem =
  | { code: 'AMOUNT_OUT_OF_RANGE'; message: string; details: { minPaise: number; maxPaise: number } }
  | { code: 'NOT_ELIGIBLE'; message: string; details: LimitingConditionDetails };

/** A limiting condition as one flat object: its code under `limitingCondition`, beside its figures. */
export type LimitingConditionDetails = {
  [L in LoanLimitingCondition as L['code']]: { limitingCondition: L['code'] } & L['details'];
}[LoanRefusalCode];

export function limitingConditionDetails(limit: LoanLimitingCondition): LimitingConditionDetails {
  switch (limit.code) {
    case 'OPEN_LOAN':
      return { limitingCondition: limit.code };
    case 'LOW_SCORE':
      return { limitingCondition: limit.code, ...limit.details };
    case 'LOW_EARNINGS':
      return { limitingCondition: limit.code, ...limit.details };
  }
}

/**
 * Why a requested amount cannot be lent, or undefined when it can. Eligibility is checked first: when the worker
 * is not eligible, no amount would do, and the reason is the one the eligibility screen shows.
 */
export function loanAmountProblem(
  amountPaise: number,
  eligibility: LoanEligibility,
  rules: LoanRules,
): LoanAmountProblem | undefined {
  const limit = eligibility.limitingCondition;
  if (limit) {
    return {
      code: 'NOT_ELIGIBLE',
      message: limit.message,
      details: limitingConditionDetails(limit),
    };
  }
  const range = `between ${rupees(rules.minAmountPaise)} and ${rupees(eligibility.maxAmountPaise)}`;
  const details = { minPaise: rules.minAmountPaise, maxPaise: eligibility.maxAmountPaise };
  // Whole rupees only: loans are offered and repaid in rupees; paise appear only in the schedule's interest split.
  if (!Number.isSafeInteger(amountPaise) || amountPaise % 100 !== 0) {
    return { code: 'AMOUNT_OUT_OF_RANGE', message: `Enter a whole number of rupees ${range}.`, details };
  }
  if (amountPaise < rules.minAmountPaise || amountPaise > eligibility.maxAmountPaise) {
    return { code: 'AMOUNT_OUT_OF_RANGE', message: `You can borrow ${range}.`, details };
  }
  return undefined;
}

export function tenureMonthsFor(amountPaise: number, rules: LoanRules): number {
  const table = rules.tenureMonthsByAmount;
  const last = table[table.length - 1];
  if (!last) throw new RangeError('tenureMonthsByAmount is empty');
  return (table.find((row) => amountPaise <= row.upToPaise) ?? last).months;
}

export interface Instalment {
  /** 1-based. */
  number: number;
  /** YYYY-MM-DD (IST calendar date). */
  dueOn: string;
  principalPaise: number;
  interestPaise: number;
  totalPaise: number;
  /** Principal still owed once this instalment is paid. */
  principalAfterPaise: number;
}

export interface EmiSchedule {
  emiPaise: number;
  totalInterestPaise: number;
  instalments: Instalment[];
}

export interface EmiInput {
  principalPaise: number;
  annualRateBps: number;
  months: number;
  /** IST calendar date of disbursal; month is 1–12. */
  disbursedOn: { year: number; month: number; day: number };
}

/**
 * Reducing-balance schedule (SPEC §6). Rounding convention, which reproduces the SPEC example exactly
 * (₹50,000 at 7% for 24 months → EMI ₹2,238.63, total interest ₹3,727.09):
 * - the EMI is the formula P·r·(1+r)^n / ((1+r)^n − 1), r = annual/12, computed in floating point and rounded to
 *   the nearest paisa;
 * - each month's interest is balance × annualBps / 120,000 rounded half-up to the paisa, computed in integers (so
 *   there is no float error: balance × bps stays far below 2^53);
 * - principal = EMI − interest, except the last instalment, which repays exactly the remaining balance plus its
 *   interest, absorbing every rounding difference. The principal parts therefore sum to P exactly.
 * (Rounding interest down gives ₹3,726.98 and up gives ₹3,727.23, so half-up is the convention the SPEC uses.)
 * At 0% the EMI is P / n rounded down, and the last instalment carries the remainder.
 */
export function emiSchedule(input: EmiInput): EmiSchedule {
  const { principalPaise: principal, annualRateBps: bps, months: n } = input;
  if (!Number.isSafeInteger(principal) || principal <= 0) throw new RangeError('principal must be positive paise');
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError('months must be a positive integer');
  if (!Number.isSafeInteger(bps) || bps < 0) throw new RangeError('annual rate must be non-negative basis points');

  let emiPaise: number;
  if (bps === 0) {
    emiPaise = Math.floor(principal / n);
  } else {
    const r = bps / 10_000 / 12;
    const growth = (1 + r) ** n;
    emiPaise = Math.round((principal * r * growth) / (growth - 1));
  }

  const instalments: Instalment[] = [];
  let balance = principal;
  let totalInterestPaise = 0;
  for (let number = 1; number <= n; number++) {
    const interestPaise = monthlyInterest(balance, bps);
    const principalPaise = number === n ? balance : emiPaise - interestPaise;
    balance -= principalPaise;
    totalInterestPaise += interestPaise;
    instalments.push({
      number,
      dueOn: dueDate(input.disbursedOn, number),
      principalPaise,
      interestPaise,
      totalPaise: principalPaise + interestPaise,
      principalAfterPaise: balance,
    });
  }
  return { emiPaise, totalInterestPaise, instalments };
}

/** balance × bps / (12 × 10,000), half-up, in exact integer arithmetic. */
function monthlyInterest(balancePaise: number, annualRateBps: number): number {
  const denominator = 12 * 10_000;
  return Math.floor((2 * balancePaise * annualRateBps + denominator) / (2 * denominator));
}

/**
 * The same day of month as disbursal, `monthsAfter` months later; a day the month lacks becomes its last day
 * (disbursed 31 Jan → 28/29 Feb, then 31 Mar, 30 Apr). Each due date is computed from disbursal, never from the
 * previous due date, so one short month does not pull every later date earlier.
 */
function dueDate(disbursedOn: EmiInput['disbursedOn'], monthsAfter: number): string {
  const monthIndex = disbursedOn.year * 12 + (disbursedOn.month - 1) + monthsAfter;
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(disbursedOn.day, lastDay);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Principal still owed after the first `paidCount` instalments (what an early close repays). */
export function outstandingPrincipal(
  instalments: ReadonlyArray<Pick<Instalment, 'principalPaise'>>,
  paidCount: number,
): number {
  return instalments.slice(Math.max(0, paidCount)).reduce((sum, i) => sum + i.principalPaise, 0);
}

export type ArrearsBucket = '1-30' | '31-60' | '61-90' | '90+';

/** The admin's arrears buckets (SPEC §6); not overdue (0 days or less) is no bucket. */
export function arrearsBucket(daysOverdue: number): ArrearsBucket | null {
  if (daysOverdue <= 0) return null;
  if (daysOverdue <= 30) return '1-30';
  if (daysOverdue <= 60) return '31-60';
  if (daysOverdue <= 90) return '61-90';
  return '90+';
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function dayWord(n: number): string {
  return n === 1 ? 'day' : 'days';
}

function days(n: number): string {
  return `${n} ${dayWord(n)}`;
}

function percent(bps: number): string {
  return `${bps / 100}%`;
}

function shareWords(bps: number): string {
  return bps === 5_000 ? 'Half' : percent(bps);
}

/** ₹ with Indian digit grouping (₹1,00,000); paise shown only when there are any (₹799.99). */
export function rupees(paise: number): string {
  const sign = paise < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(paise));
  const whole = String(Math.floor(abs / 100));
  const fraction = abs % 100;
  const lastThree = whole.slice(-3);
  const rest = whole.slice(0, -3).replace(/\B(?=(\d{2})+$)/g, ',');
  const grouped = rest ? `${rest},${lastThree}` : lastThree;
  return `${sign}₹${grouped}${fraction ? `.${pad2(fraction)}` : ''}`;
}
