import { randomUUID } from 'node:crypto';
import { createLoanActivities } from '../../activities/loan.activities';
import { createLedgerRepository } from '../../api/db/ledger.repository';
import { createLedgerService } from '../../api/services/ledger.service';
import { requestWorkflowId } from '../../workflows/contracts';
import {
  bearer,
  createAdminAccount,
  createHarness,
  signInAdmin,
  signInAs,
  signInWorker,
  type Harness,
} from '../helpers/harness';
import { decideRequest, eventually, seedEarningHistory, uploadDocument } from '../helpers/loans';
import { firstRunId, recordHistory } from '../helpers/histories';

interface LoanBody {
  id: string;
  status: string;
  amountPaise: number;
  annualRateBps: number;
  tenureMonths: number;
  emiPaise: number;
  totalInterestPaise: number;
  instalments?: Array<{
    number: number;
    status: string;
    principalPaise: number;
    interestPaise: number;
    lateFeePaise: number;
  }>;
}

/** A rider with 100 days on GigBit and 80 days of ₹900: all three conditions, 7%, up to ₹36,000. */
async function seasonedRider(h: Harness) {
  const worker = await signInWorker(h.api.app);
  await seedEarningHistory(h, worker, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
  return worker;
}

function ledgerOf(h: Harness) {
  return createLedgerService({ db: h.database.db, ledger: createLedgerRepository(h.database.db) });
}

async function apply(h: Harness, token: string, amountPaise: number, key = `loan-${randomUUID()}`) {
  const documentId = await uploadDocument(h.api.app, token);
  return h.api.app.inject({
    method: 'POST',
    url: '/v1/loans',
    headers: { ...bearer(token), 'idempotency-key': key },
    payload: { amountPaise, documentId },
  });
}

const getLoan = (h: Harness, token: string, id: string) =>
  h.api.app.inject({ method: 'GET', url: `/v1/loans/${id}`, headers: bearer(token) }).then((r) => r.json<LoanBody>());

const countRows = async (h: Harness, table: string, where: Record<string, unknown>) =>
  Number((await h.database.db(table).where(where).count<Array<{ count: string }>>('* as count'))[0]!.count);

describe('loans: eligibility, application, approvals and disbursal', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: true });
  });
  afterAll(() => h.close());

  it('tells a new worker which condition limits them, and refuses an application while storing nothing', async () => {
    const worker = await signInWorker(h.api.app);
    const eligibility = await h.api.app.inject({
      method: 'GET',
      url: '/v1/loans/eligibility',
      headers: bearer(worker.token),
    });
    expect(eligibility.statusCode).toBe(200);
    // The condition in figures beside the English sentence, and the rule's own figures, for any language.
    expect(eligibility.json()).toMatchObject({
      eligibility: {
        eligible: false,
        score: 0,
        minScore: 300,
        minAmountPaise: 500_000,
        windowDays: 90,
        goodDayPaise: 80_000,
        maxAmountPaise: 0,
        limitingCondition: {
          code: 'LOW_SCORE',
          message: 'Your score is 0; you need 300. Work on more days to raise it.',
          details: { score: 0, minScore: 300 },
        },
      },
      bestOffer: null,
    });
    expect(
      eligibility.json<{ eligibility: { limitingCondition: { details: unknown } } }>().eligibility.limitingCondition
        .details,
    ).toEqual({ score: 0, minScore: 300 });
    const quote = await h.api.app.inject({
      method: 'GET',
      url: '/v1/loans/quote?amountPaise=500000',
      headers: bearer(worker.token),
    });
    expect(quote.json<{ refusal: unknown }>().refusal).toEqual({
      code: 'NOT_ELIGIBLE',
      message: 'Your score is 0; you need 300. Work on more days to raise it.',
      details: { limitingCondition: 'LOW_SCORE', score: 0, minScore: 300 },
    });
    const refused = await apply(h, worker.token, 500_000);
    expect(refused.statusCode).toBe(422);
    expect(refused.json<{ error: unknown }>().error).toEqual({
      code: 'LOAN_NOT_ALLOWED',
      message: 'Your score is 0; you need 300. Work on more days to raise it.',
      requestId: expect.any(String),
      details: { limitingCondition: 'LOW_SCORE', score: 0, minScore: 300, maxAmountPaise: 0 },
    });
    expect(await countRows(h, 'loans', { worker_id: worker.workerId })).toBe(0);
    expect(await countRows(h, 'requests', { worker_id: worker.workerId })).toBe(0);
    expect(await countRows(h, 'documents', { worker_id: worker.workerId, attached_to: null })).toBe(1);
  });

  it('offers a seasoned worker 7% up to half their 90-day earnings, with the exact EMI', async () => {
    const worker = await seasonedRider(h);
    const response = await h.api.app.inject({
      method: 'GET',
      url: '/v1/loans/eligibility',
      headers: bearer(worker.token),
    });
    expect(response.json()).toMatchObject({
      eligibility: { eligible: true, conditionsMet: 3, annualRateBps: 700, maxAmountPaise: 3_600_000 },
      bestOffer: { amountPaise: 3_600_000, tenureMonths: 18, approvalsRequired: 2, refusal: null },
    });
    const quote = await h.api.app.inject({
      method: 'GET',
      url: '/v1/loans/quote?amountPaise=3700000',
      headers: bearer(worker.token),
    });
    expect(quote.json<{ refusal: unknown }>().refusal).toEqual({
      code: 'AMOUNT_OUT_OF_RANGE',
      message: 'You can borrow between ₹5,000 and ₹36,000.',
      details: { minPaise: 500_000, maxPaise: 3_600_000 },
    });
    const refused = await apply(h, worker.token, 3_700_000);
    expect(refused.statusCode).toBe(422);
    expect(refused.json<{ error: unknown }>().error).toEqual({
      code: 'AMOUNT_OUT_OF_RANGE',
      message: 'You can borrow between ₹5,000 and ₹36,000.',
      requestId: expect.any(String),
      details: { limitingCondition: null, maxAmountPaise: 3_600_000, minPaise: 500_000, maxPaise: 3_600_000 },
    });
  });

  it('five applications at once with different keys: one loan, four refusals naming the open loan', async () => {
    const worker = await seasonedRider(h);
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => apply(h, worker.token, n * 100_000 + 500_000)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 422, 422, 422, 422]);
    for (const refused of answers.filter((a) => a.statusCode === 422)) {
      expect(refused.json()).toMatchObject({
        error: { code: 'LOAN_NOT_ALLOWED', details: { limitingCondition: 'OPEN_LOAN', maxAmountPaise: 3_600_000 } },
      });
    }
    expect(await countRows(h, 'loans', { worker_id: worker.workerId })).toBe(1);
  });

  it('one approver below ₹25,000: disburses exactly once through the ledger, with the schedule stored', async () => {
    const worker = await seasonedRider(h);
    const admin = await signInAdmin(h.api.app);
    const ledger = ledgerOf(h);
    const wallet = await ledger.walletOf(worker.workerId);
    const before = (await ledger.balanceOf(wallet.id)).balancePaise;

    const created = await apply(h, worker.token, 1_000_000, 'loan-key-one-approver');
    expect(created.statusCode).toBe(201);
    const loan = created.json<LoanBody>();
    expect(loan).toMatchObject({ status: 'pending_approval', annualRateBps: 700, tenureMonths: 6 });
    const again = await apply(h, worker.token, 600_000);
    expect(again.statusCode).toBe(422);
    expect(again.json()).toMatchObject({
      error: {
        code: 'LOAN_NOT_ALLOWED',
        message: expect.stringMatching(/already have a loan/),
        details: { limitingCondition: 'OPEN_LOAN', maxAmountPaise: 3_600_000 },
      },
    });

    const inbox = await h.api.app.inject({
      method: 'GET',
      url: '/v1/admin/requests?type=loan',
      headers: bearer(admin.token),
    });
    expect(inbox.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id)).toContain(loan.id);

    const decided = await decideRequest(h.api.app, admin.token, loan.id, {
      decision: 'approve',
      comment: 'payslips fine',
    });
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toMatchObject({ status: 'active', approvalsGiven: 1, slaState: 'closed' });

    const loanWorkflowId = requestWorkflowId('loan', loan.id);
    await recordHistory(
      h.api.temporal,
      loanWorkflowId,
      'loan-approved-then-disbursed',
      await firstRunId(h.api.temporal, loanWorkflowId),
    );
    const active = await getLoan(h, worker.token, loan.id);
    expect(active.status).toBe('active');
    expect(active.instalments).toHaveLength(6);
    expect(active.instalments!.reduce((s, i) => s + i.principalPaise, 0)).toBe(1_000_000);
    expect((await ledger.balanceOf(wallet.id)).balancePaise - before).toBe(1_000_000);
    expect(
      await countRows(h, 'ledger_journals', { kind: 'loan_disbursal', idempotency_key: `loan:${loan.id}:disbursal` }),
    ).toBe(1);
    // A retry of the disbursal activity after its result was lost (committed, never reported) changes nothing.
    const activities = createLoanActivities({ db: h.database.db, config: h.config });
    await expect(activities.disburseLoan({ loanId: loan.id })).resolves.toBe('active');
    expect(await countRows(h, 'ledger_journals', { idempotency_key: `loan:${loan.id}:disbursal` })).toBe(1);
    expect(await countRows(h, 'loan_instalments', { loan_id: loan.id })).toBe(6);

    const detail = await h.api.app.inject({
      method: 'GET',
      url: `/v1/admin/requests/${loan.id}`,
      headers: bearer(admin.token),
    });
    expect(detail.json()).toMatchObject({
      request: {
        type: 'loan',
        status: 'active',
        workflowUrl: expect.stringContaining(requestWorkflowId('loan', loan.id)),
      },
      decisions: [{ adminId: admin.adminId, decision: 'approve', comment: 'payslips fine' }],
      documents: [{ contentType: 'application/pdf' }],
      subject: { status: 'active', eligibility: { conditionsMet: 3 } },
    });
    const kinds = detail
      .json<{ timeline: Array<{ kind: string; status: string | null }> }>()
      .timeline.map((t) => (t.kind === 'status' ? `status:${t.status}` : t.kind));
    expect(kinds).toEqual(['created', 'decision', 'status:active']);
  });

  it('four-eyes from ₹25,000: the same admin twice, a junior second approver and the requester are refused', async () => {
    const worker = await seasonedRider(h);
    const first = await signInAdmin(h.api.app, 'approver');
    const junior = await signInAdmin(h.api.app, 'approver');
    const senior = await signInAdmin(h.api.app, 'senior_approver');
    const phone: { phone: string } = await h.database.db('workers').where({ id: worker.workerId }).first('phone');
    const requester = await signInAs(
      h.api.app,
      await createAdminAccount(h.api.app, 'superadmin', { phone: phone.phone }),
    );

    const loan = (await apply(h, worker.token, 3_000_000)).json<LoanBody>();
    const firstApproval = await decideRequest(h.api.app, first.token, loan.id, { decision: 'approve' });
    expect(firstApproval.statusCode).toBe(200);
    expect(firstApproval.json()).toMatchObject({ status: 'pending_approval', approvalsGiven: 1, approvalsRequired: 2 });
    // The first approval alone moves no money.
    expect(await countRows(h, 'ledger_journals', { idempotency_key: `loan:${loan.id}:disbursal` })).toBe(0);

    const twice = await decideRequest(h.api.app, first.token, loan.id, { decision: 'approve' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: { message: expect.stringMatching(/four-eyes: you have already/) } });
    const juniorSecond = await decideRequest(h.api.app, junior.token, loan.id, { decision: 'approve' });
    expect(juniorSecond.statusCode).toBe(409);
    expect(juniorSecond.json()).toMatchObject({ error: { message: expect.stringMatching(/senior approver/) } });
    const own = await decideRequest(h.api.app, requester.token, loan.id, { decision: 'approve' });
    expect(own.statusCode).toBe(403);
    expect(own.json()).toMatchObject({ error: { code: 'CONFLICT_OF_INTEREST' } });
    expect(await countRows(h, 'request_decisions', { request_id: loan.id })).toBe(1);

    const second = await decideRequest(h.api.app, senior.token, loan.id, { decision: 'approve' });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ status: 'active', approvalsGiven: 2 });
    const loanWorkflowId = requestWorkflowId('loan', loan.id);
    await recordHistory(
      h.api.temporal,
      loanWorkflowId,
      'loan-four-eyes-refusals-then-senior-approval',
      await firstRunId(h.api.temporal, loanWorkflowId),
    );
    expect(await countRows(h, 'ledger_journals', { idempotency_key: `loan:${loan.id}:disbursal` })).toBe(1);
  });

  it('two admins deciding at once: one wins, the other is refused with the reason, and money moves once', async () => {
    const worker = await seasonedRider(h);
    const [a, b] = await Promise.all([signInAdmin(h.api.app), signInAdmin(h.api.app)]);
    const loan = (await apply(h, worker.token, 800_000)).json<LoanBody>();
    const answers = await Promise.all([
      decideRequest(h.api.app, a.token, loan.id, { decision: 'approve' }),
      decideRequest(h.api.app, b.token, loan.id, { decision: 'reject', reason: 'proof unreadable' }),
    ]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const loser = answers.find((r) => r.statusCode === 409)!;
    expect(loser.json()).toMatchObject({
      error: { code: 'DECISION_NOT_ALLOWED', message: expect.stringMatching(/already/) },
    });
    expect(await countRows(h, 'request_decisions', { request_id: loan.id })).toBe(1);
    const final = await getLoan(h, worker.token, loan.id);
    expect(['active', 'rejected']).toContain(final.status);
    expect(await countRows(h, 'ledger_journals', { idempotency_key: `loan:${loan.id}:disbursal` })).toBe(
      final.status === 'active' ? 1 : 0,
    );
  });

  it('a rejection needs a reason; with one, the loan closes and no money moves', async () => {
    const worker = await seasonedRider(h);
    const admin = await signInAdmin(h.api.app);
    const loan = (await apply(h, worker.token, 700_000)).json<LoanBody>();
    const bare = await decideRequest(h.api.app, admin.token, loan.id, { decision: 'reject' });
    expect(bare.statusCode).toBe(400);
    const rejected = await decideRequest(h.api.app, admin.token, loan.id, {
      decision: 'reject',
      reason: 'too many loans elsewhere',
    });
    expect(rejected.statusCode).toBe(200);
    expect(await getLoan(h, worker.token, loan.id)).toMatchObject({ status: 'rejected' });
    await recordHistory(h.api.temporal, requestWorkflowId('loan', loan.id), 'loan-rejected-with-reason');
    expect(await countRows(h, 'ledger_journals', { idempotency_key: `loan:${loan.id}:disbursal` })).toBe(0);
    // A closed loan frees the worker to apply again.
    expect((await apply(h, worker.token, 600_000)).statusCode).toBe(201);
  });

  it('the worker cancels while it waits; another worker cannot see or cancel it', async () => {
    const worker = await seasonedRider(h);
    const other = await signInWorker(h.api.app);
    const loan = (await apply(h, worker.token, 600_000)).json<LoanBody>();
    const foreign = await h.api.app.inject({
      method: 'POST',
      url: `/v1/loans/${loan.id}/cancel`,
      headers: bearer(other.token),
    });
    expect(foreign.statusCode).toBe(404);
    const cancel = () =>
      h.api.app.inject({ method: 'POST', url: `/v1/loans/${loan.id}/cancel`, headers: bearer(worker.token) });
    const cancelled = await cancel();
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    await h.api.temporal.workflow.getHandle(requestWorkflowId('loan', loan.id)).result();
    await recordHistory(h.api.temporal, requestWorkflowId('loan', loan.id), 'loan-cancelled-by-worker');
    const late = await cancel();
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ error: { message: expect.stringMatching(/already cancelled/) } });
  });

  it('bulk decisions are refused for loans, per item', async () => {
    const worker = await seasonedRider(h);
    const admin = await signInAdmin(h.api.app);
    const loan = (await apply(h, worker.token, 600_000)).json<LoanBody>();
    const bulk = await h.api.app.inject({
      method: 'POST',
      url: '/v1/admin/requests/bulk-decision',
      headers: bearer(admin.token),
      payload: { ids: [loan.id, randomUUID()], decision: 'approve' },
    });
    expect(bulk.statusCode).toBe(200);
    expect(bulk.json()).toMatchObject({
      succeeded: 0,
      failed: 2,
      results: [
        { id: loan.id, ok: false, error: { code: 'DECISION_NOT_ALLOWED' } },
        { ok: false, error: { code: 'NOT_FOUND' } },
      ],
    });
  });

  it('claim: a second admin cannot decide an item another holds; releasing lets them', async () => {
    const worker = await seasonedRider(h);
    const [holder, other] = await Promise.all([signInAdmin(h.api.app), signInAdmin(h.api.app)]);
    const loan = (await apply(h, worker.token, 600_000)).json<LoanBody>();
    const claim = (token: string, method: 'POST' | 'DELETE' = 'POST') =>
      h.api.app.inject({ method, url: `/v1/admin/requests/${loan.id}/claim`, headers: bearer(token) });
    expect((await claim(holder.token)).json()).toMatchObject({ claimedBy: { adminId: holder.adminId } });
    expect((await claim(other.token)).statusCode).toBe(409);
    const blocked = await decideRequest(h.api.app, other.token, loan.id, { decision: 'approve' });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json()).toMatchObject({ error: { message: expect.stringMatching(/has claimed this request/) } });
    const mine = await h.api.app.inject({
      method: 'GET',
      url: '/v1/admin/requests?claimed=me',
      headers: bearer(holder.token),
    });
    expect(mine.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id)).toEqual([loan.id]);
    expect((await claim(holder.token, 'DELETE')).statusCode).toBe(200);
    expect((await decideRequest(h.api.app, other.token, loan.id, { decision: 'approve' })).statusCode).toBe(200);
  });
});

