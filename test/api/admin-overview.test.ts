import { randomUUID } from 'node:crypto';
import { istDay, istDayStart } from '../../api/domain/ist';
import { requestWorkflowId } from '../../workflows/contracts';
import {
  bearer,
  createHarness,
  fundWorker,
  postWithdrawal,
  signInAdmin,
  signInWorker,
  type Harness,
} from '../helpers/harness';
import { applyForLoan, decideRequest, eventually, seedEarningHistory, uploadDocument } from '../helpers/loans';

interface Overview {
  withdrawalsPerDay: Array<{ day: string; requested: number; requestedPaise: number; paid: number; paidPaise: number }>;
  requestsBySla: Array<{ type: string; onTime: number; escalated: number; expired: number }>;
  insurancePoolPaise: number;
  insurancePoolPerDay: Array<{ day: string; inPaise: number; outPaise: number; balancePaise: number }>;
  loanBook: {
    activeLoans: number;
    disbursedPaise: number;
    outstandingPrincipalPaise: number;
    principalByBucket: Array<{ bucket: string; principalPaise: number }>;
    arrears: Array<{ bucket: string; instalments: number; loans: number; amountPaise: number }>;
  };
  syncHealth: Array<{
    slug: string;
    enabled: boolean;
    connectedAccounts: number;
    lastSyncedAt: string | null;
    staleAccounts: number;
    tripsLast24h: number;
  }>;
}

/** YYYY-MM-DD of an IST day. */
const istDate = (day: number) => new Date(istDayStart(day).getTime() + 5.5 * 3_600_000).toISOString().slice(0, 10);

