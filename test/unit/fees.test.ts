import { withdrawalCharges } from '../../api/domain/fees';

const rules = { serviceFeePaise: 400, insuranceContributionBps: 100 };

describe('withdrawal charges', () => {
  it.each([
    ['₹200, not insured', 20_000, false, { serviceFeePaise: 400, insuranceContributionPaise: 0, netPaise: 19_600 }],
    ['₹200, insured', 20_000, true, { serviceFeePaise: 400, insuranceContributionPaise: 200, netPaise: 19_400 }],
    [
      '₹4,999.99, insured: 1% rounds down to the paisa',
      499_999,
      true,
      { insuranceContributionPaise: 4_999, netPaise: 494_600 },
    ],
    ['₹25,000, insured', 2_500_000, true, { insuranceContributionPaise: 25_000, netPaise: 2_474_600 }],
  ])('%s', (_name, amount, insured, expected) => {
    const charges = withdrawalCharges(amount, insured, rules);
    expect(charges).toMatchObject({ amountPaise: amount, ...expected });
    expect(charges.netPaise + charges.serviceFeePaise + charges.insuranceContributionPaise).toBe(amount);
  });
});
