import { withdrawalWorkflowId } from '../../workflows/contracts';
import {
  bearer,
  createHarness,
  fundWorker,
  signInFundedWorker,
  postWithdrawal,
  signInAdmin,
  signInWorker,
  type Harness,
} from '../helpers/harness';

// No Temporal worker here: the API's part ends when the workflow is started, which the server records.
describe('POST /v1/withdrawals', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const post = (token: string, key: string | undefined, payload: unknown) =>
    postWithdrawal(h.api.app, token, key, payload);

  const countFor = async (workerId: string) => {
    const [rows, events] = await Promise.all([
      h.database.db('withdrawals').where({ worker_id: workerId }).count<{ count: number }[]>('* as count'),
      h.database.db('outbox_events').where({ worker_id: workerId }).count<{ count: number }[]>('* as count'),
    ]);
    return { withdrawals: Number(rows[0]!.count), events: Number(events[0]!.count) };
  };

  it('creates a withdrawal and starts its workflow with the business id', async () => {
    const worker = await signInFundedWorker(h);
    const response = await post(worker.token, 'create-key-0001', { amountPaise: 250_000 });
    expect(response.statusCode).toBe(201);
    const body = response.json<{ id: string }>();
    expect(body).toMatchObject({
      amountPaise: 250_000,
      serviceFeePaise: 400,
      insuranceContributionPaise: 0,
      netPaise: 249_600,
      currency: 'INR',
      status: 'pending_approval',
      requiresApproval: false,
      decidedAt: null,
    });
    const description = await h.api.temporal.workflow.getHandle(withdrawalWorkflowId(body.id)).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.taskQueue).toBe(h.config.TEMPORAL_TASK_QUEUE);
  });

  it('returns the same withdrawal for the same key and starts nothing new', async () => {
    const worker = await signInFundedWorker(h);
    const first = await post(worker.token, 'same-key-0001', { amountPaise: 300_000 });
    const { id } = first.json<{ id: string }>();
    const handle = h.api.temporal.workflow.getHandle(withdrawalWorkflowId(id));
    const { runId } = await handle.describe();

    const again = await post(worker.token, 'same-key-0001', { amountPaise: 300_000 });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect((await handle.describe()).runId).toBe(runId);
    expect(await countFor(worker.workerId)).toEqual({ withdrawals: 1, events: 1 });
  });

  it('creates exactly one withdrawal when the same key arrives many times at once', async () => {
    const worker = await signInFundedWorker(h);
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => post(worker.token, 'race-key-0001', { amountPaise: 310_000 })),
    );
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(11);
    expect(new Set(responses.map((r) => r.json<{ id: string }>().id)).size).toBe(1);
    expect(await countFor(worker.workerId)).toEqual({ withdrawals: 1, events: 1 });
  });

  it('refuses the same key with a different body, changing nothing', async () => {
    const worker = await signInFundedWorker(h);
    await post(worker.token, 'reused-key-01', { amountPaise: 300_000 });
    const response = await post(worker.token, 'reused-key-01', { amountPaise: 300_001 });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      error: { code: 'IDEMPOTENCY_KEY_REUSED', requestId: response.headers['x-request-id'] },
    });
    expect(await countFor(worker.workerId)).toEqual({ withdrawals: 1, events: 1 });
  });

  it('scopes keys per worker: two workers may use the same key', async () => {
    const [a, b] = await Promise.all([signInFundedWorker(h), signInFundedWorker(h)]);
    const [ra, rb] = await Promise.all([
      post(a.token, 'shared-key-01', { amountPaise: 200_000 }),
      post(b.token, 'shared-key-01', { amountPaise: 200_000 }),
    ]);
    expect([ra.statusCode, rb.statusCode]).toEqual([201, 201]);
    expect(ra.json<{ id: string }>().id).not.toBe(rb.json<{ id: string }>().id);
  });

  it.each([
    ['below ₹200', 19_999],
    ['above ₹25,000', 2_500_001],
  ])('refuses an amount %s with the limits', async (_label, amountPaise) => {
    const worker = await signInFundedWorker(h);
    const response = await post(worker.token, 'bounds-key-01', { amountPaise });
    expect(response.statusCode).toBe(422);
    expect(response.json<{ error: { code: string; details: unknown } }>().error).toMatchObject({
      code: 'AMOUNT_OUT_OF_RANGE',
      details: { minPaise: 20_000, maxPaise: 2_500_000 },
    });
    expect(response.json<{ error: { details: unknown } }>().error.details).toEqual({
      minPaise: 20_000,
      maxPaise: 2_500_000,
    });
    expect(await countFor(worker.workerId)).toEqual({ withdrawals: 0, events: 0 });
  });

  it.each([
    ['no Idempotency-Key', undefined, { amountPaise: 30_000 }],
    ['a too-short key', 'short', { amountPaise: 30_000 }],
    ['a fractional amount', 'fraction-key', { amountPaise: 30_000.5 }],
    ['an amount as a string', 'string-key-01', { amountPaise: '30000' }],
    ['an unknown field', 'unknown-key-1', { amountPaise: 30_000, workerId: '00000000-0000-4000-8000-000000000000' }],
  ])('refuses %s', async (_label, key, payload) => {
    const worker = await signInFundedWorker(h);
    const response = await post(worker.token, key, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await countFor(worker.workerId)).toEqual({ withdrawals: 0, events: 0 });
  });

  it.each([
    ['no plan: no withdrawals at all', { earningsPaise: 5_000_000, plans: [] }, 0, 300_000, 'ALLOWANCE_USED_UP'],
    ['the day’s two withdrawals already used (Trio)', { earningsPaise: 5_000_000 }, 2, 300_000, 'ALLOWANCE_USED_UP'],
    ['more than the spendable balance', { earningsPaise: 100_000 }, 0, 100_001, 'INSUFFICIENT_FUNDS'],
    ['more than what is left after a hold', { earningsPaise: 500_000 }, 1, 300_000, 'INSUFFICIENT_FUNDS'],
  ] as const)(
    'refuses a withdrawal when %s, naming the rule and changing nothing',
    async (_name, funding, earlier, amountPaise, rule) => {
      const worker = await signInWorker(h.api.app);
      await fundWorker(h, worker, {
        earningsPaise: funding.earningsPaise,
        plans: 'plans' in funding ? [...funding.plans] : undefined,
      });
      for (let i = 0; i < earlier; i++) {
        expect((await post(worker.token, `earlier-key-${i}`, { amountPaise: 200_000 })).statusCode).toBe(201);
      }
      const before = await h.api.app.inject({ method: 'GET', url: '/v1/me/balance', headers: bearer(worker.token) });
      const counts = await countFor(worker.workerId);

      // The preview names the same rule with the same figures as the POST then refuses with.
      const { spendablePaise, allowance } = before.json<{
        spendablePaise: number;
        allowance: { nextAccrualAt: string | null };
      }>();
      const details = rule === 'INSUFFICIENT_FUNDS' ? { spendablePaise } : { nextAccrualAt: allowance.nextAccrualAt };
      // Without a plan no more withdrawals are coming; with one, more come at the next IST midnight.
      if (rule === 'ALLOWANCE_USED_UP') expect(allowance.nextAccrualAt === null).toBe('plans' in funding);
      const preview = await h.api.app.inject({
        method: 'GET',
        url: `/v1/withdrawals/preview?amountPaise=${amountPaise}`,
        headers: bearer(worker.token),
      });
      expect(preview.json<{ refusal: unknown }>().refusal).toEqual({
        code: rule,
        message: expect.any(String),
        details,
      });

      const refused = await post(worker.token, 'refused-key-01', { amountPaise });
      expect(refused.statusCode).toBe(422);
      expect(refused.json<{ error: unknown }>().error).toEqual({
        code: rule,
        message: preview.json<{ refusal: { message: string } }>().refusal.message,
        requestId: expect.any(String),
        details,
      });
      expect(
        (await h.api.app.inject({ method: 'GET', url: '/v1/me/balance', headers: bearer(worker.token) })).json(),
      ).toEqual(before.json());
      expect(await countFor(worker.workerId)).toEqual(counts);
    },
  );

  it('previews fees and the rule that would refuse, without changing anything', async () => {
    const worker = await signInFundedWorker(h);
    const preview = (amountPaise: number) =>
      h.api.app.inject({
        method: 'GET',
        url: `/v1/withdrawals/preview?amountPaise=${amountPaise}`,
        headers: bearer(worker.token),
      });
    expect((await preview(600_000)).json()).toMatchObject({
      amountPaise: 600_000,
      serviceFeePaise: 400,
      insuranceContributionPaise: 0,
      netPaise: 599_600,
      requiresApproval: true,
      spendablePaise: 5_000_000 - 7_500,
      allowance: { available: 2, todayBase: 2, rollover: 0 },
      refusal: null,
    });
    const poorer = await signInWorker(h.api.app);
    await fundWorker(h, poorer, { earningsPaise: 100_000 });
    const tooMuch = await h.api.app.inject({
      method: 'GET',
      url: '/v1/withdrawals/preview?amountPaise=2000000',
      headers: bearer(poorer.token),
    });
    const poorerBalance = await h.api.app.inject({
      method: 'GET',
      url: '/v1/me/balance',
      headers: bearer(poorer.token),
    });
    expect(tooMuch.json<{ refusal: unknown }>().refusal).toEqual({
      code: 'INSUFFICIENT_FUNDS',
      message: 'Your balance is too low for this amount',
      details: { spendablePaise: poorerBalance.json<{ spendablePaise: number }>().spendablePaise },
    });
    // The range in figures, not only inside the English sentence, so the app can say it in any language.
    for (const outside of [100, 2_500_001]) {
      expect((await preview(outside)).json<{ refusal: unknown }>().refusal).toEqual({
        code: 'AMOUNT_OUT_OF_RANGE',
        message: 'A withdrawal is between ₹200 and ₹25,000',
        details: { minPaise: 20_000, maxPaise: 2_500_000 },
      });
    }

    await h.database.db('insurance_coverages').insert({ worker_id: worker.workerId, status: 'active' });
    expect((await preview(600_000)).json()).toMatchObject({ insuranceContributionPaise: 6_000, netPaise: 593_600 });
    expect(await countFor(worker.workerId)).toEqual({ withdrawals: 0, events: 0 });
  });

  it('shows the balance with the held amount and the allowance', async () => {
    const worker = await signInFundedWorker(h);
    await post(worker.token, 'balance-key-01', { amountPaise: 300_000 });
    const balance = await h.api.app.inject({ method: 'GET', url: '/v1/me/balance', headers: bearer(worker.token) });
    expect(balance.json()).toMatchObject({
      balancePaise: 5_000_000 - 7_500,
      heldPaise: 300_000,
      spendablePaise: 5_000_000 - 7_500 - 300_000,
      currency: 'INR',
      allowance: { available: 1, used: 1, todayBase: 1, rollover: 0, nextAccrualAt: expect.any(String) },
    });
  });

  it('requires a worker token', async () => {
    const admin = await signInAdmin(h.api.app);
    const anonymous = await postWithdrawal(h.api.app, undefined, 'anon-key-0001', { amountPaise: 30_000 });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const asAdmin = await post(admin.token, 'admin-key-0001', { amountPaise: 30_000 });
    expect(asAdmin.statusCode).toBe(403);
  });
});