// A 1.5 s withdrawal SLA: escalation at 1.5 s and expiry at 4.5 s happen within the test.
describe('GET /v1/admin/overview', () => {
  let h: Harness;
  let viewer: string;
  beforeAll(async () => {
    h = await createHarness({ worker: true, listen: true, env: { APPROVAL_SLA_WITHDRAWAL_MS: '1500' } });
    viewer = (await signInAdmin(h.api.app, 'viewer')).token;
  });
  afterAll(() => h.close());

  const overview = () =>
    h.api.app
      .inject({ method: 'GET', url: '/v1/admin/overview', headers: bearer(viewer) })
      .then((r) => r.json<Overview>());
  const requestStatus = (id: string) =>
    h.database
      .db('requests')
      .where({ id })
      .first<{ status: string; escalated_at: Date | null }>('status', 'escalated_at');

  it('is for admins only', async () => {
    const worker = await signInWorker(h.api.app);
    const response = await h.api.app.inject({
      method: 'GET',
      url: '/v1/admin/overview',
      headers: bearer(worker.token),
    });
    expect(response.statusCode).toBe(403);
  });

  it('counts withdrawals per IST day, requests by SLA state, the pool, the loan book and sync health exactly', async () => {
    const empty = await overview();
    expect(empty.withdrawalsPerDay).toHaveLength(14);
    expect(empty.withdrawalsPerDay.every((d) => d.requested === 0 && d.paid === 0)).toBe(true);
    expect(empty.insurancePoolPaise).toBe(0);
    expect(empty.insurancePoolPerDay).toHaveLength(30);
    expect(empty.insurancePoolPerDay.every((d) => d.inPaise === 0 && d.outPaise === 0 && d.balancePaise === 0)).toBe(
      true,
    );
    expect(empty.loanBook).toMatchObject({ activeLoans: 0, outstandingPrincipalPaise: 0 });
    expect(empty.syncHealth.map((s) => s.slug)).toEqual(['zomato', 'blinkit', 'rapido', 'ola']);

    // Insured (₹50 premium into the pool), two Duo plans: four withdrawals today.
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 5_000_000, plans: ['duo', 'duo'] });
    const optIn = await h.api.app.inject({
      method: 'POST',
      url: '/v1/insurance/opt-in',
      headers: bearer(worker.token),
    });
    expect(optIn.statusCode).toBe(200);
    const withdraw = async (amountPaise: number) => {
      const response = await postWithdrawal(h.api.app, worker.token, randomUUID(), { amountPaise });
      expect(response.statusCode).toBe(201);
      return response.json<{ id: string }>().id;
    };

    // Auto-approved and paid: its 1% share (₹10) reaches the pool.
    const small = await withdraw(100_000);
    await eventually(
      () => h.database.db('withdrawals').where({ id: small }).first<{ status: string }>('status'),
      (w) => w?.status === 'paid',
    );
    const expired = await withdraw(600_000);
    await eventually(
      () => requestStatus(expired),
      (r) => r?.status === 'expired',
    );
    const escalated = await withdraw(700_000);
    await eventually(
      () => requestStatus(escalated),
      (r) => r?.escalated_at !== null,
    );
    await withdraw(800_000);

    // A seasoned rider's ₹10,000 loan, approved by one admin and disbursed.
    const rider = await signInWorker(h.api.app);
    await seedEarningHistory(h, rider, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
    const applied = await applyForLoan(h.api.app, rider.token, 1_000_000);
    expect(applied.statusCode).toBe(201);
    const approver = await signInAdmin(h.api.app, 'approver');
    const decided = await decideRequest(h.api.app, approver.token, applied.json<{ id: string }>().id, {
      decision: 'approve',
    });
    expect(decided.json()).toMatchObject({ status: 'active' });

    const figures = await overview();
    const todayIst = istDate(istDay(new Date()));
    expect(figures.withdrawalsPerDay.at(-1)).toEqual({
      day: todayIst,
      requested: 4,
      requestedPaise: 2_200_000,
      paid: 1,
      paidPaise: 100_000,
    });
    expect(figures.withdrawalsPerDay.slice(0, -1).every((d) => d.requested === 0)).toBe(true);
    expect(figures.requestsBySla).toEqual([
      { type: 'withdrawal', onTime: 1, escalated: 1, expired: 1 },
      { type: 'loan', onTime: 0, escalated: 0, expired: 0 },
      { type: 'claim', onTime: 0, escalated: 0, expired: 0 },
      { type: 'deletion', onTime: 0, escalated: 0, expired: 0 },
    ]);
    expect(figures.insurancePoolPaise).toBe(5_000 + 1_000);
    expect(figures.insurancePoolPerDay.at(-1)).toEqual({
      day: todayIst,
      inPaise: 6_000,
      outPaise: 0,
      balancePaise: 6_000,
    });
    expect(figures.insurancePoolPerDay[0]!.day).toBe(istDate(istDay(new Date()) - 29));
    expect(figures.loanBook).toEqual({
      activeLoans: 1,
      disbursedPaise: 1_000_000,
      outstandingPrincipalPaise: 1_000_000,
      principalByBucket: [
        { bucket: 'current', principalPaise: 1_000_000 },
        { bucket: '1-30', principalPaise: 0 },
        { bucket: '31-60', principalPaise: 0 },
        { bucket: '61-90', principalPaise: 0 },
        { bucket: '90+', principalPaise: 0 },
      ],
      arrears: [
        { bucket: '1-30', instalments: 0, loans: 0, amountPaise: 0 },
        { bucket: '31-60', instalments: 0, loans: 0, amountPaise: 0 },
        { bucket: '61-90', instalments: 0, loans: 0, amountPaise: 0 },
        { bucket: '90+', instalments: 0, loans: 0, amountPaise: 0 },
      ],
    });
    // The seeded connection was never synced: one stale account, its 80 trips credited just now.
    expect(figures.syncHealth[0]).toEqual(
      expect.objectContaining({ slug: 'zomato', connectedAccounts: 1, staleAccounts: 1, tripsLast24h: 80 }),
    );
    expect(figures.syncHealth.slice(1).every((s) => s.connectedAccounts === 0 && s.tripsLast24h === 0)).toBe(true);
  }, 60_000);

  // Continues from the figures above: ₹60 in the pool today and the rider's ₹10,000 loan, nothing overdue yet.
  it('charts the insurance pool per IST day from its postings and the loan book by days overdue, exactly', async () => {
    const db = h.database.db;
    const today = istDay(new Date());
    const firstDay = today - 29;
    const pool = await db('ledger_accounts').where({ code: 'insurance_pool' }).first<{ id: string }>('id');

    // An insured worker's claim, approved today: ₹3,000 out of the pool (their ₹50 premium went in first).
    const insured = await signInWorker(h.api.app);
    await fundWorker(h, insured, { earningsPaise: 2_000_000, plans: ['solo'] });
    const optIn = await h.api.app.inject({
      method: 'POST',
      url: '/v1/insurance/opt-in',
      headers: bearer(insured.token),
    });
    expect(optIn.statusCode).toBe(200);
    const claim = await h.api.app.inject({
      method: 'POST',
      url: '/v1/insurance/claims',
      headers: { ...bearer(insured.token), 'idempotency-key': randomUUID() },
      payload: {
        type: 'product_damage_loss',
        incidentOn: istDate(today),
        description: 'Phone dropped',
        documentIds: [await uploadDocument(h.api.app, insured.token, 'claim_proof')],
      },
    });
    expect(claim.statusCode).toBe(201);
    const approver = await signInAdmin(h.api.app, 'approver');
    const paid = await decideRequest(h.api.app, approver.token, claim.json<{ id: string }>().id, {
      decision: 'approve',
    });
    expect(paid.json()).toMatchObject({ status: 'paid' });

    // Earlier days: balanced journals between the worker's wallet and the pool, inserted with their instants on
    // both sides of IST midnights (a posting's time is what was written, so no day has to pass).
    const wallet = await db('ledger_accounts')
      .where({ worker_id: insured.workerId, kind: 'wallet' })
      .first<{ id: string }>('id');
    const post = (at: Date, toPoolPaise: number, kind: string) =>
      db.transaction(async (trx) => {
        const [journal] = await trx('ledger_journals')
          .insert({
            kind,
            idempotency_key: `overview-test-${randomUUID()}`,
            request_fingerprint: 'overview-test',
            created_at: at,
          })
          .returning<Array<{ id: string }>>('id');
        await trx('ledger_postings').insert([
          { journal_id: journal!.id, account_id: pool.id, amount_paise: toPoolPaise, created_at: at },
          { journal_id: journal!.id, account_id: wallet.id, amount_paise: -toPoolPaise, created_at: at },
        ]);
      });
    const start = (day: number) => istDayStart(day).getTime();
    await post(new Date(start(today - 40) + 12 * 3_600_000), 5_000, 'insurance_premium'); // before the window
    await post(new Date(start(firstDay) - 1), 5_000, 'insurance_premium'); // the last moment before it
    await post(new Date(start(firstDay)), 5_000, 'insurance_premium'); // its first moment
    await post(new Date(start(today - 2) - 1), 1_500, 'withdrawal'); // 23:59:59.999 three days ago
    await post(new Date(start(today - 2)), 2_500, 'withdrawal'); // 00:00 two days ago
    await post(new Date(start(today - 2) + 3_600_000), -800_000, 'insurance_payout'); // a ₹8,000 claim paid

    // The rider's loan: instalments 1–4 marked overdue as the workflow would after their retry days, on either side
    // of the bucket edges (30/31, 60/61, 90/91 days); 5 and 6 still scheduled. Only once the loan's workflow has
    // read its first due date (a month away) and sleeps on that timer, so it does not see the change.
    const loan = await db('loans').where({ status: 'active' }).first<{ id: string }>('id');
    await eventually(
      () => h.api.temporal.workflow.getHandle(requestWorkflowId('loan', loan.id)).fetchHistory(),
      (history) => {
        const events = history.events ?? [];
        const read = events.findIndex(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'nextRepayment',
        );
        return read >= 0 && events.slice(read).some((e) => e.timerStartedEventAttributes);
      },
    );
    const at = Date.now();
    for (const [number, days] of [
      [1, 91],
      [2, 61],
      [3, 31],
      [4, 30],
    ] as const) {
      await db('loan_instalments')
        .where({ loan_id: loan.id, number })
        .update({
          status: 'overdue',
          due_at: new Date(at - days * 86_400_000 - 3_600_000),
          overdue_at: new Date(at - days * 86_400_000 + 3_600_000),
          late_fee_paise: 10_000,
        });
    }
    const instalments = await db('loan_instalments')
      .where({ loan_id: loan.id })
      .orderBy('number')
      .select<Array<{ principal_paise: string; interest_paise: string }>>('principal_paise', 'interest_paise');
    // ₹10,000 over six months at 7%: EMI ₹1,700.86, split into principal and interest.
    expect(instalments.map((i) => [Number(i.principal_paise), Number(i.interest_paise)])).toEqual([
      [164_253, 5_833],
      [165_211, 4_875],
      [166_175, 3_911],
      [167_144, 2_942],
      [168_119, 1_967],
      [169_098, 986],
    ]);

    const figures = await overview();
    const series = figures.insurancePoolPerDay;
    expect(series.map((d) => d.day)).toEqual(Array.from({ length: 30 }, (_, n) => istDate(firstDay + n)));
    // Opening balance ₹100 (two premiums before the window).
    expect(series[0]).toEqual({ day: istDate(firstDay), inPaise: 5_000, outPaise: 0, balancePaise: 15_000 });
    expect(series.slice(1, 26)).toEqual(
      Array.from({ length: 25 }, (_, n) => ({
        day: istDate(firstDay + 1 + n),
        inPaise: 0,
        outPaise: 0,
        balancePaise: 15_000,
      })),
    );
    expect(series[26]).toEqual({ day: istDate(today - 3), inPaise: 1_500, outPaise: 0, balancePaise: 16_500 });
    expect(series[27]).toEqual({ day: istDate(today - 2), inPaise: 2_500, outPaise: 800_000, balancePaise: -781_000 });
    expect(series[28]).toEqual({ day: istDate(today - 1), inPaise: 0, outPaise: 0, balancePaise: -781_000 });
    // Today: the first test's ₹50 premium and ₹10 share and this worker's ₹50 premium in; the ₹3,000 claim out.
    expect(series[29]).toEqual({ day: istDate(today), inPaise: 11_000, outPaise: 300_000, balancePaise: -1_070_000 });
    expect(figures.insurancePoolPaise).toBe(series.at(-1)!.balancePaise);

    expect(figures.loanBook.outstandingPrincipalPaise).toBe(1_000_000);
    expect(figures.loanBook.principalByBucket).toEqual([
      { bucket: 'current', principalPaise: 168_119 + 169_098 },
      { bucket: '1-30', principalPaise: 167_144 },
      { bucket: '31-60', principalPaise: 166_175 },
      { bucket: '61-90', principalPaise: 165_211 },
      { bucket: '90+', principalPaise: 164_253 },
    ]);
    // The arrears report's buckets agree: the same instalments, due with interest and the ₹100 fee.
    expect(figures.loanBook.arrears).toEqual([
      { bucket: '1-30', instalments: 1, loans: 1, amountPaise: 167_144 + 2_942 + 10_000 },
      { bucket: '31-60', instalments: 1, loans: 1, amountPaise: 166_175 + 3_911 + 10_000 },
      { bucket: '61-90', instalments: 1, loans: 1, amountPaise: 165_211 + 4_875 + 10_000 },
      { bucket: '90+', instalments: 1, loans: 1, amountPaise: 164_253 + 5_833 + 10_000 },
    ]);
  }, 60_000);
});