describe('loans: SLA escalation and expiry', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: true, env: { APPROVAL_SLA_LOAN_MS: '400' } });
  });
  afterAll(() => h.close());

  it('escalates at the SLA, expires at 3×, and refuses a decision afterwards', async () => {
    const worker = await seasonedRider(h);
    const admin = await signInAdmin(h.api.app);
    const loan = (await apply(h, worker.token, 600_000)).json<LoanBody>();
    await h.api.temporal.workflow.getHandle(requestWorkflowId('loan', loan.id)).result();
    expect(await getLoan(h, worker.token, loan.id)).toMatchObject({ status: 'expired' });
    await recordHistory(h.api.temporal, requestWorkflowId('loan', loan.id), 'loan-escalated-then-expired');
    const detail = await h.api.app.inject({
      method: 'GET',
      url: `/v1/admin/requests/${loan.id}`,
      headers: bearer(admin.token),
    });
    const body = detail.json<{
      request: { escalatedAt: string | null; slaState: string };
      timeline: Array<{ kind: string; status: string | null }>;
    }>();
    expect(body.request.escalatedAt).not.toBeNull();
    expect(body.timeline.map((t) => t.status ?? t.kind)).toEqual(['pending_approval', 'escalated', 'expired']);
    const late = await decideRequest(h.api.app, admin.token, loan.id, { decision: 'approve' });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ error: { message: expect.stringMatching(/already expired/) } });
    const overdue = await h.api.app.inject({
      method: 'GET',
      url: '/v1/admin/requests?status=expired&type=loan',
      headers: bearer(admin.token),
    });
    expect(overdue.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id)).toContain(loan.id);
  });
});

