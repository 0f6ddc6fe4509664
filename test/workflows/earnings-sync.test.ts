import { randomUUID } from 'node:crypto';
import { startPlatformSimulator, type PlatformSimulator, type Trip } from '../../simulators/platform';
import { workerSyncWorkflowId, type SyncProgress } from '../../workflows/contracts';
import { bearer, createHarness, fundWorker, signInAdmin, signInWorker, type Harness } from '../helpers/harness';
import { healthy, ledgerInvariants } from '../ledger/helpers';
import { recordHistory } from '../helpers/histories';

/**
 * Connect platforms through the platform simulator's OTP flow, then sync earnings with real workflows: every trip
 * is credited once, whoever syncs and however often.
 */
describe('platforms and earnings sync', () => {
  let h: Harness;
  let platform: PlatformSimulator;
  // A fixed "now" for the platforms, so no trip completes between two syncs of one test.
  const frozen = new Date();

  beforeAll(async () => {
    platform = await startPlatformSimulator({ seed: `sync-${randomUUID()}`, historyDays: 20, now: () => frozen });
    h = await createHarness({ worker: true, env: { PLATFORM_CONNECTOR_URL: platform.url } });
  });
  afterAll(async () => {
    expect(await ledgerInvariants(h.database.db)).toEqual(healthy);
    await h.close();
    await platform.close();
  });

  let phoneCounter = 0;
  async function connect(token: string, slug: string, phone = `+91982${String(++phoneCounter).padStart(7, '0')}`) {
    const code = await h.api.app.inject({
      method: 'POST',
      url: `/v1/me/platforms/${slug}/code`,
      headers: bearer(token),
      payload: { phone },
    });
    if (code.statusCode !== 202) return code;
    return h.api.app.inject({
      method: 'POST',
      url: `/v1/me/platforms/${slug}/connect`,
      headers: bearer(token),
      payload: { phone, otp: platform.lastOtp(slug, phone) },
    });
  }

  /** What the platform's feed holds for an account: the truth the ledger must match. */
  async function feedTotal(slug: string, externalAccountId: string): Promise<number> {
    let total = 0;
    let cursor = '';
    for (;;) {
      const page = (await (
        await fetch(
          `${platform.baseUrl(slug)}/accounts/${externalAccountId}/trips?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        )
      ).json()) as {
        trips: Trip[];
        nextCursor: string;
      };
      if (page.trips.length === 0) return total;
      total += page.trips.reduce((sum, t) => sum + t.amountPaise, 0);
      cursor = page.nextCursor;
    }
  }

  const syncNow = async (token: string, workerId: string): Promise<SyncProgress> => {
    const started = await h.api.app.inject({ method: 'POST', url: '/v1/me/sync', headers: bearer(token) });
    expect(started.statusCode).toBe(202);
    expect(started.json()).toEqual({ workflowId: workerSyncWorkflowId(workerId) });
    const progress = (await h.api.temporal.workflow.getHandle(workerSyncWorkflowId(workerId)).result()) as SyncProgress;
    await recordHistory(h.api.temporal, workerSyncWorkflowId(workerId), 'sync-worker-completed');
    return progress;
  };
  const balance = async (token: string) =>
    (await h.api.app.inject({ method: 'GET', url: '/v1/me/balance', headers: bearer(token) })).json<{
      balancePaise: number;
      earningsByPlatform: Array<{ slug: string; amountPaise: number; trips: number }>;
    }>();

  it('connects with the platform’s code, binds a plan slot, and refuses a wrong code or a missing slot', async () => {
    const worker = await signInWorker(h.api.app);
    const noPlan = await connect(worker.token, 'zomato');
    expect(noPlan.statusCode).toBe(422);
    expect(noPlan.json()).toMatchObject({ error: { code: 'NO_FREE_SLOT' } });

    await fundWorker(h, worker, { earningsPaise: 10_000, plans: ['solo'] });
    const phone = '+919830000001';
    await h.api.app.inject({
      method: 'POST',
      url: '/v1/me/platforms/rapido/code',
      headers: bearer(worker.token),
      payload: { phone },
    });
    const good = platform.lastOtp('rapido', phone)!;
    const wrong = await h.api.app.inject({
      method: 'POST',
      url: '/v1/me/platforms/rapido/connect',
      headers: bearer(worker.token),
      payload: { phone, otp: good === '000000' ? '000001' : '000000' },
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ error: { code: 'WRONG_CODE' } });
    const connected = await h.api.app.inject({
      method: 'POST',
      url: '/v1/me/platforms/rapido/connect',
      headers: bearer(worker.token),
      payload: { phone, otp: good },
    });
    expect(connected.statusCode).toBe(201);
    expect(connected.json()).toMatchObject({ status: 'connected', platform: { slug: 'rapido' } });

    // Solo has one slot, and it is taken.
    expect((await connect(worker.token, 'ola')).json()).toMatchObject({ error: { code: 'NO_FREE_SLOT' } });
    // Disconnecting keeps the slot bound to Rapido until the plan expires: Ola still has no room, Rapido reconnects.
    expect(
      (await h.api.app.inject({ method: 'DELETE', url: '/v1/me/platforms/rapido', headers: bearer(worker.token) }))
        .statusCode,
    ).toBe(204);
    expect((await connect(worker.token, 'ola')).json()).toMatchObject({ error: { code: 'NO_FREE_SLOT' } });
    expect((await connect(worker.token, 'rapido', phone)).statusCode).toBe(201);
    const mine = await h.api.app.inject({ method: 'GET', url: '/v1/me/platforms', headers: bearer(worker.token) });
    expect(
      mine
        .json<{ items: Array<{ status: string }> }>()
        .items.map((c) => c.status)
        .sort(),
    ).toEqual(['connected', 'disconnected']);
  });

  it('credits every trip of the feed exactly once, and a second sync finds nothing new', async () => {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 10_000, plans: ['duo'] });
    const zomato = await connect(worker.token, 'zomato');
    const blinkit = await connect(worker.token, 'blinkit');
    expect([zomato.statusCode, blinkit.statusCode]).toEqual([201, 201]);
    const start = (await balance(worker.token)).balancePaise;

    const accounts = await h.database
      .db('platform_connections')
      .where({ worker_id: worker.workerId, status: 'connected' });
    const slugs = new Map(
      (await h.database.db('platforms').select('id', 'slug')).map((p: { id: string; slug: string }) => [p.id, p.slug]),
    );
    let expected = 0;
    for (const a of accounts as Array<{ platform_id: string; external_account_id: string }>) {
      expected += await feedTotal(slugs.get(a.platform_id)!, a.external_account_id);
    }
    expect(expected).toBeGreaterThan(0);

    const first = await syncNow(worker.token, worker.workerId);
    expect(first).toMatchObject({ accountsDone: 2, accountsTotal: 2, amountPaise: expected, failedAccounts: 0 });
    expect((await balance(worker.token)).balancePaise).toBe(start + expected);

    const second = await syncNow(worker.token, worker.workerId);
    expect(second).toMatchObject({ accountsDone: 2, tripsCredited: 0, amountPaise: 0 });
    const after = await balance(worker.token);
    expect(after.balancePaise).toBe(start + expected);
    expect(after.earningsByPlatform.reduce((sum, p) => sum + p.amountPaise, 0)).toBe(expected);
    expect(after.earningsByPlatform.reduce((sum, p) => sum + p.trips, 0)).toBe(first.tripsCredited);

    const status = await h.api.app.inject({ method: 'GET', url: '/v1/me/sync', headers: bearer(worker.token) });
    expect(status.json()).toMatchObject({ state: 'completed', progress: { accountsDone: 2, accountsTotal: 2 } });
  });

  it('"sync now" twice at once joins one sync; the scheduled sweep and a worker sync together still credit once', async () => {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 10_000, plans: ['solo'] });
    expect((await connect(worker.token, 'ola')).statusCode).toBe(201);
    const [a, b] = await Promise.all([
      h.api.app.inject({ method: 'POST', url: '/v1/me/sync', headers: bearer(worker.token) }),
      h.api.app.inject({ method: 'POST', url: '/v1/me/sync', headers: bearer(worker.token) }),
    ]);
    expect(a.json()).toEqual(b.json());

    const sweep = h.api.temporal.workflow.execute('syncAllEarningsWorkflow', {
      workflowId: `sweep-${randomUUID()}`,
      taskQueue: h.config.TEMPORAL_TASK_QUEUE,
      args: [{ batchSize: 1 }],
    });
    const [, swept] = await Promise.all([
      h.api.temporal.workflow.getHandle(workerSyncWorkflowId(worker.workerId)).result(),
      sweep,
    ]);
    expect((swept as SyncProgress).accountsDone).toBe((swept as SyncProgress).accountsTotal);

    const [journals] = await h.database
      .db('ledger_journals')
      .whereRaw(`metadata->>'externalTripId' IS NOT NULL`)
      .count<Array<{ count: number }>>('* as count');
    const [trips] = await h.database.db('platform_trips').count<Array<{ count: number }>>('* as count');
    expect(journals!.count).toBeGreaterThan(0);
    expect(journals!.count).toBe(trips!.count);
  });

  it('an admin backfill syncs every account in batches and reports accounts done / total', async () => {
    // A worker never synced before, on two platforms: the backfill's batch must credit exactly their feeds.
    const fresh = await signInWorker(h.api.app);
    await fundWorker(h, fresh, { earningsPaise: 10_000, plans: ['duo'] });
    expect((await connect(fresh.token, 'rapido')).statusCode).toBe(201);
    expect((await connect(fresh.token, 'ola')).statusCode).toBe(201);
    const accounts = (await h.database.db('platform_connections').where({ worker_id: fresh.workerId })) as Array<{
      platform_id: string;
      external_account_id: string;
    }>;
    const slugs = new Map(
      (await h.database.db('platforms').select('id', 'slug')).map((p: { id: string; slug: string }) => [p.id, p.slug]),
    );
    let expected = 0;
    for (const a of accounts) expected += await feedTotal(slugs.get(a.platform_id)!, a.external_account_id);
    const start = (await balance(fresh.token)).balancePaise;

    const admin = await signInAdmin(h.api.app);
    const started = await h.api.app.inject({
      method: 'POST',
      url: '/v1/admin/earnings-sync',
      headers: bearer(admin.token),
    });
    expect(started.statusCode).toBe(202);
    const { workflowId } = started.json<{ workflowId: string }>();
    const total = Number(
      (
        await h.database
          .db('platform_connections')
          .where({ status: 'connected' })
          .count<Array<{ count: number }>>('* as count')
      )[0]!.count,
    );
    const status = async () =>
      (
        await h.api.app.inject({
          method: 'GET',
          url: `/v1/admin/earnings-sync/${workflowId}`,
          headers: bearer(admin.token),
        })
      ).json<{
        state: string;
        progress: SyncProgress | null;
      }>();
    const first = await status();
    expect(['running', 'completed']).toContain(first.state);
    await h.api.temporal.workflow.getHandle(workflowId).result();
    await recordHistory(h.api.temporal, workflowId, 'sync-all-backfill-completed');
    expect(await status()).toMatchObject({
      state: 'completed',
      progress: { accountsDone: total, accountsTotal: total, failedAccounts: 0 },
    });
    expect(expected).toBeGreaterThan(0);
    expect((await balance(fresh.token)).balancePaise).toBe(start + expected);
    const unknown = await h.api.app.inject({
      method: 'GET',
      url: '/v1/admin/earnings-sync/earnings-backfill-nope',
      headers: bearer(admin.token),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('a long sweep continues as new and carries its progress across runs', async () => {
    const everywhere = await signInWorker(h.api.app);
    await fundWorker(h, everywhere, { earningsPaise: 20_000, plans: ['trio', 'solo'] });
    for (const slug of ['zomato', 'blinkit', 'rapido', 'ola']) {
      expect((await connect(everywhere.token, slug, '+919850000001')).statusCode).toBe(201);
    }
    const total = Number(
      (
        await h.database
          .db('platform_connections as c')
          .join('platforms as p', 'p.id', 'c.platform_id')
          .where({ 'c.status': 'connected', 'p.enabled': true })
          .count<Array<{ count: number }>>('* as count')
      )[0]!.count,
    );
    expect(total).toBeGreaterThan(3);
    const workflowId = `earnings-backfill-can-${randomUUID()}`;
    const handle = await h.api.temporal.workflow.start('syncAllEarningsWorkflow', {
      workflowId,
      taskQueue: h.config.TEMPORAL_TASK_QUEUE,
      args: [{ batchSize: 1, parallelBatches: 1, batchesPerRun: 1 }],
    });
    const progress = (await handle.result()) as SyncProgress;
    expect(progress).toMatchObject({ accountsDone: total, accountsTotal: total, failedAccounts: 0 });
    // The first run continued as new: the final result came from a later run of the same workflow id.
    const { runId } = await h.api.temporal.workflow.getHandle(workflowId).describe();
    expect(runId).not.toBe(handle.firstExecutionRunId);
    // Every run keeps the short run length (one account per run), so there is a run per account.
    // (Visibility may trail the runs by a moment, so look again for a few seconds before judging.)
    let runs = 0;
    for (const deadline = Date.now() + 5_000; Date.now() < deadline && runs < total;) {
      runs = 0;
      for await (const _run of h.api.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs++;
      if (runs < total) await new Promise((r) => setTimeout(r, 200));
    }
    expect(runs).toBeGreaterThanOrEqual(total);
  });

  it('stops syncing a disabled platform and keeps the money already credited', async () => {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 10_000, plans: ['solo'] });
    expect((await connect(worker.token, 'blinkit')).statusCode).toBe(201);
    await h.database.db('platforms').where({ slug: 'blinkit' }).update({ enabled: false });
    try {
      const progress = await syncNow(worker.token, worker.workerId);
      expect(progress).toMatchObject({ accountsTotal: 0, tripsCredited: 0 });
    } finally {
      await h.database.db('platforms').where({ slug: 'blinkit' }).update({ enabled: true });
    }
  });
});

describe('commission owed to platforms and GigBit’s margin', () => {
  let h: Harness;
  let platform: PlatformSimulator;
  beforeAll(async () => {
    platform = await startPlatformSimulator({ seed: 'commission' });
    h = await createHarness({ env: { PLATFORM_CONNECTOR_URL: platform.url } });
  });
  afterAll(async () => {
    await h.close();
    await platform.close();
  });

  async function connectAs(token: string, slug: string, phone: string) {
    await h.api.app.inject({
      method: 'POST',
      url: `/v1/me/platforms/${slug}/code`,
      headers: bearer(token),
      payload: { phone },
    });
    const response = await h.api.app.inject({
      method: 'POST',
      url: `/v1/me/platforms/${slug}/connect`,
      headers: bearer(token),
      payload: { phone, otp: platform.lastOtp(slug, phone) },
    });
    expect(response.statusCode).toBe(201);
  }

  it('charges each platform its plan rate per bound purchase, and reports the month’s margin', async () => {
    const duo = await signInWorker(h.api.app);
    await fundWorker(h, duo, { earningsPaise: 10_000, plans: ['duo'] });
    await connectAs(duo.token, 'zomato', '+919840000001');
    await connectAs(duo.token, 'blinkit', '+919840000001');
    const trio = await signInWorker(h.api.app);
    await fundWorker(h, trio, { earningsPaise: 10_000, plans: ['trio'] });
    await connectAs(trio.token, 'zomato', '+919840000002');

    const admin = await signInAdmin(h.api.app);
    const report = await h.api.app.inject({ method: 'GET', url: '/v1/admin/commission', headers: bearer(admin.token) });
    expect(report.statusCode).toBe(200);
    expect(report.json()).toMatchObject({
      platforms: [
        { slug: 'zomato', commissionPaise: 1_300 + 1_500, purchases: 2, workers: 2 },
        { slug: 'blinkit', commissionPaise: 1_300, purchases: 1, workers: 1 },
      ],
      commissionPaise: 4_100,
      purchasesInMonth: 2,
      revenuePaise: 5_000 + 7_500,
      // Duo: ₹50 − ₹13 × 2 = ₹24; Trio: ₹75 − ₹15 × 3 = ₹30.
      marginPaise: 2_400 + 3_000,
    });
    const lastYear = await h.api.app.inject({
      method: 'GET',
      url: '/v1/admin/commission?month=2025-01',
      headers: bearer(admin.token),
    });
    expect(lastYear.json()).toMatchObject({ platforms: [], commissionPaise: 0, revenuePaise: 0, marginPaise: 0 });
    const asWorker = await h.api.app.inject({ method: 'GET', url: '/v1/admin/commission', headers: bearer(duo.token) });
    expect(asWorker.statusCode).toBe(403);
  });
});