describe('GET /v1/withdrawals/:id and admin reads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it("shows a worker their own withdrawal and nobody else's", async () => {
    const [owner, other] = await Promise.all([signInFundedWorker(h), signInFundedWorker(h)]);
    const created = await postWithdrawal(h.api.app, owner.token, 'read-key-0001', { amountPaise: 45_000 });
    const { id } = created.json<{ id: string }>();
    const own = await h.api.app.inject({ method: 'GET', url: `/v1/withdrawals/${id}`, headers: bearer(owner.token) });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toEqual(created.json());
    // Another worker learns nothing, not even that the id exists.
    const foreign = await h.api.app.inject({
      method: 'GET',
      url: `/v1/withdrawals/${id}`,
      headers: bearer(other.token),
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('gives admins the workflow id and a Temporal Web UI link', async () => {
    const worker = await signInFundedWorker(h);
    const admin = await signInAdmin(h.api.app);
    const created = await postWithdrawal(h.api.app, worker.token, 'admin-read-01', { amountPaise: 45_000 });
    const { id } = created.json<{ id: string }>();
    const response = await h.api.app.inject({
      method: 'GET',
      url: `/v1/admin/withdrawals/${id}`,
      headers: bearer(admin.token),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      workerId: worker.workerId,
      workflowId: `withdrawal-${id}`,
      workflowUrl: `http://127.0.0.1:8233/namespaces/default/workflows/withdrawal-${id}`,
    });
    const asWorker = await h.api.app.inject({
      method: 'GET',
      url: `/v1/admin/withdrawals/${id}`,
      headers: bearer(worker.token),
    });
    expect(asWorker.statusCode).toBe(403);
  });
});