describe('loans: repayment', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({
      worker: true,
      env: { LOAN_INSTALMENT_PERIOD_MS: '600', LOAN_RETRY_INTERVAL_MS: '150', LOAN_RETRIES_BEFORE_OVERDUE: '2' },
    });
  });
  afterAll(() => h.close());

  async function activeLoan(amountPaise: number) {
    const worker = await seasonedRider(h);
    const admin = await signInAdmin(h.api.app);
    const loan = (await apply(h, worker.token, amountPaise)).json<LoanBody>();
    expect((await decideRequest(h.api.app, admin.token, loan.id, { decision: 'approve' })).statusCode).toBe(200);
    return { worker, admin, loan };
  }

  it('auto-debits every instalment on its due date and closes the loan, one short run per instalment', async () => {
    const { worker, loan } = await activeLoan(500_000);
    const closed = await eventually(
      () => getLoan(h, worker.token, loan.id),
      (l) => l.status === 'closed',
      20_000,
    );
    expect(closed.instalments!.every((i) => i.status === 'paid')).toBe(true);
    await h.api.temporal.workflow.getHandle(requestWorkflowId('loan', loan.id)).result();
    await recordHistory(h.api.temporal, requestWorkflowId('loan', loan.id), 'loan-last-instalment-debited-closed');
    const repaid = closed.instalments!.reduce((s, i) => s + i.principalPaise + i.interestPaise, 0);
    expect(repaid).toBe(500_000 + closed.totalInterestPaise);
    const journals = await h.database
      .db('ledger_journals')
      .where('idempotency_key', 'like', `loan:${loan.id}:instalment:%`)
      .count<Array<{ count: string }>>('* as count');
    expect(Number(journals[0]!.count)).toBe(6);
    // Continue-as-new: the latest run holds one instalment's events, not the whole loan's.
    const handle = h.api.temporal.workflow.getHandle(requestWorkflowId('loan', loan.id));
    const history = await handle.fetchHistory();
    expect(history.events!.length).toBeLessThan(40);
  });
});

