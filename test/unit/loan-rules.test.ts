import fc from 'fast-check';
import { istDay } from '../../api/domain/ist';
import {
  arrearsBucket,
  defaultLoanRules as rules,
  emiSchedule,
  loanAmountProblem,
  loanEligibility,
  outstandingPrincipal,
  rupees,
  tenureMonthsFor,
  type LoanEligibility,
} from '../../api/domain/loan';

// All days are IST days counted back from "today"; the window is today − 89 … today.
const today = istDay(new Date('2027-03-31T12:00:00+05:30'));
type Earning = { day: number; amountPaise: number };

/** `count` consecutive days of `amountPaise`, the last of them `endingDaysAgo` days before today. */
const earn = (count: number, amountPaise: number, endingDaysAgo = 0): Earning[] =>
  Array.from({ length: count }, (_, i) => ({ day: today - endingDaysAgo - i, amountPaise }));

const worker = (registeredDaysAgo: number, dailyEarnings: Earning[], hasOpenLoan = false) =>
  loanEligibility({ registeredOn: today - registeredDaysAgo, today, dailyEarnings, hasOpenLoan }, rules);

const conditionsOf = (e: LoanEligibility) => Object.fromEntries(e.conditions.map((c) => [c.code, c.met]));

describe('loan eligibility', () => {
  it.each<[string, number, Earning[], Partial<LoanEligibility>, Record<string, boolean>]>([
    [
      'a new worker (10 days, ₹1,000 a day): C1 unmet, score too low',
      10,
      earn(10, 100_000),
      // 300·10/90 + 350·10/75 + 350·10/75 = 126.67
      { score: 127, tenureDays: 10, workedDays: 10, goodDays: 10, eligible: false, annualRateBps: 1_300 },
      { C1: false, C2: false, C3: false },
    ],
    [
      'exactly 90 days registered, earning every day: all three conditions, score 1000, 7%',
      90,
      earn(90, 100_000),
      {
        score: 1_000,
        tenureDays: 90,
        workedDays: 90,
        goodDays: 90,
        conditionsMet: 3,
        annualRateBps: 700,
        earningsInWindowPaise: 9_000_000,
        maxAmountPaise: 4_500_000,
        eligible: true,
        limitingCondition: null,
        improvement: null,
      },
      { C1: true, C2: true, C3: true },
    ],
    [
      '89 days registered: C1 not yet met, 10%',
      89,
      earn(90, 100_000),
      // The registration day is the window's first day, so all 90 days count.
      { score: 997, tenureDays: 89, workedDays: 90, conditionsMet: 2, annualRateBps: 1_000, eligible: true },
      { C1: false, C2: true, C3: true },
    ],
    [
      '75 days worked (₹500 each): C2 met, C3 not',
      400,
      earn(75, 50_000),
      { score: 650, workedDays: 75, goodDays: 0, conditionsMet: 2, annualRateBps: 1_000 },
      { C1: true, C2: true, C3: false },
    ],
    [
      '74 days worked: C2 unmet (345.33 rounds to 645)',
      400,
      earn(74, 50_000),
      { score: 645, workedDays: 74, conditionsMet: 1, annualRateBps: 1_200 },
      { C1: true, C2: false, C3: false },
    ],
    [
      '75 days at ₹799.99: not good days',
      400,
      earn(75, 79_999),
      { score: 650, goodDays: 0, conditionsMet: 2, annualRateBps: 1_000 },
      { C1: true, C2: true, C3: false },
    ],
    [
      '75 days at exactly ₹800: good days',
      400,
      earn(75, 80_000),
      { score: 1_000, goodDays: 75, conditionsMet: 3, annualRateBps: 700 },
      { C1: true, C2: true, C3: true },
    ],
    [
      'no conditions met but a score over 300: 13%',
      89,
      earn(74, 79_999),
      // 296.67 + 345.33 + 0
      { score: 642, conditionsMet: 0, annualRateBps: 1_300, eligible: true },
      { C1: false, C2: false, C3: false },
    ],
    [
      'registration inside the window: earlier days do not count',
      30,
      earn(90, 100_000),
      {
        windowFrom: today - 30,
        windowTo: today,
        tenureDays: 30,
        workedDays: 31,
        goodDays: 31,
        earningsInWindowPaise: 3_100_000,
        score: 389, // 100 + 144.67 + 144.67 = 389.33
      },
      { C1: false, C2: false, C3: false },
    ],
    [
      'earnings older than 90 days do not count',
      400,
      [...earn(75, 100_000, 90), ...earn(1, 100_000)],
      { windowFrom: today - 89, workedDays: 1, earningsInWindowPaise: 100_000 },
      { C1: true, C2: false, C3: false },
    ],
    [
      'several entries on one day add up to one good day',
      400,
      [...earn(1, 40_000), ...earn(1, 40_000)],
      { workedDays: 1, goodDays: 1, earningsInWindowPaise: 80_000 },
      { C1: true, C2: false, C3: false },
    ],
    [
      'score rounding: 3.33 + 4.67 + 4.67 = 12.67 → 13',
      1,
      earn(1, 100_000),
      { score: 13 },
      { C1: false, C2: false, C3: false },
    ],
    [
      'score rounding: 150 + 4.67 = 154.67 → 155',
      45,
      earn(1, 100),
      { score: 155 },
      { C1: false, C2: false, C3: false },
    ],
    [
      'score rounding: 150 + 9.33 = 159.33 → 159',
      45,
      earn(2, 100),
      { score: 159 },
      { C1: false, C2: false, C3: false },
    ],
  ])('%s', (_name, registeredDaysAgo, earnings, expected, conditions) => {
    const eligibility = worker(registeredDaysAgo, earnings);
    expect(eligibility).toMatchObject(expected);
    expect(conditionsOf(eligibility)).toEqual(conditions);
  });

  it.each([
    [3, 700],
    [2, 1_000],
    [1, 1_200],
    [0, 1_300],
  ])('%i conditions met → %i bps', (met, bps) => {
    const registeredDaysAgo = met >= 1 ? 400 : 89;
    const days = met >= 2 ? 75 : 74;
    const amount = met >= 3 ? 80_000 : 79_999;
    const eligibility = worker(registeredDaysAgo, earn(days, amount));
    expect(eligibility.conditionsMet).toBe(met);
    expect(eligibility.annualRateBps).toBe(bps);
  });

  it('describes each condition with what the worker has and needs', () => {
    expect(worker(40, earn(30, 50_000)).conditions).toEqual([
      { code: 'C1', met: false, have: 40, need: 90, description: 'With GigBit for at least 90 days' },
      {
        code: 'C2',
        met: false,
        have: 30,
        need: 75,
        description: 'Earned something on at least 75 of the last 90 days',
      },
      {
        code: 'C3',
        met: false,
        have: 0,
        need: 75,
        description: 'Earned ₹800 or more on at least 75 of the last 90 days',
      },
    ]);
  });

  // 74 days of ₹100 give a score of 645 (C1 met, C2 not) and ₹7,400; one more day brings the total to `total`.
  const withTotal = (total: number) => [...earn(74, 10_000), { day: today - 80, amountPaise: total - 740_000 }];

  it.each([
    ['half of ₹24,691.34 is ₹12,345.67: rounded down to ₹12,000', withTotal(2_469_134), 1_200_000, true],
    ['half is exactly ₹5,000: the smallest loan', withTotal(1_000_000), 500_000, true],
    ['half is ₹4,999.99: rounded down to ₹4,500, too little', withTotal(999_998), 450_000, false],
    ['₹2,000 a day for 90 days: half is ₹90,000, capped at ₹50,000', earn(90, 200_000), 5_000_000, true],
    ['₹1,111.11 a day for 90 days: half is ₹49,999.95, rounded to ₹49,500', earn(90, 111_111), 4_950_000, true],
  ])('max amount: %s', (_name, earnings, maxAmountPaise, eligible) => {
    expect(worker(400, earnings)).toMatchObject({ maxAmountPaise, eligible });
  });

  it.each<[string, number, Earning[], boolean, LoanEligibility['limitingCondition']]>([
    [
      'an open loan refuses even a perfect record',
      400,
      earn(90, 200_000),
      true,
      { code: 'OPEN_LOAN', message: 'You already have a loan open; repay it first.', details: {} },
    ],
    [
      'an open loan is named before a low score',
      10,
      earn(10, 100_000),
      true,
      { code: 'OPEN_LOAN', message: 'You already have a loan open; repay it first.', details: {} },
    ],
    [
      'a low score (60 days registered, 10 days worked: 200 + 46.67 + 0 → 247)',
      60,
      earn(10, 10_000),
      false,
      {
        code: 'LOW_SCORE',
        message: 'Your score is 247; you need 300. Work on more days to raise it.',
        details: { score: 247, minScore: 300 },
      },
    ],
    [
      'a score of 299 is one short',
      28,
      earn(22, 100_000),
      false,
      // 93.33 + 102.67 + 102.67 = 298.67 → 299
      {
        code: 'LOW_SCORE',
        message: 'Your score is 299; you need 300. Work on more days to raise it.',
        details: { score: 299, minScore: 300 },
      },
    ],
    [
      'low earnings: half is ₹2,000',
      400,
      [...earn(74, 1_000), { day: today - 80, amountPaise: 326_000 }],
      false,
      {
        code: 'LOW_EARNINGS',
        message: "Half of your last 90 days' earnings is ₹2,000; the smallest loan is ₹5,000.",
        details: {
          windowDays: 90,
          earningsInWindowPaise: 400_000,
          maxShareOfEarningsBps: 5_000,
          sharePaise: 200_000,
          minAmountPaise: 500_000,
        },
      },
    ],
    [
      'low earnings: half is ₹4,999.99',
      400,
      withTotal(999_998),
      false,
      {
        code: 'LOW_EARNINGS',
        message: "Half of your last 90 days' earnings is ₹4,999.99; the smallest loan is ₹5,000.",
        details: {
          windowDays: 90,
          earningsInWindowPaise: 999_998,
          maxShareOfEarningsBps: 5_000,
          sharePaise: 499_999,
          minAmountPaise: 500_000,
        },
      },
    ],
  ])('refusal: %s', (_name, registeredDaysAgo, earnings, hasOpenLoan, limitingCondition) => {
    const eligibility = worker(registeredDaysAgo, earnings, hasOpenLoan);
    expect(eligibility.eligible).toBe(false);
    expect(eligibility.limitingCondition).toEqual(limitingCondition);
    expect(eligibility.improvement).toBeNull();
  });

  it('a score of exactly 300 is enough', () => {
    // 300·90/90 + 0 + 0: tenure alone, but nothing earned → refused for earnings, not for the score.
    expect(worker(90, [])).toMatchObject({ score: 300, limitingCondition: { code: 'LOW_EARNINGS' } });
  });

  it.each([
    [
      'C1 is 10 days away',
      80,
      earn(81, 100_000),
      'In 10 days you will have been with GigBit for 90 days; then your rate drops from 10% to 7%.',
    ],
    [
      'C3 (3 days short) is nearer than C1 (5 days away)',
      85,
      [...earn(72, 80_000), ...earn(14, 50_000, 72)],
      'Earn ₹800 or more on 3 more days in the last 90 and your rate drops from 12% to 10%.',
    ],
    [
      'C2 and C3 each one day short: C2 is named first',
      400,
      earn(74, 100_000),
      'Earn something on 1 more day in the last 90 and your rate drops from 12% to 10%.',
    ],
    ['nothing to improve at 7%', 400, earn(90, 100_000), null],
  ])('improvement: %s', (_name, registeredDaysAgo, earnings, improvement) => {
    const eligibility = worker(registeredDaysAgo, earnings);
    expect(eligibility.eligible).toBe(true);
    expect(eligibility.improvement).toBe(improvement);
  });
});

