import { allowanceOn, type AccruingPurchase } from '../../api/domain/allowance';
import { istDay, istDayStart } from '../../api/domain/ist';

// Day 1 is the purchase day of the first purchase; all days are IST days.
const day1 = istDay(new Date('2026-11-01T10:00:00+05:30'));
const on = (n: number) => day1 + n - 1;
const plan = (purchasedOnDay: number): AccruingPurchase => ({
  purchaseDay: on(purchasedOnDay),
  validDays: 30,
  perDay: 2,
});

describe('withdrawal allowance with rollover', () => {
  it.each<[string, AccruingPurchase[], number, number, Partial<ReturnType<typeof allowanceOn>>]>([
    [
      'no plan: nothing to withdraw',
      [],
      0,
      1,
      { accrued: 0, available: 0, todayBase: 0, rollover: 0, nextAccrualAt: null },
    ],
    [
      'the purchase day: 2 today, nothing rolled over',
      [plan(1)],
      0,
      1,
      { accrued: 2, available: 2, todayBase: 2, rollover: 0 },
    ],
    [
      'day 5 with 3 used: 10 accrued, 7 left = 2 today + 5 rolled over',
      [plan(1)],
      3,
      5,
      { accrued: 10, available: 7, todayBase: 2, rollover: 5 },
    ],
    [
      'day 5 with 9 used: only 1 left, all of it from today',
      [plan(1)],
      9,
      5,
      { available: 1, todayBase: 1, rollover: 0 },
    ],
    [
      'the last accrual day (day 30): 60 accrued',
      [plan(1)],
      10,
      30,
      { accrued: 60, available: 50, todayBase: 2, rollover: 48 },
    ],
    [
      'after expiry (day 40, 50 used): 10 left, none new',
      [plan(1)],
      50,
      40,
      { accrued: 60, available: 10, todayBase: 0, rollover: 10, nextAccrualAt: null },
    ],
    [
      'two stacked purchases (day 1 and day 3), on day 3: 6 + 2',
      [plan(1), plan(3)],
      0,
      3,
      { accrued: 8, available: 8, todayBase: 4, rollover: 4 },
    ],
    [
      'stacked, day 31: the first expired, the second still accrues',
      [plan(1), plan(3)],
      0,
      31,
      { accrued: 60 + 58, todayBase: 2 },
    ],
    ['a purchase dated in the future accrues nothing yet', [plan(5)], 0, 4, { accrued: 0, available: 0 }],
    ['more used than accrued never shows negative', [plan(1)], 5, 1, { available: 0, todayBase: 0, rollover: 0 }],
  ])('%s', (_name, purchases, used, day, expected) => {
    expect(allowanceOn(purchases, used, on(day))).toMatchObject(expected);
  });

  it('says when the next withdrawals accrue: the coming IST midnight', () => {
    const { nextAccrualAt } = allowanceOn([plan(1)], 0, on(5));
    expect(nextAccrualAt).toEqual(istDayStart(on(6)));
    expect(nextAccrualAt?.toISOString()).toBe('2026-11-05T18:30:00.000Z');
    expect(allowanceOn([plan(1)], 0, on(30)).nextAccrualAt).toBeNull();
  });
});

describe('IST days', () => {
  it('turns over at IST midnight, not UTC midnight', () => {
    expect(istDay(new Date('2026-11-01T18:29:59Z'))).toBe(istDay(new Date('2026-11-01T00:00:00+05:30')));
    expect(istDay(new Date('2026-11-01T18:30:00Z'))).toBe(istDay(new Date('2026-11-01T00:00:00+05:30')) + 1);
  });
});
