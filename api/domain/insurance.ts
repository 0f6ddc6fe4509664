import { type IstDay } from './ist';

/**
 * Micro-insurance rules (SPEC §7): whether a claim may be filed, and what a missed premium does to coverage.
 * Pure: the caller supplies coverage periods, earlier claims and the rules (numbers from config).
 */
export type ClaimType = 'vehicle_damage' | 'product_damage_loss';

export interface InsuranceRules {
  /** Premium per IST month. */
  premiumPaise: number;
  /** Days after a missed premium's due day during which coverage continues. */
  graceDays: number;
  /** A claim may be reported at most this many days after the incident (that day included). */
  reportingWindowDays: number;
  claimRules: Record<ClaimType, { payoutPaise: number; maxPerYear: number }>;
  minDocuments: number;
  maxDocuments: number;
}

export const defaultInsuranceRules: InsuranceRules = {
  premiumPaise: 5_000,
  graceDays: 7,
  reportingWindowDays: 30,
  claimRules: {
    vehicle_damage: { payoutPaise: 800_000, maxPerYear: 2 },
    product_damage_loss: { payoutPaise: 300_000, maxPerYear: 3 },
  },
  minDocuments: 1,
  maxDocuments: 3,
};

export type ClaimProblemCode =
  'CLAIM_CAP_REACHED' | 'NOT_COVERED' | 'REPORTED_TOO_LATE' | 'INCIDENT_IN_FUTURE' | 'DOCUMENTS_REQUIRED';

export interface ClaimProblem {
  code: ClaimProblemCode;
  message: string;
}

export interface CoveredPeriod {
  /** First covered IST day. */
  from: IstDay;
  /** Last covered IST day (inclusive), or null while coverage is still running. */
  to: IstDay | null;
}

export interface ClaimInput {
  type: ClaimType;
  incidentOn: IstDay;
  reportedOn: IstDay;
  documents: number;
  coveredPeriods: ReadonlyArray<CoveredPeriod>;
  /** The worker's earlier claims that were not rejected (pending ones count: they may still be paid). */
  claimsThisYear: ReadonlyArray<{ type: ClaimType; incidentYear: number }>;
  /** Calendar year (IST) of this claim's incident: the yearly cap counts claims by incident year. */
  incidentYear: number;
}

const CLAIM_WORDS: Record<ClaimType, string> = {
  vehicle_damage: 'vehicle damage',
  product_damage_loss: 'product damage or loss',
};

/**
 * Why a claim cannot be filed, or undefined when it can. Refusals that no resubmission can fix (a date in the
 * future, reported too late, not covered, the yearly cap) come before missing documents, so a worker is never
 * asked to fix their documents for a claim that would be refused anyway.
 */
export function claimProblem(input: ClaimInput, rules: InsuranceRules): ClaimProblem | undefined {
  if (input.incidentOn > input.reportedOn) {
    return {
      code: 'INCIDENT_IN_FUTURE',
      message: 'The incident date is in the future. Enter the day it happened.',
    };
  }
  const daysSince = input.reportedOn - input.incidentOn;
  if (daysSince > rules.reportingWindowDays) {
    return {
      code: 'REPORTED_TOO_LATE',
      message:
        `Claims must be reported within ${rules.reportingWindowDays} days of the incident; ` +
        `this one happened ${daysSince} days ago.`,
    };
  }
  if (!isCoveredOn(input.incidentOn, input.coveredPeriods)) {
    return {
      code: 'NOT_COVERED',
      message: `You were not insured on ${calendarDate(input.incidentOn)}, the day of the incident.`,
    };
  }
  const { maxPerYear } = rules.claimRules[input.type];
  const earlier = input.claimsThisYear.filter(
    (c) => c.type === input.type && c.incidentYear === input.incidentYear,
  ).length;
  if (earlier >= maxPerYear) {
    return {
      code: 'CLAIM_CAP_REACHED',
      message:
        `You have already claimed ${CLAIM_WORDS[input.type]} ${times(earlier)} in ${input.incidentYear} ` +
        `(the limit is ${maxPerYear}).`,
    };
  }
  if (
    !Number.isInteger(input.documents) ||
    input.documents < rules.minDocuments ||
    input.documents > rules.maxDocuments
  ) {
    return {
      code: 'DOCUMENTS_REQUIRED',
      message: `Attach ${rules.minDocuments} to ${rules.maxDocuments} proof documents (photos or PDFs); you attached ${input.documents}.`,
    };
  }
  return undefined;
}

export function isCoveredOn(day: IstDay, periods: ReadonlyArray<CoveredPeriod>): boolean {
  return periods.some((p) => p.from <= day && (p.to === null || day <= p.to));
}

/** The IST calendar year an IST day falls in (the year the yearly claim caps count by). */
export function istYear(day: IstDay): number {
  return calendarParts(day).year;
}

/**
 * After a premium could not be paid on `dueOn`, coverage continues for `graceDays` days (the due day counts as
 * the first): with 7 days' grace, a premium due on the 1st keeps cover through the 7th and lapses on the 8th.
 */
export function coverageAfterMissedPremium(dueOn: IstDay, today: IstDay, rules: InsuranceRules): 'grace' | 'lapsed' {
  return today - dueOn < rules.graceDays ? 'grace' : 'lapsed';
}

function times(n: number): string {
  if (n === 1) return 'once';
  if (n === 2) return 'twice';
  return `${n} times`;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

function calendarParts(day: IstDay): { year: number; month: number; date: number } {
  // An IstDay counts IST calendar days from 1970-01-01, so read as UTC days it lands on the same calendar date.
  const utc = new Date(day * 24 * 60 * 60 * 1000);
  return { year: utc.getUTCFullYear(), month: utc.getUTCMonth(), date: utc.getUTCDate() };
}

function calendarDate(day: IstDay): string {
  const { year, month, date } = calendarParts(day);
  return `${date} ${MONTHS[month]} ${year}`;
}