describe('loans: arrears', () => {
  let h: Harness;
  beforeAll(async () => {
    // Instalments 1.5 s apart; overdue 2 retries × 150 ms after each due date.
    h = await createHarness({
      worker: true,
      env: { LOAN_INSTALMENT_PERIOD_MS: '1500', LOAN_RETRY_INTERVAL_MS: '150', LOAN_RETRIES_BEFORE_OVERDUE: '2' },
    });
  });
  afterAll(() => h.close());

  it('each unpaid instalment is retried and falls overdue on its own dates with its fee; arrears show them; then all are collected', async () => {
    const worker = await seasonedRider(h);
    const admin = await signInAdmin(h.api.app);
    const ledger = ledgerOf(h);
    const wallet = await ledger.walletOf(worker.workerId);
    const loan = (await apply(h, worker.token, 500_000)).json<LoanBody>();
    expect((await decideRequest(h.api.app, admin.token, loan.id, { decision: 'approve' })).statusCode).toBe(200);
    // The rider spends everything (here: moved out by an adjustment journal) before the first due date.
    const fees = await ledger.systemAccount('fee_revenue');
    const { balancePaise } = await ledger.balanceOf(wallet.id);
    await ledger.postJournal({
      idempotencyKey: `drain-${randomUUID()}`,
      kind: 'adjustment',
      postings: [
        { accountId: wallet.id, amountPaise: -balancePaise },
        { accountId: fees.id, amountPaise: balancePaise },
      ],
    });
    // Two instalments fall due and overdue while the first is still unpaid: each gets its own fee and event.
    const overdue = await eventually(
      () => getLoan(h, worker.token, loan.id),
      (l) => l.instalments![1]!.status === 'overdue',
    );
    expect(overdue.instalments![0]).toMatchObject({ status: 'overdue', lateFeePaise: 10_000 });
    expect(overdue.instalments![1]).toMatchObject({ status: 'overdue', lateFeePaise: 10_000 });
    await recordHistory(h.api.temporal, requestWorkflowId('loan', loan.id), 'loan-instalments-retried-then-overdue');
    const arrears = await h.api.app.inject({
      method: 'GET',
      url: '/v1/admin/loans/arrears',
      headers: bearer(admin.token),
    });
    const items = arrears.json<{ items: Array<{ loanId: string; number: number; bucket: string }> }>().items;
    expect(items.filter((i) => i.loanId === loan.id).map((i) => [i.number, i.bucket])).toEqual(
      expect.arrayContaining([
        [1, '1-30'],
        [2, '1-30'],
      ]),
    );
    const notified = await h.database
      .db('outbox_events')
      .where({ worker_id: worker.workerId, type: 'loan.instalment_changed' })
      .whereRaw(`payload->>'status' = 'overdue'`);
    expect(notified.length).toBeGreaterThanOrEqual(2);
    expect(new Set(notified.map((e: { payload: { number: number } }) => e.payload.number)).size).toBe(notified.length);

    // Money arrives: the next retry collects every instalment due, oldest first, each with its fee.
    const platform = await ledger.platformSettlementOf(randomUUID());
    await ledger.postJournal({
      idempotencyKey: `refill-${randomUUID()}`,
      kind: 'earning',
      postings: [
        { accountId: platform.id, amountPaise: -2_000_000 },
        { accountId: wallet.id, amountPaise: 2_000_000 },
      ],
    });
    const closed = await eventually(
      () => getLoan(h, worker.token, loan.id),
      (l) => l.status === 'closed',
      20_000,
    );
    expect(closed.instalments!.every((i) => i.status === 'paid')).toBe(true);
    const lateFees = closed.instalments!.reduce((sum, i) => sum + i.lateFeePaise, 0);
    expect(lateFees).toBeGreaterThanOrEqual(20_000);
    const feeJournal = await h.database
      .db('ledger_journals')
      .where({ idempotency_key: `loan:${loan.id}:instalment:1` })
      .first<{ metadata: { lateFeePaise: number } }>('metadata');
    expect(feeJournal.metadata.lateFeePaise).toBe(10_000);
    // Everything due was repaid exactly: principal, interest and every fee charged.
    const repaid = closed.instalments!.reduce((sum, i) => sum + i.principalPaise + i.interestPaise + i.lateFeePaise, 0);
    const journals: Array<{ amount: string }> = await h.database
      .db('ledger_postings as p')
      .join('ledger_journals as j', 'j.id', 'p.journal_id')
      .where('j.idempotency_key', 'like', `loan:${loan.id}:instalment:%`)
      .where('p.account_id', wallet.id)
      .select(h.database.db.raw('(-sum(p.amount_paise))::text AS amount'));
    expect(Number(journals[0]!.amount)).toBe(repaid);
  });
});

