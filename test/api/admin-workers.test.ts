import { randomUUID } from 'node:crypto';
import { bearer, createHarness, postWithdrawal, signInAdmin, signInWorker, type Harness } from '../helpers/harness';
import { applyForLoan, seedEarningHistory } from '../helpers/loans';

interface WorkerSummary {
  id: string;
  phone: string | null;
  displayName: string | null;
  balancePaise: number;
  heldPaise: number;
  spendablePaise: number;
}

// No Temporal worker: requests stay where the API leaves them (pending), which is what the figures need.
describe('admin workers lookup', () => {
  let h: Harness;
  let viewer: string;
  beforeAll(async () => {
    h = await createHarness();
    viewer = (await signInAdmin(h.api.app, 'viewer')).token;
  });
  afterAll(() => h.close());

  const get = <T>(url: string, token = viewer) =>
    h.api.app
      .inject({ method: 'GET', url, headers: bearer(token) })
      .then((r) => ({ status: r.statusCode, body: r.json<T>() }));

  it('searches by phone digits, name, exact id; escapes LIKE wildcards; pages with a cursor', async () => {
    const a = await signInWorker(h.api.app);
    const b = await signInWorker(h.api.app);
    await h.database.db('workers').where({ id: a.workerId }).update({ display_name: 'Asha 100% Rider' });
    await h.database.db('workers').where({ id: b.workerId }).update({ display_name: 'Bharat Kumar' });

    const byPhone = await get<{ items: WorkerSummary[] }>(
      `/v1/admin/workers?q=${encodeURIComponent(a.phone.slice(-7))}`,
    );
    expect(byPhone.status).toBe(200);
    expect(byPhone.body.items.map((w) => w.id)).toEqual([a.workerId]);

    const byName = await get<{ items: WorkerSummary[] }>('/v1/admin/workers?q=bharat');
    expect(byName.body.items.map((w) => w.id)).toEqual([b.workerId]);

    const byId = await get<{ items: WorkerSummary[] }>(`/v1/admin/workers?q=${a.workerId}`);
    expect(byId.body.items).toEqual([
      expect.objectContaining({ id: a.workerId, phone: a.phone, displayName: 'Asha 100% Rider', balancePaise: 0 }),
    ]);

    // "%" is a character here, not a wildcard: only the name that contains it matches.
    const percent = await get<{ items: WorkerSummary[] }>(`/v1/admin/workers?q=${encodeURIComponent('0%')}`);
    expect(percent.body.items.map((w) => w.id)).toEqual([a.workerId]);

    const first = await get<{ items: WorkerSummary[]; nextCursor: string | null }>('/v1/admin/workers?limit=1');
    expect(first.body.items.map((w) => w.id)).toEqual([b.workerId]);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await get<{ items: WorkerSummary[] }>(
      `/v1/admin/workers?limit=1&cursor=${first.body.nextCursor ?? ''}`,
    );
    expect(second.body.items.map((w) => w.id)).toEqual([a.workerId]);

    expect((await get('/v1/admin/workers?cursor=bm90LWEtdXVpZA')).status).toBe(400);
  });

  it('shows one worker: balance with holds, plans, platforms, loans, claims and withdrawals', async () => {
    const worker = await signInWorker(h.api.app);
    // Solo plan (₹25 paid from ₹25 credited), Zomato connected, 80 trips of ₹900.
    await seedEarningHistory(h, worker, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
    const withdrawal = await postWithdrawal(h.api.app, worker.token, randomUUID(), { amountPaise: 600_000 });
    expect(withdrawal.statusCode).toBe(201);
    const loan = await applyForLoan(h.api.app, worker.token, 1_000_000);
    expect(loan.statusCode).toBe(201);

    const detail = await get<Record<string, unknown>>(`/v1/admin/workers/${worker.workerId}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      worker: { id: worker.workerId, balancePaise: 7_200_000, heldPaise: 600_000, spendablePaise: 6_600_000 },
      currency: 'INR',
      insurance: null,
      plans: [{ planCode: 'solo', name: 'Solo', pricePaise: 2_500, slots: 1, active: true }],
      platforms: [{ slug: 'zomato', status: 'connected', earnedPaise: 7_200_000, lastSyncedAt: null }],
      loans: [
        {
          id: loan.json<{ id: string }>().id,
          amountPaise: 1_000_000,
          status: 'pending_approval',
          tenureMonths: 6,
          // Not disbursed yet: nothing is owed.
          outstandingPrincipalPaise: 0,
          overdueInstalments: 0,
        },
      ],
      claims: [],
      withdrawals: [{ id: withdrawal.json<{ id: string }>().id, amountPaise: 600_000, status: 'pending_approval' }],
    });

    expect((await get(`/v1/admin/workers/${randomUUID()}`)).status).toBe(404);
    expect((await get('/v1/admin/workers/not-a-uuid')).status).toBe(400);
    expect((await get(`/v1/admin/workers/${worker.workerId}`, worker.token)).status).toBe(403);
  });

  it('exports commission by platform and month as CSV with paise and rupees', async () => {
    const months = await get<{
      months: Array<{ month: string; platforms: Array<{ slug: string; commissionPaise: number }> }>;
    }>('/v1/admin/commission/months?from=2026-01&to=2026-03');
    expect(months.body.months.map((m) => m.month)).toEqual(['2026-01', '2026-02', '2026-03']);
    expect((await get('/v1/admin/commission/months?from=2026-05&to=2026-03')).status).toBe(400);

    const response = await h.api.app.inject({
      method: 'GET',
      url: '/v1/admin/commission/export.csv',
      headers: bearer(viewer),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="gigbit-commission-\d{4}-\d{2}-to-\d{4}-\d{2}\.csv"$/,
    );
    const lines = response.body.trim().split('\r\n');
    expect(lines[0]).toBe(
      'month,platform,platform_name,purchases,workers,commission_paise,commission_rupees,revenue_paise,revenue_rupees,margin_paise,margin_rupees',
    );
    // This month: the one Solo purchase above binds Zomato (₹10 commission; ₹25 − ₹10 margin).
    const zomato = lines.filter((l) => l.includes(',zomato,'));
    expect(zomato.at(-1)).toMatch(/^\d{4}-\d{2},zomato,Zomato,1,1,1000,10\.00,,,,$/);
    const total = lines.at(-1) ?? '';
    expect(total).toMatch(/^\d{4}-\d{2},all,All platforms,1,,1000,10\.00,2500,25\.00,1500,15\.00$/);
  });
});