describe('requested loan amount', () => {
  const eligible = worker(400, withMax(2_000_000));
  function withMax(maxPaise: number) {
    return earn(80, (maxPaise * 2) / 80);
  }

  it.each([
    ['the smallest loan', 500_000, undefined],
    ['the largest offer', 2_000_000, undefined],
    ['₹4,999: below the smallest loan', 499_900, 'AMOUNT_OUT_OF_RANGE'],
    ['₹20,001: above the offer', 2_000_100, 'AMOUNT_OUT_OF_RANGE'],
    ['₹5,000.50: not whole rupees', 500_050, 'AMOUNT_OUT_OF_RANGE'],
    ['a fraction of a paisa', 500_000.5, 'AMOUNT_OUT_OF_RANGE'],
  ])('%s', (_name, amount, code) => {
    expect(eligible.maxAmountPaise).toBe(2_000_000);
    expect(loanAmountProblem(amount, eligible, rules)?.code).toBe(code);
  });

  it('says the range in rupees, and in figures', () => {
    expect(loanAmountProblem(2_000_100, eligible, rules)).toEqual({
      code: 'AMOUNT_OUT_OF_RANGE',
      message: 'You can borrow between ₹5,000 and ₹20,000.',
      details: { minPaise: 500_000, maxPaise: 2_000_000 },
    });
    expect(loanAmountProblem(500_050, eligible, rules)).toEqual({
      code: 'AMOUNT_OUT_OF_RANGE',
      message: 'Enter a whole number of rupees between ₹5,000 and ₹20,000.',
      details: { minPaise: 500_000, maxPaise: 2_000_000 },
    });
  });

  it('refuses any amount when not eligible, with the eligibility reason and its figures', () => {
    const refused = worker(400, withMax(2_000_000), true);
    expect(loanAmountProblem(500_000, refused, rules)).toEqual({
      code: 'NOT_ELIGIBLE',
      message: 'You already have a loan open; repay it first.',
      details: { limitingCondition: 'OPEN_LOAN' },
    });
    expect(loanAmountProblem(500_000, worker(60, earn(10, 10_000)), rules)).toEqual({
      code: 'NOT_ELIGIBLE',
      message: 'Your score is 247; you need 300. Work on more days to raise it.',
      details: { limitingCondition: 'LOW_SCORE', score: 247, minScore: 300 },
    });
  });
});

