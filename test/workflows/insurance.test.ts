import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { isoDateOf } from '../../api/db/insurance.repository';
import { istDay } from '../../api/domain/ist';
import type { EventEnvelope } from '../../api/realtime/event-catalogue';
import { ensureInsurancePremiumsSchedule, INSURANCE_PREMIUMS_SCHEDULE_ID } from '../../api/temporal/schedules';
import { requestWorkflowId } from '../../workflows/contracts';
import {
  bearer,
  createHarness,
  fundWorker,
  postWithdrawal,
  signInAdmin,
  signInWorker,
  type Harness,
  type SignedInWorker,
} from '../helpers/harness';
import { ledgerFor } from '../ledger/helpers';
import { recordHistory } from '../helpers/histories';

const DAY_MS = 24 * 60 * 60 * 1000;
const PREMIUM = 5_000;
const VEHICLE = 800_000;
const PRODUCT = 300_000;

const today = () => istDay(new Date());
const daysAgo = (n: number) => isoDateOf(today() - n);
function firstOfNextMonth(): string {
  const d = new Date(today() * DAY_MS);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

interface CoverageBody {
  status: string;
  coveredToday: boolean;
  optOutEffectiveOn: string | null;
  currentPeriod: { startsOn: string; endsOn: string | null } | null;
  premium: {
    thisMonth: { status: string; attempts: number } | null;
    overdue: { lapsesOn: string; coveredThrough: string } | null;
  };
  claimLimits: Array<{ type: string; usedThisYear: number; remaining: number }>;
}
interface ClaimBody {
  id: string;
  status: string;
  payoutPaise: number;
  decisionReason: string | null;
  documents: unknown[];
  history: Array<{ kind: string; status: string | null; by: string; decision: string | null; reason: string | null }>;
}

/** Helpers over one harness: workers, money, documents, claims and premium runs through the real API and Temporal. */
function toolkit(get: () => Harness) {
  const h = () => get();
  const ledger = () => ledgerFor(h().database.db);
  const inject = (options: InjectOptions) => h().api.app.inject(options);

  async function rider(earningsPaise = 0): Promise<SignedInWorker & { walletId: string }> {
    const worker = await signInWorker(h().api.app);
    if (earningsPaise > 0) await fundWorker(h(), worker, { earningsPaise, plans: [] });
    const wallet = await ledger().walletOf(worker.workerId);
    return { ...worker, walletId: wallet.id };
  }

  const wallet = async (worker: { walletId: string }) => (await ledger().balanceOf(worker.walletId)).balancePaise;
  const pool = async () => (await ledger().balanceOf((await ledger().systemAccount('insurance_pool')).id)).balancePaise;

  const coverage = async (token: string) => {
    const response = await inject({ method: 'GET', url: '/v1/insurance', headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    return response.json<CoverageBody>();
  };
  const optIn = (token: string) => inject({ method: 'POST', url: '/v1/insurance/opt-in', headers: bearer(token) });
  const optOut = (token: string) => inject({ method: 'POST', url: '/v1/insurance/opt-out', headers: bearer(token) });

  async function upload(token: string, purpose: 'claim_proof' | 'loan_proof' = 'claim_proof'): Promise<string> {
    const response = await inject({
      method: 'POST',
      url: `/v1/documents?purpose=${purpose}`,
      headers: { ...bearer(token), 'content-type': 'application/pdf' },
      payload: Buffer.from(`%PDF-1.4\n% proof ${randomUUID()}\n`),
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string }>().id;
  }

  function fileClaim(
    token: string,
    body: { type?: string; incidentOn?: string; description?: string; documentIds: string[] },
    key = `claim-${randomUUID()}`,
  ) {
    return inject({
      method: 'POST',
      url: '/v1/insurance/claims',
      headers: { ...bearer(token), 'idempotency-key': key },
      payload: {
        type: 'vehicle_damage',
        incidentOn: daysAgo(0),
        description: 'Hit by a car at a signal',
        ...Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)),
      },
    });
  }

  async function claimOf(token: string, overrides: { type?: string; incidentOn?: string } = {}): Promise<ClaimBody> {
    const response = await fileClaim(token, { ...overrides, documentIds: [await upload(token)] });
    expect(response.statusCode).toBe(201);
    return response.json<ClaimBody>();
  }

  const decide = (token: string, id: string, body: Record<string, unknown>) =>
    inject({ method: 'POST', url: `/v1/admin/requests/${id}/decision`, headers: bearer(token), payload: body });

  /** The claim workflow's result; its history becomes a replay fixture `claim-<status>` when recording. */
  const claimResult = async (id: string) => {
    const result = (await h().api.temporal.workflow.getHandle(requestWorkflowId('claim', id)).result()) as {
      status: string;
    };
    await recordHistory(h().api.temporal, requestWorkflowId('claim', id), `claim-${result.status}`);
    return result;
  };

  /** One run of the premium workflow the `insurance-premiums` Schedule starts, on this test's task queue. */
  const runPremiums = async (batchSize = 2) => {
    const workflowId = `insurance-premiums-test-${randomUUID()}`;
    const result: unknown = await h().api.temporal.workflow.execute('insurancePremiumsWorkflow', {
      taskQueue: h().config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [{ batchSize }],
    });
    await recordHistory(h().api.temporal, workflowId, `insurance-premiums-run-batch-${batchSize}`);
    return result;
  };

  /** What a refused claim must not leave behind. */
  async function claimFootprint(workerId: string) {
    const result: { rows: Array<{ claims: number; requests: number; attached: number; events: number }> } =
      await h().database.db.raw(
        `SELECT
           (SELECT count(*) FROM insurance_claims WHERE worker_id = :w)::int AS claims,
           (SELECT count(*) FROM requests WHERE worker_id = :w AND type = 'claim')::int AS requests,
           (SELECT count(*) FROM documents WHERE worker_id = :w AND attached_to IS NOT NULL)::int AS attached,
           (SELECT count(*) FROM outbox_events WHERE worker_id = :w AND type = 'request.status_changed'
              AND payload->>'requestType' = 'claim')::int AS events`,
        { w: workerId },
      );
    return result.rows[0];
  }

  return {
    ledger,
    rider,
    wallet,
    pool,
    coverage,
    optIn,
    optOut,
    upload,
    fileClaim,
    claimOf,
    decide,
    claimResult,
    runPremiums,
    claimFootprint,
    inject,
  };
}

describe('micro-insurance: coverage, premiums and claims on real components', () => {
  let h: Harness;
  const sockets: Socket[] = [];
  const t = toolkit(() => h);

  beforeAll(async () => {
    h = await createHarness({ listen: true, worker: true, env: { APPROVAL_SLA_CLAIM_MS: '60000' } });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await h.api.temporal.schedule
      .getHandle(INSURANCE_PREMIUMS_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    await h.close();
  });

  async function connectAs(token: string): Promise<Socket> {
    const socket = connectSocket(h.api.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }

  async function insured(earningsPaise = 100_000) {
    const worker = await t.rider(earningsPaise);
    expect((await t.optIn(worker.token)).statusCode).toBe(200);
    return worker;
  }

  describe('coverage and premiums', () => {
    it('opt-in pays this month’s premium at once (wallet −₹50, pool +₹50); repeats and premium runs charge once', async () => {
      const worker = await t.rider(100_000);
      const poolBefore = await t.pool();
      const before = await t.coverage(worker.token);
      expect(before).toMatchObject({ status: 'none', coveredToday: false, currentPeriod: null });

      const response = await t.optIn(worker.token);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        status: 'active',
        coveredToday: true,
        optOutEffectiveOn: null,
        currentPeriod: { startsOn: daysAgo(0), endsOn: null },
        premium: { monthlyPaise: PREMIUM, thisMonth: { status: 'paid', amountPaise: PREMIUM }, overdue: null },
      });
      expect(await t.wallet(worker)).toBe(100_000 - PREMIUM);
      expect((await t.pool()) - poolBefore).toBe(PREMIUM);

      // Opting in again, and the Schedule's run twice at once and once more: still one premium.
      expect((await t.optIn(worker.token)).statusCode).toBe(200);
      await Promise.all([t.runPremiums(), t.runPremiums()]);
      await t.runPremiums(1);
      expect(await t.wallet(worker)).toBe(100_000 - PREMIUM);
      expect((await t.pool()) - poolBefore).toBe(PREMIUM);
      const month = new Date(today() * DAY_MS).toISOString().slice(0, 7);
      const journals = await h.database
        .db('ledger_journals')
        .where({ idempotency_key: `premium:${worker.workerId}:${month}`, kind: 'insurance_premium' });
      expect(journals).toHaveLength(1);
      const premiums = await h.database.db('insurance_premiums').where({ worker_id: worker.workerId });
      expect(premiums).toHaveLength(1);
      expect(premiums[0]).toMatchObject({ month, status: 'paid', amount_paise: PREMIUM });

      const events = await h.database
        .db('outbox_events')
        .where({ worker_id: worker.workerId, type: 'insurance.coverage_changed' })
        .orderBy('id');
      expect(events.map((e: { payload: { status: string } }) => e.payload.status)).toEqual(['active']);
    });

    /** Insured since last month with last month's premium paid, as last month's run would have left it. */
    async function insuredSinceLastMonth(worker: { workerId: string; walletId: string }) {
      const d = new Date(today() * DAY_MS);
      const previous = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
      const ledger = t.ledger();
      const poolAccount = await ledger.systemAccount('insurance_pool');
      const { journal } = await ledger.postJournal({
        idempotencyKey: `premium:${worker.workerId}:${previous}`,
        kind: 'insurance_premium',
        postings: [
          { accountId: worker.walletId, amountPaise: -PREMIUM },
          { accountId: poolAccount.id, amountPaise: PREMIUM },
        ],
      });
      const db = h.database.db;
      await db('insurance_coverages').insert({
        worker_id: worker.workerId,
        status: 'active',
        opted_in_at: new Date(Date.now() - 40 * DAY_MS),
      });
      await db('insurance_coverage_periods').insert({ worker_id: worker.workerId, starts_on: daysAgo(40) });
      await db('insurance_premiums').insert({
        worker_id: worker.workerId,
        month: previous,
        amount_paise: PREMIUM,
        due_on: `${previous}-01`,
        status: 'paid',
        attempts: 1,
        paid_at: new Date(Date.now() - 40 * DAY_MS),
        journal_id: journal.id,
      });
      return { previous };
    }

    it('a new IST month: the run bills a covered worker once (two runs at once), debits the wallet, tells the app', async () => {
      const worker = await t.rider(100_000);
      const current = new Date(today() * DAY_MS).toISOString().slice(0, 7);
      const { previous } = await insuredSinceLastMonth(worker);
      const db = h.database.db;
      const poolBefore = await t.pool();

      await Promise.all([t.runPremiums(), t.runPremiums(3)]);
      expect(await t.wallet(worker)).toBe(100_000 - 2 * PREMIUM);
      expect((await t.pool()) - poolBefore).toBe(PREMIUM);
      const premiums = await db('insurance_premiums')
        .where({ worker_id: worker.workerId })
        .orderBy('month')
        .select('month', 'status', db.raw('due_on::text AS due_on'));
      expect(premiums).toEqual([
        { month: previous, status: 'paid', due_on: `${previous}-01` },
        { month: current, status: 'paid', due_on: `${current}-01` },
      ]);
      const events = await db('outbox_events').where({
        worker_id: worker.workerId,
        type: 'insurance.coverage_changed',
      });
      expect(events.map((e: { payload: { status: string } }) => e.payload.status)).toEqual(['active']);
      expect(await t.coverage(worker.token)).toMatchObject({
        status: 'active',
        currentPeriod: { startsOn: daysAgo(40) },
      });
    });

    it('contributions list the premium and the 1% share of a paid withdrawal, newest first, with a cursor', async () => {
      const worker = await signInWorker(h.api.app);
      await fundWorker(h, worker, { earningsPaise: 500_000, plans: ['solo'] });
      expect((await t.optIn(worker.token)).statusCode).toBe(200);
      const created = await postWithdrawal(h.api.app, worker.token, `w-${randomUUID()}`, { amountPaise: 100_000 });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ insuranceContributionPaise: 1_000 });
      const withdrawalId = created.json<{ id: string }>().id;
      await h.api.temporal.workflow.getHandle(`withdrawal-${withdrawalId}`).result();

      const first = await t.inject({
        method: 'GET',
        url: '/v1/insurance/contributions?limit=1',
        headers: bearer(worker.token),
      });
      expect(first.statusCode).toBe(200);
      const page1 = first.json<{ items: unknown[]; nextCursor: string; totals: unknown }>();
      expect(page1.items).toEqual([
        expect.objectContaining({ kind: 'withdrawal_share', amountPaise: 1_000, withdrawalId }),
      ]);
      expect(page1.totals).toEqual({ premiumsPaise: PREMIUM, withdrawalSharesPaise: 1_000, currency: 'INR' });
      const second = await t.inject({
        method: 'GET',
        url: `/v1/insurance/contributions?limit=1&cursor=${page1.nextCursor}`,
        headers: bearer(worker.token),
      });
      const page2 = second.json<{ items: unknown[]; nextCursor: string | null }>();
      expect(page2.items).toEqual([
        expect.objectContaining({ kind: 'premium', amountPaise: PREMIUM, withdrawalId: null }),
      ]);
      const third = await t.inject({
        method: 'GET',
        url: `/v1/insurance/contributions?limit=1&cursor=${page2.nextCursor}`,
        headers: bearer(worker.token),
      });
      expect(third.json()).toMatchObject({ items: [], nextCursor: null });
      const forged = await t.inject({
        method: 'GET',
        url: '/v1/insurance/contributions?cursor=bm90LWEtY3Vyc29y',
        headers: bearer(worker.token),
      });
      expect(forged.statusCode).toBe(400);
    });

    it('a first opt-in must pay its premium now: with an empty wallet it is refused and nothing is stored', async () => {
      const worker = await t.rider(0);
      const poolBefore = await t.pool();
      const refused = await t.optIn(worker.token);
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
      expect(await t.coverage(worker.token)).toMatchObject({ status: 'none', coveredToday: false });
      expect(await h.database.db('insurance_premiums').where({ worker_id: worker.workerId })).toEqual([]);
      expect(await h.database.db('insurance_coverage_periods').where({ worker_id: worker.workerId })).toEqual([]);
      expect(await t.pool()).toBe(poolBefore);
    });

    it('no money at renewal: grace, lapse after the grace, a lapse-day incident refused (NOT_COVERED), money → reinstated', async () => {
      // Insured since last month, last month's premium paid (the wallet is empty since), and this month's premium
      // billed today by the month's first run (as if today were the 1st), not yet paid.
      const worker = await t.rider(PREMIUM);
      const { previous } = await insuredSinceLastMonth(worker);
      await h.database.db('insurance_premiums').insert({
        worker_id: worker.workerId,
        month: new Date(today() * DAY_MS).toISOString().slice(0, 7),
        amount_paise: PREMIUM,
        due_on: daysAgo(0),
        status: 'due',
      });
      const poolBefore = await t.pool();
      await t.runPremiums();
      expect(await t.coverage(worker.token)).toMatchObject({
        status: 'grace',
        coveredToday: true,
        premium: {
          thisMonth: { status: 'due', attempts: 1 },
          overdue: { lapsesOn: expect.any(String) },
        },
      });
      expect(await t.pool()).toBe(poolBefore);
      // The 1% withdrawal share applies during grace too: cover continues.
      const preview = await t.inject({
        method: 'GET',
        url: '/v1/withdrawals/preview?amountPaise=100000',
        headers: bearer(worker.token),
      });
      expect(preview.json()).toMatchObject({ insuranceContributionPaise: 1_000 });

      // Within the grace days a run retries and keeps the grace.
      await t.runPremiums();
      expect(await t.coverage(worker.token)).toMatchObject({
        status: 'grace',
        premium: { thisMonth: { status: 'due', attempts: 2 } },
      });

      // Ten days later (the premium and the cover backdated): the run lapses the cover 7 days after the due day.
      await h.database
        .db('insurance_premiums')
        .where({ worker_id: worker.workerId })
        .whereNot({ month: previous })
        .update({ due_on: daysAgo(10) });
      await h.database
        .db('insurance_coverage_periods')
        .where({ worker_id: worker.workerId })
        .update({ starts_on: daysAgo(10) });
      const beforeLapse = await t.claimFootprint(worker.workerId);
      await t.runPremiums();
      const lapsed = await t.coverage(worker.token);
      expect(lapsed).toMatchObject({ status: 'lapsed', coveredToday: false, currentPeriod: null });
      const periods = await h.database
        .db('insurance_coverage_periods')
        .where({ worker_id: worker.workerId })
        .select(h.database.db.raw('starts_on::text AS starts_on'), h.database.db.raw('ends_on::text AS ends_on'));
      expect(periods).toEqual([{ starts_on: daysAgo(10), ends_on: daysAgo(3) }]);

      // An incident on a lapsed day is refused, naming the rule, and leaves nothing behind.
      const refused = await t.fileClaim(worker.token, {
        incidentOn: daysAgo(1),
        documentIds: [await t.upload(worker.token)],
      });
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toMatchObject({ error: { code: 'CLAIM_NOT_ALLOWED', details: { rule: 'NOT_COVERED' } } });
      expect(await t.claimFootprint(worker.workerId)).toEqual(beforeLapse);
      // The last grace day was still covered.
      const graceDay = await t.fileClaim(worker.token, {
        type: 'product_damage_loss',
        incidentOn: daysAgo(4),
        documentIds: [await t.upload(worker.token)],
      });
      expect(graceDay.statusCode).toBe(201);

      // Opting in again while lapsed and broke is refused; nothing changes.
      const broke = await t.optIn(worker.token);
      expect(broke.statusCode).toBe(422);
      expect(broke.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });

      // Money arrives: the next run collects the premium and reinstates cover from today.
      await fundWorker(h, worker, { earningsPaise: 20_000, plans: [] });
      await t.runPremiums();
      expect(await t.coverage(worker.token)).toMatchObject({
        status: 'active',
        coveredToday: true,
        currentPeriod: { startsOn: daysAgo(0), endsOn: null },
        premium: { thisMonth: { status: 'paid' }, overdue: null },
      });
      expect(await t.wallet(worker)).toBe(20_000 - PREMIUM);
      expect((await t.pool()) - poolBefore).toBe(PREMIUM);
      const statuses = await h.database
        .db('outbox_events')
        .where({ worker_id: worker.workerId, type: 'insurance.coverage_changed' })
        .orderBy('id');
      expect(statuses.map((e: { payload: { status: string } }) => e.payload.status)).toEqual([
        'grace',
        'lapsed',
        'active',
      ]);
      // The lapse stays a gap: an incident yesterday is still not covered.
      const gap = await t.fileClaim(worker.token, {
        incidentOn: daysAgo(1),
        documentIds: [await t.upload(worker.token)],
      });
      expect(gap.json()).toMatchObject({ error: { details: { rule: 'NOT_COVERED' } } });
    });

    it('opt-out takes effect on the 1st of next month; the run then closes the cover; opting in again charges nothing twice', async () => {
      const worker = await insured();
      const out = await t.optOut(worker.token);
      expect(out.statusCode).toBe(200);
      expect(out.json()).toMatchObject({
        status: 'active',
        coveredToday: true,
        optOutEffectiveOn: firstOfNextMonth(),
        currentPeriod: { startsOn: daysAgo(0), endsOn: null },
      });
      expect((await t.optOut(worker.token)).json()).toMatchObject({ optOutEffectiveOn: firstOfNextMonth() });
      await t.runPremiums();
      expect(await t.coverage(worker.token)).toMatchObject({ status: 'active', optOutEffectiveOn: firstOfNextMonth() });

      // The month has ended (the effective day brought to today): the run applies the opt-out.
      await h.database
        .db('insurance_coverages')
        .where({ worker_id: worker.workerId })
        .update({ opt_out_effective_on: daysAgo(0) });
      await t.runPremiums();
      expect(await t.coverage(worker.token)).toMatchObject({
        status: 'opted_out',
        coveredToday: false,
        currentPeriod: null,
      });
      const [period] = await h.database
        .db('insurance_coverage_periods')
        .where({ worker_id: worker.workerId })
        .select(h.database.db.raw('ends_on::text AS ends_on'));
      expect(period).toEqual({ ends_on: daysAgo(0) });
      const again = await t.optOut(worker.token);
      expect(again.statusCode).toBe(422);
      expect(again.json()).toMatchObject({ error: { code: 'NOT_INSURED' } });

      // Back in: this month's premium is already paid, so nothing more is charged.
      expect((await t.optIn(worker.token)).json()).toMatchObject({ status: 'active', optOutEffectiveOn: null });
      expect(await t.wallet(worker)).toBe(100_000 - PREMIUM);
    });

    it('an opt-out is withdrawn by opting in again before it takes effect', async () => {
      const worker = await insured();
      expect((await t.optOut(worker.token)).statusCode).toBe(200);
      expect((await t.optIn(worker.token)).json()).toMatchObject({ status: 'active', optOutEffectiveOn: null });
      expect(await t.wallet(worker)).toBe(100_000 - PREMIUM);
    });

    it('the insurance-premiums Schedule is ensured idempotently and starts the premium workflow at the configured interval', async () => {
      await ensureInsurancePremiumsSchedule(h.api.temporal, h.config);
      await ensureInsurancePremiumsSchedule(h.api.temporal, h.config);
      const description = await h.api.temporal.schedule.getHandle(INSURANCE_PREMIUMS_SCHEDULE_ID).describe();
      expect(description.spec.intervals?.[0]?.every).toBe(h.config.INSURANCE_PREMIUM_INTERVAL_MS);
      expect(description.action).toMatchObject({
        workflowType: 'insurancePremiumsWorkflow',
        args: [{ batchSize: 100 }],
      });
      expect(description.policies.overlap).toBe('SKIP');
    });
  });

  describe('claims', () => {
    it('approved by an admin: ₹8,000 from the pool to the wallet, paid, on the worker’s socket', async () => {
      const worker = await insured();
      const admin = await signInAdmin(h.api.app);
      const socket = await connectAs(worker.token);
      const seen: EventEnvelope[] = [];
      socket.on('request.status_changed', (e: EventEnvelope) => seen.push(e));
      const [doc1, doc2] = [await t.upload(worker.token), await t.upload(worker.token)];
      const key = `claim-${randomUUID()}`;
      const created = await t.fileClaim(worker.token, { incidentOn: daysAgo(0), documentIds: [doc1, doc2] }, key);
      expect(created.statusCode).toBe(201);
      const claim = created.json<ClaimBody>();
      expect(claim).toMatchObject({ status: 'pending_approval', payoutPaise: VEHICLE, currency: 'INR' });
      expect(claim.documents).toHaveLength(2);
      expect(await h.database.db('requests').where({ id: claim.id }).first()).toMatchObject({
        type: 'claim',
        status: 'pending_approval',
        approvals_required: 1,
        amount_paise: VEHICLE,
        workflow_id: `claim-${claim.id}`,
      });

      // The same key replays the claim; the same key for another claim is refused.
      const replay = await t.fileClaim(worker.token, { incidentOn: daysAgo(0), documentIds: [doc1, doc2] }, key);
      expect(replay.statusCode).toBe(200);
      expect(replay.json()).toMatchObject({ id: claim.id });
      const reused = await t.fileClaim(worker.token, { incidentOn: daysAgo(1), documentIds: [doc1, doc2] }, key);
      expect(reused.statusCode).toBe(422);
      expect(reused.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });

      const walletBefore = await t.wallet(worker);
      const poolBefore = await t.pool();
      const decision = await t.decide(admin.token, claim.id, { decision: 'approve', comment: 'photos check out' });
      expect(decision.statusCode).toBe(200);
      expect(decision.json()).toMatchObject({ status: 'paid', closedAt: expect.any(String) });
      expect(await t.wallet(worker)).toBe(walletBefore + VEHICLE);
      expect((await t.pool()) - poolBefore).toBe(-VEHICLE);
      expect(await t.claimResult(claim.id)).toEqual({ claimId: claim.id, status: 'paid' });
      const journal = await h.database.db('ledger_journals').where({ idempotency_key: `claim:${claim.id}:payout` });
      expect(journal).toHaveLength(1);
      expect(journal[0]).toMatchObject({ kind: 'insurance_payout' });

      const detail = await t.inject({
        method: 'GET',
        url: `/v1/insurance/claims/${claim.id}`,
        headers: bearer(worker.token),
      });
      const body = detail.json<ClaimBody>();
      expect(body.status).toBe('paid');
      expect(body.history.map((e) => [e.kind, e.status, e.by])).toEqual([
        ['created', 'pending_approval', 'worker'],
        ['decision', null, 'admin'],
        ['status', 'paid', 'admin'],
      ]);
      expect(JSON.stringify(body.history)).not.toContain('photos check out');

      const deadline = Date.now() + 10_000;
      while (!seen.some((e) => e.data.requestId === claim.id && e.data.status === 'paid') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen.find((e) => e.data.requestId === claim.id && e.data.status === 'paid')?.data).toMatchObject({
        requestType: 'claim',
        amountPaise: VEHICLE,
      });

      const adminView = await t.inject({
        method: 'GET',
        url: `/v1/admin/requests/${claim.id}`,
        headers: bearer(admin.token),
      });
      expect(adminView.json()).toMatchObject({
        request: { type: 'claim', status: 'paid' },
        subject: { type: 'vehicle_damage', status: 'paid', payoutPaise: VEHICLE, coveredOnIncidentDay: true },
      });
      expect(adminView.json<{ documents: unknown[] }>().documents).toHaveLength(2);
      expect((await t.coverage(worker.token)).claimLimits).toContainEqual(
        expect.objectContaining({ type: 'vehicle_damage', usedThisYear: 1, remaining: 1 }),
      );
      const list = await t.inject({ method: 'GET', url: '/v1/insurance/claims', headers: bearer(worker.token) });
      expect(list.json()).toMatchObject({ items: [{ id: claim.id, status: 'paid' }], nextCursor: null });

      // Another worker sees nothing of it.
      const other = await signInWorker(h.api.app);
      for (const [method, url] of [
        ['GET', `/v1/insurance/claims/${claim.id}`],
        ['POST', `/v1/insurance/claims/${claim.id}/cancel`],
      ] as const) {
        const foreign = await t.inject({ method, url, headers: bearer(other.token) });
        expect(foreign.statusCode).toBe(404);
      }
    });

    it('a rejection needs a reason, tells the worker why and pays nothing', async () => {
      const worker = await insured();
      const admin = await signInAdmin(h.api.app);
      const claim = await t.claimOf(worker.token, { type: 'product_damage_loss' });
      expect(claim.payoutPaise).toBe(PRODUCT);
      const walletBefore = await t.wallet(worker);
      const poolBefore = await t.pool();

      const noReason = await t.decide(admin.token, claim.id, { decision: 'reject' });
      expect(noReason.statusCode).toBe(400);
      expect(noReason.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      const rejected = await t.decide(admin.token, claim.id, {
        decision: 'reject',
        reason: 'photos are of another bike',
      });
      expect(rejected.statusCode).toBe(200);
      expect(rejected.json()).toMatchObject({ status: 'rejected' });
      expect(await t.claimResult(claim.id)).toEqual({ claimId: claim.id, status: 'rejected' });
      const detail = await t.inject({
        method: 'GET',
        url: `/v1/insurance/claims/${claim.id}`,
        headers: bearer(worker.token),
      });
      expect(detail.json()).toMatchObject({ status: 'rejected', decisionReason: 'photos are of another bike' });
      expect(await t.wallet(worker)).toBe(walletBefore);
      expect(await t.pool()).toBe(poolBefore);
      expect(await h.database.db('ledger_journals').where({ idempotency_key: `claim:${claim.id}:payout` })).toEqual([]);
      const late = await t.decide(admin.token, claim.id, { decision: 'approve' });
      expect(late.statusCode).toBe(409);
      // A rejected claim does not count toward the cap.
      expect((await t.coverage(worker.token)).claimLimits).toContainEqual(
        expect.objectContaining({ type: 'product_damage_loss', usedThisYear: 0 }),
      );
    });

    it('the worker cancels while it waits; afterwards cancelling is refused and nothing was paid', async () => {
      const worker = await insured();
      const claim = await t.claimOf(worker.token);
      const walletBefore = await t.wallet(worker);
      const cancel = () =>
        t.inject({ method: 'POST', url: `/v1/insurance/claims/${claim.id}/cancel`, headers: bearer(worker.token) });
      const cancelled = await cancel();
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.json()).toMatchObject({ status: 'cancelled', decisionReason: 'cancelled by the worker' });
      expect(await t.claimResult(claim.id)).toEqual({ claimId: claim.id, status: 'cancelled' });
      const again = await cancel();
      expect(again.statusCode).toBe(409);
      expect(again.json<{ error: { message: string } }>().error.message).toMatch(/already cancelled/);
      expect(await t.wallet(worker)).toBe(walletBefore);
      expect(await h.database.db('requests').where({ id: claim.id }).first()).toMatchObject({
        status: 'cancelled',
        closed_at: expect.any(Date),
      });
    });

    it('caps: a third vehicle-damage claim in a year is refused while two are pending or paid', async () => {
      const worker = await insured();
      await t.claimOf(worker.token);
      await t.claimOf(worker.token);
      const before = await t.claimFootprint(worker.workerId);
      const third = await t.fileClaim(worker.token, { documentIds: [await t.upload(worker.token)] });
      expect(third.statusCode).toBe(422);
      expect(third.json()).toMatchObject({
        error: { code: 'CLAIM_NOT_ALLOWED', details: { rule: 'CLAIM_CAP_REACHED' } },
      });
      expect(third.json<{ error: { message: string } }>().error.message).toMatch(/twice .* limit is 2/);
      expect(await t.claimFootprint(worker.workerId)).toEqual(before);
      // Product damage has its own cap.
      expect(
        (await t.fileClaim(worker.token, { type: 'product_damage_loss', documentIds: [await t.upload(worker.token)] }))
          .statusCode,
      ).toBe(201);
    });

    it.each([
      ['reported 31 days after the incident', { incidentOn: daysAgo(31) }, 'REPORTED_TOO_LATE'],
      ['an incident tomorrow', { incidentOn: isoDateOf(today() + 1) }, 'INCIDENT_IN_FUTURE'],
      ['an incident before opting in', { incidentOn: daysAgo(1) }, 'NOT_COVERED'],
      ['no documents', { documents: 0 }, 'DOCUMENTS_REQUIRED'],
      ['four documents', { documents: 4 }, 'DOCUMENTS_REQUIRED'],
    ])('refuses %s, naming the rule and leaving nothing behind', async (_name, input, rule) => {
      const worker = await insured();
      const { documents = 1, incidentOn } = input as { documents?: number; incidentOn?: string };
      const ids: string[] = [];
      for (let i = 0; i < documents; i++) ids.push(await t.upload(worker.token));
      const before = await t.claimFootprint(worker.workerId);
      const response = await t.fileClaim(worker.token, { incidentOn, documentIds: ids });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ error: { code: 'CLAIM_NOT_ALLOWED', details: { rule } } });
      expect(await t.claimFootprint(worker.workerId)).toEqual(before);
    });

    it('refuses another worker’s document, a loan document, a used one, and a worker never insured', async () => {
      const worker = await insured();
      const other = await insured();
      const foreignDoc = await t.upload(other.token);
      const loanDoc = await t.upload(worker.token, 'loan_proof');
      const used = (await t.claimOf(worker.token)).id;
      const usedDoc = ((await h.database.db('documents').where({ attached_to: used }).first()) as { id: string }).id;
      const before = await t.claimFootprint(worker.workerId);
      for (const documentIds of [[foreignDoc], [await t.upload(worker.token), loanDoc], [usedDoc]]) {
        const response = await t.fileClaim(worker.token, { type: 'product_damage_loss', documentIds });
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      }
      expect(await t.claimFootprint(worker.workerId)).toEqual(before);
      expect(await h.database.db('documents').where({ id: foreignDoc }).first()).toMatchObject({ attached_to: null });

      const never = await t.rider(100_000);
      const refused = await t.fileClaim(never.token, { documentIds: [await t.upload(never.token)] });
      expect(refused.json()).toMatchObject({ error: { code: 'CLAIM_NOT_ALLOWED', details: { rule: 'NOT_COVERED' } } });
      expect(await t.claimFootprint(never.workerId)).toEqual({ claims: 0, requests: 0, attached: 0, events: 0 });
    });

    it('refuses malformed claims with 400 and no state change', async () => {
      const worker = await insured();
      const doc = await t.upload(worker.token);
      const before = await t.claimFootprint(worker.workerId);
      for (const payload of [
        { type: 'theft', incidentOn: daysAgo(0), description: 'x', documentIds: [doc] },
        { type: 'vehicle_damage', incidentOn: '2027-02-30', description: 'x', documentIds: [doc] },
        { type: 'vehicle_damage', incidentOn: daysAgo(0), description: '   ', documentIds: [doc] },
        { type: 'vehicle_damage', incidentOn: daysAgo(0), description: 'x', documentIds: ['not-a-uuid'] },
        { type: 'vehicle_damage', incidentOn: daysAgo(0), description: 'x', documentIds: [doc], extra: 1 },
      ]) {
        const response = await t.inject({
          method: 'POST',
          url: '/v1/insurance/claims',
          headers: { ...bearer(worker.token), 'idempotency-key': `bad-${randomUUID()}` },
          payload,
        });
        expect(response.statusCode).toBe(400);
      }
      const noKey = await t.inject({
        method: 'POST',
        url: '/v1/insurance/claims',
        headers: bearer(worker.token),
        payload: { type: 'vehicle_damage', incidentOn: daysAgo(0), description: 'x', documentIds: [doc] },
      });
      expect(noKey.statusCode).toBe(400);
      expect(await t.claimFootprint(worker.workerId)).toEqual(before);
    });

    it('bulk approval of two claims, one already rejected: a result per item, one payout', async () => {
      const worker = await insured();
      const admin = await signInAdmin(h.api.app);
      const first = await t.claimOf(worker.token, { type: 'product_damage_loss' });
      const second = await t.claimOf(worker.token, { type: 'product_damage_loss' });
      expect(
        (await t.decide(admin.token, second.id, { decision: 'reject', reason: 'duplicate of another claim' }))
          .statusCode,
      ).toBe(200);
      const walletBefore = await t.wallet(worker);
      const bulk = await t.inject({
        method: 'POST',
        url: '/v1/admin/requests/bulk-decision',
        headers: bearer(admin.token),
        payload: { ids: [first.id, second.id], decision: 'approve' },
      });
      expect(bulk.statusCode).toBe(200);
      expect(bulk.json()).toMatchObject({
        succeeded: 1,
        failed: 1,
        results: [
          { id: first.id, ok: true, status: 'paid' },
          { id: second.id, ok: false, error: { code: 'DECISION_NOT_ALLOWED' } },
        ],
      });
      expect(await t.wallet(worker)).toBe(walletBefore + PRODUCT);
      expect(await t.claimResult(first.id)).toMatchObject({ status: 'paid' });
    });
  });
});

