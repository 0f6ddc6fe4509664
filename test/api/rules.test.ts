import { bearer, createHarness, signInFundedWorker, type Harness } from '../helpers/harness';

/** GET /v1/rules: the figures a worker is told, straight from the configuration (SPEC's defaults, or overrides). */
describe('GET /v1/rules', () => {
  let defaults: Harness;
  let overridden: Harness;
  beforeAll(async () => {
    [defaults, overridden] = await Promise.all([
      createHarness(),
      createHarness({
        env: {
          WITHDRAWAL_MIN_PAISE: '50000',
          WITHDRAWAL_MAX_PAISE: '1000000',
          WITHDRAWAL_SERVICE_FEE_PAISE: '500',
          INSURANCE_CONTRIBUTION_BPS: '150',
          WITHDRAWAL_AUTO_APPROVE_BELOW_PAISE: '300000',
          LOAN_MIN_PAISE: '200000',
          LOAN_MAX_PAISE: '8000000',
          LOAN_FOUR_EYES_FROM_PAISE: '4000000',
          LOAN_LATE_FEE_PAISE: '15000',
          INSURANCE_PREMIUM_PAISE: '7500',
          INSURANCE_GRACE_DAYS: '10',
          DOCUMENT_MAX_BYTES: String(2 * 1024 * 1024),
          DELETION_GRACE_MS: String(36 * 60 * 60 * 1000),
        },
      }),
    ]);
  });
  afterAll(() => Promise.all([defaults?.close(), overridden?.close()]));

  const rulesOf = async (h: Harness) => {
    const response = await h.api.app.inject({ method: 'GET', url: '/v1/rules' });
    expect(response.statusCode).toBe(200);
    return response.json<Record<string, unknown>>();
  };

  it('gives every rule the worker app words, with the SPEC defaults, to anyone (no sign-in)', async () => {
    expect(await rulesOf(defaults)).toEqual({
      currency: 'INR',
      withdrawal: {
        minPaise: 20_000,
        maxPaise: 2_500_000,
        serviceFeePaise: 400,
        insuranceShareBps: 100,
        approvalFromPaise: 500_000,
      },
      loan: {
        minScore: 300,
        minAmountPaise: 500_000,
        maxAmountPaise: 5_000_000,
        maxShareOfEarningsBps: 5_000,
        windowDays: 90,
        minTenureDays: 90,
        minWorkedDays: 75,
        minGoodDays: 75,
        goodDayPaise: 80_000,
        twoApproversFromPaise: 2_500_000,
        lateFeePaise: 10_000,
      },
      insurance: {
        premiumPaise: 5_000,
        premiumGraceDays: 7,
        claimReportingWindowDays: 30,
        claimMinDocuments: 1,
        claimMaxDocuments: 3,
        claims: [
          { type: 'vehicle_damage', payoutPaise: 800_000, maxPerYear: 2 },
          { type: 'product_damage_loss', payoutPaise: 300_000, maxPerYear: 3 },
        ],
      },
      documents: { maxBytes: 5 * 1024 * 1024 },
      accountDeletion: { graceDays: 7, graceMs: 7 * 24 * 60 * 60 * 1000 },
    });
  });

  it('follows the configuration: every configured figure is the deployment’s own', async () => {
    expect(await rulesOf(overridden)).toMatchObject({
      withdrawal: {
        minPaise: 50_000,
        maxPaise: 1_000_000,
        serviceFeePaise: 500,
        insuranceShareBps: 150,
        approvalFromPaise: 300_000,
      },
      loan: {
        minAmountPaise: 200_000,
        maxAmountPaise: 8_000_000,
        twoApproversFromPaise: 4_000_000,
        lateFeePaise: 15_000,
      },
      insurance: { premiumPaise: 7_500, premiumGraceDays: 10 },
      documents: { maxBytes: 2 * 1024 * 1024 },
      // 36 hours: a day and a half, told as 2 days (rounded up), and exactly in milliseconds.
      accountDeletion: { graceDays: 2, graceMs: 36 * 60 * 60 * 1000 },
    });
  });

  it('the refusals name the same figures as the rules: a withdrawal out of range under the overrides', async () => {
    const worker = await signInFundedWorker(overridden);
    const preview = await overridden.api.app.inject({
      method: 'GET',
      url: '/v1/withdrawals/preview?amountPaise=40000',
      headers: bearer(worker.token),
    });
    expect(preview.json<{ refusal: unknown }>().refusal).toEqual({
      code: 'AMOUNT_OUT_OF_RANGE',
      message: 'A withdrawal is between ₹500 and ₹10,000',
      details: { minPaise: 50_000, maxPaise: 1_000_000 },
    });
  });

  it('is documented in the OpenAPI document, with its response schema', async () => {
    const doc = (await defaults.api.app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    expect(Object.keys(doc.paths['/v1/rules'] ?? {})).toEqual(['get']);
    expect(doc.paths['/v1/rules']!.get!.responses['200']).toBeDefined();
    expect(JSON.stringify(doc.paths['/v1/rules']!.get!.responses['200'])).toMatch(/insuranceShareBps/);
  });
});