describe('loans: prepayment', () => {
  let h: Harness;
  beforeAll(async () => {
    // Calendar due dates: the first instalment is a month away, so the loan is mid-term when prepaid.
    h = await createHarness({ worker: true });
  });
  afterAll(() => h.close());

  it('prepays the whole outstanding principal, waives future interest, and closes the loan', async () => {
    const worker = await seasonedRider(h);
    const admin = await signInAdmin(h.api.app);
    const loan = (await apply(h, worker.token, 900_000)).json<LoanBody>();
    await decideRequest(h.api.app, admin.token, loan.id, { decision: 'approve' });
    const ledger = ledgerOf(h);
    const wallet = await ledger.walletOf(worker.workerId);
    const before = (await ledger.balanceOf(wallet.id)).balancePaise;

    const prepaid = await h.api.app.inject({
      method: 'POST',
      url: `/v1/loans/${loan.id}/prepay`,
      headers: bearer(worker.token),
    });
    expect(prepaid.statusCode).toBe(200);
    expect(prepaid.json()).toMatchObject({ paidPaise: 900_000, loan: { status: 'closed', closure: 'prepaid' } });
    expect(before - (await ledger.balanceOf(wallet.id)).balancePaise).toBe(900_000);
    await h.api.temporal.workflow.getHandle(requestWorkflowId('loan', loan.id)).result();
    await recordHistory(h.api.temporal, requestWorkflowId('loan', loan.id), 'loan-prepaid-closed');
    const again = await h.api.app.inject({
      method: 'POST',
      url: `/v1/loans/${loan.id}/prepay`,
      headers: bearer(worker.token),
    });
    expect(again.statusCode).toBe(409);
  });
});