describe('micro-insurance: claim expiry', () => {
  let h: Harness;
  const t = toolkit(() => h);
  beforeAll(async () => {
    h = await createHarness({ worker: true, env: { APPROVAL_SLA_CLAIM_MS: '400' } });
  });
  afterAll(() => h.close());

  it('escalates at the SLA, expires at 3× without a decision, pays nothing, and refuses a late decision', async () => {
    const worker = await t.rider(100_000);
    expect((await t.optIn(worker.token)).statusCode).toBe(200);
    const admin = await signInAdmin(h.api.app);
    const claim = await t.claimOf(worker.token);
    const walletBefore = await t.wallet(worker);
    expect(await t.claimResult(claim.id)).toEqual({ claimId: claim.id, status: 'expired' });
    expect(await h.database.db('insurance_claims').where({ id: claim.id }).first()).toMatchObject({
      status: 'expired',
      decision_reason: 'expired',
      journal_id: null,
    });
    expect(await h.database.db('requests').where({ id: claim.id }).first()).toMatchObject({
      status: 'expired',
      escalated_at: expect.any(Date),
      closed_at: expect.any(Date),
    });
    expect(await t.wallet(worker)).toBe(walletBefore);
    const late = await t.decide(admin.token, claim.id, { decision: 'approve' });
    expect(late.statusCode).toBe(409);
    expect(late.json<{ error: { message: string } }>().error.message).toMatch(/already expired/);
  });
});
