import {
  claimProblem,
  coverageAfterMissedPremium,
  defaultInsuranceRules as rules,
  istYear,
  type ClaimInput,
  type ClaimProblemCode,
} from '../../api/domain/insurance';
import { istDay } from '../../api/domain/ist';

const on = (date: string) => istDay(new Date(`${date}T12:00:00+05:30`));

// Insured from 1 Jan 2027, lapsed 8 Feb – 4 Mar 2027 (premium unpaid), insured again from 5 Mar 2027.
const coveredPeriods = [
  { from: on('2027-01-01'), to: on('2027-02-07') },
  { from: on('2027-03-05'), to: null },
];

const claim = (overrides: Partial<ClaimInput>): ClaimInput => ({
  type: 'vehicle_damage',
  incidentOn: on('2027-03-10'),
  reportedOn: on('2027-03-12'),
  documents: 1,
  coveredPeriods,
  claimsThisYear: [],
  incidentYear: 2027,
  ...overrides,
});

const vehicle = (incidentYear: number) => ({ type: 'vehicle_damage' as const, incidentYear });
const product = (incidentYear: number) => ({ type: 'product_damage_loss' as const, incidentYear });

describe('insurance claim rules', () => {
  it.each<[string, Partial<ClaimInput>, ClaimProblemCode | undefined]>([
    ['a covered incident reported two days later', {}, undefined],
    ['reported on the day of the incident', { reportedOn: on('2027-03-10') }, undefined],
    ['an incident after the report date', { incidentOn: on('2027-03-13') }, 'INCIDENT_IN_FUTURE'],
    ['reported on day 30', { reportedOn: on('2027-04-09') }, undefined],
    ['reported on day 31', { reportedOn: on('2027-04-10') }, 'REPORTED_TOO_LATE'],
    [
      'an incident before opting in',
      { incidentOn: on('2026-12-31'), reportedOn: on('2027-01-05'), incidentYear: 2026 },
      'NOT_COVERED',
    ],
    ['the first covered day', { incidentOn: on('2027-01-01'), reportedOn: on('2027-01-02') }, undefined],
    ['the last day before the lapse', { incidentOn: on('2027-02-07'), reportedOn: on('2027-02-10') }, undefined],
    ['the first day of the lapse', { incidentOn: on('2027-02-08'), reportedOn: on('2027-02-10') }, 'NOT_COVERED'],
    ['during the lapse', { incidentOn: on('2027-02-20'), reportedOn: on('2027-02-21') }, 'NOT_COVERED'],
    ['the day before cover resumed', { incidentOn: on('2027-03-04') }, 'NOT_COVERED'],
    ['the day cover resumed', { incidentOn: on('2027-03-05') }, undefined],
    ['no periods at all: never insured', { coveredPeriods: [] }, 'NOT_COVERED'],
    ['one earlier vehicle claim this year', { claimsThisYear: [vehicle(2027)] }, undefined],
    ['two earlier vehicle claims this year', { claimsThisYear: [vehicle(2027), vehicle(2027)] }, 'CLAIM_CAP_REACHED'],
    [
      'two vehicle claims, one of them last year: caps count per calendar year',
      { claimsThisYear: [vehicle(2026), vehicle(2027)] },
      undefined,
    ],
    [
      'three product claims do not use up the vehicle cap: caps count per type',
      { claimsThisYear: [product(2027), product(2027), product(2027)] },
      undefined,
    ],
    [
      'a third product claim is allowed',
      { type: 'product_damage_loss', claimsThisYear: [product(2027), product(2027), vehicle(2027)] },
      undefined,
    ],
    [
      'a fourth product claim is not',
      { type: 'product_damage_loss', claimsThisYear: [product(2027), product(2027), product(2027)] },
      'CLAIM_CAP_REACHED',
    ],
    ['no documents', { documents: 0 }, 'DOCUMENTS_REQUIRED'],
    ['three documents', { documents: 3 }, undefined],
    ['four documents', { documents: 4 }, 'DOCUMENTS_REQUIRED'],
    [
      'reported too late and without documents: the lateness is what cannot be fixed',
      { reportedOn: on('2027-04-10'), documents: 0 },
      'REPORTED_TOO_LATE',
    ],
    [
      'not covered and over the cap: not covered is named first',
      { incidentOn: on('2027-02-20'), reportedOn: on('2027-02-21'), claimsThisYear: [vehicle(2027), vehicle(2027)] },
      'NOT_COVERED',
    ],
  ])('%s', (_name, overrides, code) => {
    expect(claimProblem(claim(overrides), rules)?.code).toBe(code);
  });

  it.each<[Partial<ClaimInput>, string]>([
    [{ incidentOn: on('2027-03-13') }, 'The incident date is in the future. Enter the day it happened.'],
    [
      { reportedOn: on('2027-04-10') },
      'Claims must be reported within 30 days of the incident; this one happened 31 days ago.',
    ],
    [{ incidentOn: on('2027-02-20') }, 'You were not insured on 20 February 2027, the day of the incident.'],
    [
      { claimsThisYear: [vehicle(2027), vehicle(2027)] },
      'You have already claimed vehicle damage twice in 2027 (the limit is 2).',
    ],
    [
      { type: 'product_damage_loss', claimsThisYear: [product(2027), product(2027), product(2027)] },
      'You have already claimed product damage or loss 3 times in 2027 (the limit is 3).',
    ],
    [{ documents: 4 }, 'Attach 1 to 3 proof documents (photos or PDFs); you attached 4.'],
  ])('says why in plain words: %j', (overrides, message) => {
    expect(claimProblem(claim(overrides), rules)?.message).toBe(message);
  });

  it('takes the cap from the rules', () => {
    const strict = {
      ...rules,
      claimRules: { ...rules.claimRules, vehicle_damage: { payoutPaise: 800_000, maxPerYear: 1 } },
    };
    expect(claimProblem(claim({ claimsThisYear: [vehicle(2027)] }), strict)).toEqual({
      code: 'CLAIM_CAP_REACHED',
      message: 'You have already claimed vehicle damage once in 2027 (the limit is 1).',
    });
  });
});

describe('coverage after a missed premium', () => {
  const due = on('2027-03-01');
  it.each([
    ['the due day', '2027-03-01', 'grace'],
    ['day 7 of grace', '2027-03-07', 'grace'],
    ['the day after 7 days of grace', '2027-03-08', 'lapsed'],
    ['weeks later', '2027-03-30', 'lapsed'],
  ])('%s → %s', (_name, today, status) => {
    expect(coverageAfterMissedPremium(due, on(today), rules)).toBe(status);
  });
});

describe('IST calendar year of an incident', () => {
  it.each([
    ['2027-12-31T23:59:00+05:30', 2027],
    ['2028-01-01T00:10:00+05:30', 2028], // still 31 Dec in UTC
  ])('%s → %i', (at, year) => {
    expect(istYear(istDay(new Date(at)))).toBe(year);
  });
});
