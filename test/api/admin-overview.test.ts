import { randomUUID } from 'node:crypto';
import { istDay, istDayStart } from '../../api/domain/ist';
import {
  bearer,
  createHarness,
  fundWorker,
  postWithdrawal,
  signInAdmin,
  signInWorker,
  type Harness,
} from '../helpers/harness';
import { decideRequest, eventually, seedEarningHistory, uploadDocument } from '../helpers/loans';

interface Overview {
  withdrawalsPerDay: Array<{ day: string; requested: number; requestedPaise: number; paid: number; paidPaise: number }>;
  requestsBySla: Array<{ type: string; onTime: number; escalated: number; expired: number }>;
  insurancePoolPaise: number;
  loanBook: {
    activeLoans: number;
    disbursedPaise: number;
    outstandingPrincipalPaise: number;
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
    const applied = await h.api.app.inject({
      method: 'POST',
      url: '/v1/loans',
      headers: { ...bearer(rider.token), 'idempotency-key': randomUUID() },
      payload: { amountPaise: 1_000_000, documentId: await uploadDocument(h.api.app, rider.token) },
    });
    expect(applied.statusCode).toBe(201);
    const approver = await signInAdmin(h.api.app, 'approver');
    const decided = await decideRequest(h.api.app, approver.token, applied.json<{ id: string }>().id, {
      decision: 'approve',
    });
    expect(decided.json()).toMatchObject({ status: 'active' });

    const figures = await overview();
    const today = istDayStart(istDay(new Date()));
    const todayIst = new Date(today.getTime() + 5.5 * 3_600_000).toISOString().slice(0, 10);
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
    expect(figures.loanBook).toEqual({
      activeLoans: 1,
      disbursedPaise: 1_000_000,
      outstandingPrincipalPaise: 1_000_000,
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
});