describe('tenure by amount', () => {
  it.each([
    [500_000, 6],
    [1_000_000, 6],
    [1_000_001, 12],
    [2_500_000, 12],
    [2_500_001, 18],
    [4_000_000, 18],
    [4_000_001, 24],
    [5_000_000, 24],
    [9_000_000, 24], // the last row catches everything above it
  ])('%i paise → %i months', (amount, months) => {
    expect(tenureMonthsFor(amount, rules)).toBe(months);
  });
});

describe('arrears buckets', () => {
  it.each([
    [-3, null],
    [0, null],
    [1, '1-30'],
    [30, '1-30'],
    [31, '31-60'],
    [60, '31-60'],
    [61, '61-90'],
    [90, '61-90'],
    [91, '90+'],
    [400, '90+'],
  ])('%i days overdue → %s', (daysOverdue, bucket) => {
    expect(arrearsBucket(daysOverdue)).toBe(bucket);
  });
});

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const disbursedOn = { year: 2027, month: 1, day: 31 };

describe('EMI schedule', () => {
  it('SPEC example: ₹50,000 at 7% for 24 months → EMI ₹2,238.63, interest ₹3,727.09', () => {
    const s = emiSchedule({ principalPaise: 5_000_000, annualRateBps: 700, months: 24, disbursedOn });
    expect(s.emiPaise).toBe(223_863);
    expect(s.totalInterestPaise).toBe(372_709);
    expect(s.instalments).toHaveLength(24);
    expect(sum(s.instalments.map((i) => i.principalPaise))).toBe(5_000_000);
    expect(sum(s.instalments.map((i) => i.interestPaise))).toBe(372_709);
    expect(sum(s.instalments.map((i) => i.totalPaise))).toBe(5_372_709);
    expect(s.instalments[0]).toMatchObject({
      number: 1,
      principalPaise: 194_696,
      interestPaise: 29_167, // 5,000,000 × 7% / 12 = 29,166.67
      totalPaise: 223_863,
      principalAfterPaise: 4_805_304,
    });
    expect(s.instalments.slice(0, 23).every((i) => i.totalPaise === 223_863)).toBe(true);
    // The last instalment repays exactly what is left: 3 paise less than the EMI.
    expect(s.instalments[23]).toEqual({
      number: 24,
      dueOn: '2029-01-31',
      principalPaise: 222_562,
      interestPaise: 1_298,
      totalPaise: 223_860,
      principalAfterPaise: 0,
    });
  });

  it('₹10,000 at 13% for 6 months', () => {
    const s = emiSchedule({ principalPaise: 1_000_000, annualRateBps: 1_300, months: 6, disbursedOn });
    expect(s.emiPaise).toBe(173_043);
    expect(s.totalInterestPaise).toBe(38_257);
    expect(s.instalments.map((i) => [i.principalPaise, i.interestPaise, i.principalAfterPaise])).toEqual([
      [162_210, 10_833, 837_790],
      [163_967, 9_076, 673_823],
      [165_743, 7_300, 508_080],
      [167_539, 5_504, 340_541],
      [169_354, 3_689, 171_187],
      [171_187, 1_855, 0],
    ]);
    expect(sum(s.instalments.map((i) => i.principalPaise))).toBe(1_000_000);
    expect(sum(s.instalments.map((i) => i.totalPaise))).toBe(1_038_257);
  });

  it('0%: equal parts, the remainder in the last instalment', () => {
    const s = emiSchedule({ principalPaise: 1_000_000, annualRateBps: 0, months: 6, disbursedOn });
    expect(s.emiPaise).toBe(166_666);
    expect(s.totalInterestPaise).toBe(0);
    expect(s.instalments.map((i) => i.totalPaise)).toEqual([166_666, 166_666, 166_666, 166_666, 166_666, 166_670]);
    expect(s.instalments.every((i) => i.interestPaise === 0)).toBe(true);
  });

  it('due dates keep the day of month, clamped to short months (from disbursal, not from the last due date)', () => {
    const s = emiSchedule({ principalPaise: 5_000_000, annualRateBps: 700, months: 24, disbursedOn });
    expect(s.instalments.slice(0, 4).map((i) => i.dueOn)).toEqual([
      '2027-02-28',
      '2027-03-31',
      '2027-04-30',
      '2027-05-31',
    ]);
    expect(s.instalments[12]?.dueOn).toBe('2028-02-29'); // leap year
    expect(s.instalments[13]?.dueOn).toBe('2028-03-31');
  });

  it('due dates roll over the year', () => {
    const s = emiSchedule({
      principalPaise: 1_000_000,
      annualRateBps: 1_300,
      months: 6,
      disbursedOn: { year: 2027, month: 12, day: 15 },
    });
    expect(s.instalments.map((i) => i.dueOn)).toEqual([
      '2028-01-15',
      '2028-02-15',
      '2028-03-15',
      '2028-04-15',
      '2028-05-15',
      '2028-06-15',
    ]);
  });

  it('refuses a non-integer principal or tenure', () => {
    expect(() => emiSchedule({ principalPaise: 100.5, annualRateBps: 700, months: 6, disbursedOn })).toThrow(
      RangeError,
    );
    expect(() => emiSchedule({ principalPaise: 100_000, annualRateBps: 700, months: 0, disbursedOn })).toThrow(
      RangeError,
    );
  });

  it('holds for any amount, rate and tenure the rules allow', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5_000, max: 50_000 }).map((rupees) => rupees * 100),
        fc.constantFrom(700, 1_000, 1_200, 1_300),
        fc.constantFrom(6, 12, 18, 24),
        (principalPaise, annualRateBps, months) => {
          const s = emiSchedule({ principalPaise, annualRateBps, months, disbursedOn });
          const { instalments } = s;
          expect(instalments).toHaveLength(months);
          expect(sum(instalments.map((i) => i.principalPaise))).toBe(principalPaise);
          expect(sum(instalments.map((i) => i.interestPaise))).toBe(s.totalInterestPaise);
          // Every instalment but the last is the EMI itself; the last absorbs the rounding, a few paise either way.
          expect(instalments.slice(0, -1).every((i) => i.totalPaise === s.emiPaise)).toBe(true);
          for (const i of instalments) {
            expect(i.interestPaise).toBeGreaterThanOrEqual(0);
            expect(i.principalPaise).toBeGreaterThan(0);
            expect(Number.isInteger(i.principalPaise) && Number.isInteger(i.interestPaise)).toBe(true);
          }
          const last = instalments[months - 1];
          expect(last?.principalAfterPaise).toBe(0);
          expect(Math.abs((last?.totalPaise ?? 0) - s.emiPaise)).toBeLessThanOrEqual(months);
        },
      ),
    );
  });

  it('outstanding principal after some instalments is what an early close repays', () => {
    const { instalments } = emiSchedule({ principalPaise: 1_000_000, annualRateBps: 1_300, months: 6, disbursedOn });
    expect(outstandingPrincipal(instalments, 0)).toBe(1_000_000);
    expect(outstandingPrincipal(instalments, 2)).toBe(673_823);
    expect(outstandingPrincipal(instalments, 6)).toBe(0);
  });
});

describe('rupees', () => {
  it.each([
    [0, '₹0'],
    [79_999, '₹799.99'],
    [500_000, '₹5,000'],
    [5_000_000, '₹50,000'],
    [10_000_000, '₹1,00,000'],
    [1_234_567_801, '₹1,23,45,678.01'],
  ])('%i paise → %s', (paise, text) => {
    expect(rupees(paise)).toBe(text);
  });
});
