import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createLedgerRepository } from '../../api/db/ledger.repository';
import { createLedgerService } from '../../api/services/ledger.service';
import { requestWorkflowId } from '../../workflows/contracts';
import { recordHistory } from '../helpers/histories';
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

interface DeletionBody {
  id: string;
  status: string;
  reason: string;
  text: string | null;
  canCancel: boolean;
  graceEndsAt: string | null;
  erasedAt: string | null;
  decisionReason: string | null;
}
interface Precondition {
  code: string;
  message: string;
  requestIds?: string[];
  amountPaise?: number;
}
interface Overview {
  deletion: DeletionBody | null;
  preconditions: Precondition[];
  canRequest: boolean;
}

const PDF = Buffer.from('%PDF-1.4\n% deletion test proof\n');

/** Shared helpers over one harness: the worker's routes, the admin decision, and direct reads of what is stored. */
function toolsFor(get: () => Harness) {
  const h = () => get();
  const db = () => h().database.db;
  const ledger = () => createLedgerService({ db: db(), ledger: createLedgerRepository(db()) });

  return {
    overview: async (token: string) => {
      const response = await h().api.app.inject({ method: 'GET', url: '/v1/account/deletion', headers: bearer(token) });
      return { statusCode: response.statusCode, body: response.json<Overview>() };
    },
    request: (token: string, payload: Record<string, unknown>) =>
      h().api.app.inject({ method: 'POST', url: '/v1/account/deletion', headers: bearer(token), payload }),
    cancel: (token: string) =>
      h().api.app.inject({ method: 'POST', url: '/v1/account/deletion/cancel', headers: bearer(token) }),
    decide: (adminToken: string, id: string, payload: Record<string, unknown>) =>
      h().api.app.inject({
        method: 'POST',
        url: `/v1/admin/requests/${id}/decision`,
        headers: bearer(adminToken),
        payload,
      }),
    finished: (id: string): Promise<{ deletionId: string; status: string }> =>
      h().api.temporal.workflow.getHandle(requestWorkflowId('deletion', id)).result(),
    /** Saves the run as a replay fixture when GIGBIT_RECORD_HISTORIES=1 (test/helpers/histories.ts). */
    record: (id: string, name: string) => recordHistory(h().api.temporal, requestWorkflowId('deletion', id), name),

    /** Earnings credited the way a sync does (platform settlement → wallet). */
    async credit(workerId: string, paise: number) {
      const wallet = await ledger().walletOf(workerId);
      const platform = await ledger().platformSettlementOf(randomUUID());
      await ledger().postJournal({
        idempotencyKey: `deletion-test-credit-${randomUUID()}`,
        kind: 'earning',
        postings: [
          { accountId: platform.id, amountPaise: -paise },
          { accountId: wallet.id, amountPaise: paise },
        ],
      });
    },
    /** Money leaving the wallet (standing in for a paid-out withdrawal). */
    async debit(workerId: string, paise: number) {
      const wallet = await ledger().walletOf(workerId);
      const platform = await ledger().platformSettlementOf(randomUUID());
      await ledger().postJournal({
        idempotencyKey: `deletion-test-debit-${randomUUID()}`,
        kind: 'adjustment',
        postings: [
          { accountId: wallet.id, amountPaise: -paise },
          { accountId: platform.id, amountPaise: paise },
        ],
      });
    },
    async uploadDocument(token: string): Promise<{ id: string; file: string }> {
      const response = await h().api.app.inject({
        method: 'POST',
        url: '/v1/documents?purpose=loan_proof',
        headers: { ...bearer(token), 'content-type': 'application/pdf' },
        payload: PDF,
      });
      expect(response.statusCode).toBe(201);
      const id = response.json<{ id: string }>().id;
      const row: { file: string } = await db()('documents').where({ id }).first('file');
      return { id, file: path.join(path.resolve(h().config.UPLOAD_DIR, 'documents'), row.file) };
    },
    /** Nothing of a refused request may remain: no deletion row, no approvals row, no event. */
    async expectNothingStored(workerId: string) {
      const [deletions, requests, events] = await Promise.all([
        db()('account_deletions').where({ worker_id: workerId }).count<Array<{ count: string }>>('* as count'),
        db()('requests').where({ worker_id: workerId, type: 'deletion' }).count<Array<{ count: string }>>('* as count'),
        db()('outbox_events')
          .where({ worker_id: workerId })
          .whereRaw(`payload->>'requestType' = 'deletion'`)
          .count<Array<{ count: string }>>('* as count'),
      ]);
      expect([deletions[0]!.count, requests[0]!.count, events[0]!.count].map(Number)).toEqual([0, 0, 0]);
    },
    async waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = await probe();
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

describe('account deletion (SPEC §8): preconditions, approval, grace, erasure', () => {
  let h: Harness;
  let admin: { token: string; adminId: string };
  const t = toolsFor(() => h);
  const db = () => h.database.db;

  beforeAll(async () => {
    h = await createHarness({
      worker: true,
      // A short grace period so erasure happens within the test; codes may be resent at once (several sign-ins).
      env: { DELETION_GRACE_MS: '2000', SIGN_IN_CODE_RESEND_SECONDS: '0' },
    });
    admin = await signInAdmin(h.api.app);
  });
  afterAll(() => h.close());

  /** A worker whose wallet is empty but who has ledger history: ₹75 earned, all spent on a Trio plan. */
  async function workerWithHistory(): Promise<SignedInWorker> {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 7_500, plans: ['trio'] });
    return worker;
  }

  async function approvedIntoGrace(worker: SignedInWorker, body: Record<string, unknown> = { reason: 'privacy' }) {
    const created = await t.request(worker.token, body);
    expect(created.statusCode).toBe(201);
    const deletion = created.json<DeletionBody>();
    const decision = await t.decide(admin.token, deletion.id, { decision: 'approve', comment: 'identity checked' });
    expect(decision.statusCode).toBe(200);
    // Answered once the grace period is stored.
    expect(decision.json()).toMatchObject({ id: deletion.id, type: 'deletion', status: 'grace' });
    return deletion;
  }

  describe('preconditions: each refuses with the rule named, and nothing is stored', () => {
    it('money in the wallet: "withdraw your ₹X first", with the amount', async () => {
      const worker = await signInWorker(h.api.app);
      await t.credit(worker.workerId, 1_234_550);

      const refused = await t.request(worker.token, { reason: 'not_using' });
      expect(refused.statusCode).toBe(409);
      const { error } = refused.json<{
        error: { code: string; message: string; details: { preconditions: Precondition[] } };
      }>();
      expect(error.code).toBe('DELETION_NOT_ALLOWED');
      expect(error.details.preconditions).toEqual([
        {
          code: 'wallet_balance',
          amountPaise: 1_234_550,
          message: 'Your wallet holds ₹12,345.50: withdraw your ₹12,345.50 first',
        },
      ]);
      expect(error.message).toContain('withdraw your ₹12,345.50 first');
      await t.expectNothingStored(worker.workerId);

      const { body } = await t.overview(worker.token);
      expect(body).toEqual({ deletion: null, preconditions: error.details.preconditions, canRequest: false });
    });

    it('money below the withdrawal minimum: says so and points to support', async () => {
      const worker = await signInWorker(h.api.app);
      await t.credit(worker.workerId, 5_000);
      const refused = await t.request(worker.token, { reason: 'privacy' });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({
        error: {
          code: 'DELETION_NOT_ALLOWED',
          details: {
            preconditions: [
              {
                code: 'wallet_balance',
                amountPaise: 5_000,
                message: expect.stringContaining('₹50, less than the ₹200 a withdrawal needs: contact support'),
              },
            ],
          },
        },
      });
      await t.expectNothingStored(worker.workerId);
    });

    it('a withdrawal in flight (its held money is the withdrawal’s, not a second refusal)', async () => {
      const worker = await signInWorker(h.api.app);
      await fundWorker(h, worker, { earningsPaise: 600_000 + 7_500, plans: ['trio'] });
      const withdrawal = await postWithdrawal(h.api.app, worker.token, `del-${randomUUID()}`, { amountPaise: 600_000 });
      expect(withdrawal.statusCode).toBe(201);
      expect(withdrawal.json()).toMatchObject({ status: 'pending_approval' });
      const withdrawalId = withdrawal.json<{ id: string }>().id;

      const refused = await t.request(worker.token, { reason: 'switching' });
      expect(refused.statusCode).toBe(409);
      const { error } = refused.json<{ error: { code: string; details: { preconditions: Precondition[] } } }>();
      expect(error.code).toBe('DELETION_NOT_ALLOWED');
      expect(error.details.preconditions).toEqual([
        {
          code: 'withdrawal_in_flight',
          requestIds: [withdrawalId],
          message: expect.stringContaining('Your withdrawal of ₹6,000 is still in progress'),
        },
      ]);
      await t.expectNothingStored(worker.workerId);
    });

    it('an open loan and a claim in flight, both named at once', async () => {
      const worker = await signInWorker(h.api.app);
      const { id: documentId } = await t.uploadDocument(worker.token);
      const loanId = randomUUID();
      await db()('loans').insert({
        id: loanId,
        worker_id: worker.workerId,
        amount_paise: 1_000_000,
        annual_rate_bps: 700,
        tenure_months: 6,
        emi_paise: 170_000,
        total_interest_paise: 20_000,
        status: 'pending_approval',
        eligibility: JSON.stringify({ score: 1000 }),
        document_id: documentId,
        idempotency_key: `loan-${loanId}`,
        request_fingerprint: 'test',
        workflow_id: `loan-${loanId}`,
      });
      const claimId = randomUUID();
      await db()('insurance_claims').insert({
        id: claimId,
        worker_id: worker.workerId,
        type: 'vehicle_damage',
        incident_on: '2026-11-20',
        description: 'scooter hit',
        payout_paise: 800_000,
        idempotency_key: `claim-${claimId}`,
        request_fingerprint: 'test',
        workflow_id: `claim-${claimId}`,
      });

      const refused = await t.request(worker.token, { reason: 'privacy' });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({
        error: {
          code: 'DELETION_NOT_ALLOWED',
          details: {
            preconditions: [
              { code: 'open_loan', requestIds: [loanId], message: expect.stringContaining('loan application') },
              { code: 'claim_in_flight', requestIds: [claimId], message: expect.stringContaining('insurance claim') },
            ],
          },
        },
      });
      await t.expectNothingStored(worker.workerId);

      // Once they are settled, nothing blocks any more.
      await db()('loans').where({ id: loanId }).update({ status: 'rejected', decision_reason: 'test' });
      await db()('insurance_claims').where({ id: claimId }).update({ status: 'cancelled' });
      expect((await t.overview(worker.token)).body).toEqual({ deletion: null, preconditions: [], canRequest: true });
    });

    it('the reason: "other" needs words of its own; unknown reasons are refused', async () => {
      const worker = await signInWorker(h.api.app);
      for (const payload of [{ reason: 'other' }, { reason: 'other', text: '   ' }, { reason: 'bored' }, {}]) {
        const response = await t.request(worker.token, payload);
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      }
      await t.expectNothingStored(worker.workerId);
    });
  });

  it('approved → grace → erased: personal data, documents and sessions gone; ledger and audit kept under the id', async () => {
    const worker = await workerWithHistory();
    const second = await signInWorker(h.api.app, worker.phone);
    expect(second.workerId).toBe(worker.workerId);
    const document = await t.uploadDocument(worker.token);
    expect(existsSync(document.file)).toBe(true);
    const platform: { id: string } = await db()('platforms').orderBy('sort_order').first('id');
    const purchase: { id: string } = await db()('plan_purchases').where({ worker_id: worker.workerId }).first('id');
    await db()('platform_connections').insert({
      worker_id: worker.workerId,
      platform_id: platform.id,
      external_account_id: `acct-${randomUUID()}`,
      plan_purchase_id: purchase.id,
    });
    // Insured (premium paid for the month): the cover must end with the account, so no premium is billed later.
    await db()('insurance_coverages').insert({ worker_id: worker.workerId, status: 'active', opted_in_at: new Date() });
    await db()('insurance_coverage_periods').insert({ worker_id: worker.workerId, starts_on: '2026-01-01' });
    const claimId = randomUUID();
    await db()('insurance_claims').insert({
      id: claimId,
      worker_id: worker.workerId,
      type: 'product_damage_loss',
      incident_on: '2026-11-20',
      description: 'order bag torn near my home at 12 Lake Road',
      payout_paise: 300_000,
      status: 'rejected',
      idempotency_key: `claim-${claimId}`,
      request_fingerprint: 'test',
      workflow_id: `claim-${claimId}`,
    });
    const postingsOf = async () =>
      Number(
        (
          await db()('ledger_postings as p')
            .join('ledger_accounts as a', 'a.id', 'p.account_id')
            .where('a.worker_id', worker.workerId)
            .count<Array<{ count: string }>>('* as count')
        )[0]!.count,
      );
    const auditOf = async () =>
      Number(
        (await db()('audit_log').where({ actor_id: worker.workerId }).count<Array<{ count: string }>>('* as count'))[0]!
          .count,
      );
    const [postingsBefore, auditBefore] = [await postingsOf(), await auditOf()];
    expect(postingsBefore).toBeGreaterThanOrEqual(2);
    expect(auditBefore).toBeGreaterThanOrEqual(2);

    const created = await t.request(worker.token, { reason: 'privacy', text: 'I am moving to Pune' });
    expect(created.statusCode).toBe(201);
    const deletion = created.json<DeletionBody>();
    expect(deletion).toMatchObject({
      status: 'pending_approval',
      reason: 'privacy',
      canCancel: true,
      graceEndsAt: null,
    });

    // One open request per worker: asking again returns it, and stores nothing new.
    const again = await t.request(worker.token, { reason: 'switching' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: deletion.id, reason: 'privacy' });
    expect(await db()('account_deletions').where({ worker_id: worker.workerId })).toHaveLength(1);

    expect((await t.overview(worker.token)).body).toMatchObject({
      deletion: { id: deletion.id, status: 'pending_approval' },
      preconditions: [],
      canRequest: false,
    });
    const detail = await h.api.app.inject({
      method: 'GET',
      url: `/v1/admin/requests/${deletion.id}`,
      headers: bearer(admin.token),
    });
    expect(detail.json()).toMatchObject({
      request: {
        type: 'deletion',
        status: 'pending_approval',
        amountPaise: null,
        workflowId: `deletion-${deletion.id}`,
      },
      subject: { workerId: worker.workerId, reason: 'privacy', text: 'I am moving to Pune', preconditions: [] },
    });

    const before = Date.now();
    await approveIntoGrace(deletion.id);
    const inGrace = (await t.overview(worker.token)).body.deletion!;
    expect(inGrace).toMatchObject({ status: 'grace', canCancel: true });
    const graceEnds = new Date(inGrace.graceEndsAt!).getTime();
    expect(graceEnds).toBeGreaterThanOrEqual(before + 1_000);
    expect(graceEnds).toBeLessThanOrEqual(Date.now() + 2_500);

    expect(await t.finished(deletion.id)).toEqual({ deletionId: deletion.id, status: 'erased' });
    await t.record(deletion.id, 'deletion-approved-grace-then-erased');

    // The worker row stays (ledger, audit and requests point at it) under a pseudonym, without personal data.
    const row: Record<string, unknown> = await db()('workers').where({ id: worker.workerId }).first();
    expect(row).toMatchObject({ phone: null, email: null, display_name: null });
    expect(row.pseudonym).toMatch(/^erased-[0-9a-f]{12}$/);
    expect(row.erased_at).toBeInstanceOf(Date);

    // Documents: file deleted, row kept and marked.
    expect(existsSync(document.file)).toBe(false);
    expect(await db()('documents').where({ id: document.id }).first('erased_at')).toEqual({
      erased_at: expect.any(Date),
    });

    // Every session revoked: both access tokens and the refresh token stop working at once.
    for (const token of [worker.token, second.token]) {
      const response = await h.api.app.inject({ method: 'GET', url: '/v1/account/deletion', headers: bearer(token) });
      expect(response.statusCode).toBe(401);
    }
    const refreshed = await h.api.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: worker.refreshToken },
    });
    expect(refreshed.statusCode).toBe(401);
    const sessions: Array<{ revoked_reason: string | null; ip: string | null }> = await db()('sessions')
      .where({ worker_id: worker.workerId })
      .select('revoked_reason', 'ip');
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(new Set(sessions.map((s) => s.revoked_reason))).toEqual(new Set(['account_deleted']));
    expect(sessions.every((s) => s.ip === null)).toBe(true);
    expect(
      await db()('platform_connections').where({ worker_id: worker.workerId }).select('status', 'disconnected_at'),
    ).toEqual([{ status: 'disconnected', disconnected_at: expect.any(Date) }]);
    expect(await db()('sign_in_codes').where({ identity: `phone:${worker.phone}` })).toEqual([]);
    expect(await db()('insurance_claims').where({ id: claimId }).first('description', 'type')).toEqual({
      description: '[erased]',
      type: 'product_damage_loss',
    });
    expect(await db()('insurance_coverages').where({ worker_id: worker.workerId }).first('status')).toEqual({
      status: 'opted_out',
    });
    expect(await db()('insurance_coverage_periods').where({ worker_id: worker.workerId }).whereNull('ends_on')).toEqual(
      [],
    );

    // The request: erased, the worker's own words redacted, the reason category kept.
    expect(await db()('account_deletions').where({ id: deletion.id }).first()).toMatchObject({
      status: 'erased',
      reason: 'privacy',
      reason_text: '[erased]',
      erased_at: expect.any(Date),
    });
    const request: Record<string, unknown> = await db()('requests').where({ id: deletion.id }).first();
    expect(request).toMatchObject({ status: 'erased', closed_at: expect.any(Date) });
    const timeline: Array<{ kind: string; status: string | null; actor_kind: string }> = await db()('request_timeline')
      .where({ request_id: deletion.id })
      .orderBy('id')
      .select('kind', 'status', 'actor_kind');
    expect(timeline).toEqual([
      { kind: 'created', status: 'pending_approval', actor_kind: 'worker' },
      { kind: 'decision', status: null, actor_kind: 'admin' },
      { kind: 'status', status: 'grace', actor_kind: 'admin' },
      { kind: 'status', status: 'erased', actor_kind: 'system' },
    ]);
    const events: Array<{ status: string }> = await db()('outbox_events')
      .where({ type: 'request.status_changed' })
      .whereRaw(`payload->>'requestId' = ?`, [deletion.id])
      .orderBy('id')
      .select(db().raw(`payload->>'status' AS status`));
    expect(events.map((e) => e.status)).toEqual(['pending_approval', 'grace', 'erased']);

    // Ledger and audit untouched and still pointing at the worker id; the erasure itself is audited.
    expect(await postingsOf()).toBe(postingsBefore);
    expect(await auditOf()).toBe(auditBefore);
    expect(
      await db()('audit_log')
        .where({ action: 'worker.erased', target_id: worker.workerId })
        .select('actor_kind', 'details'),
    ).toEqual([
      {
        actor_kind: 'system',
        details: expect.objectContaining({ deletionId: deletion.id, pseudonym: row.pseudonym, documentsErased: 1 }),
      },
    ]);
    const afterDetail = await h.api.app.inject({
      method: 'GET',
      url: `/v1/admin/requests/${deletion.id}`,
      headers: bearer(admin.token),
    });
    expect(afterDetail.json()).toMatchObject({
      request: { status: 'erased', workerName: row.pseudonym },
      subject: { status: 'erased', workerPseudonym: row.pseudonym, text: '[erased]' },
      documents: [],
    });

    // The old phone signs in as a brand-new worker with no link to the erased one.
    const newcomer = await signInWorker(h.api.app, worker.phone);
    expect(newcomer.workerId).not.toBe(worker.workerId);
    expect((await t.overview(newcomer.token)).body).toEqual({ deletion: null, preconditions: [], canRequest: true });
    expect(await db()('workers').where({ id: worker.workerId }).first('phone')).toEqual({ phone: null });
  });

  /** Approves an existing request and checks the answer (the happy path creates its request itself). */
  async function approveIntoGrace(id: string) {
    const decision = await t.decide(admin.token, id, { decision: 'approve' });
    expect(decision.statusCode).toBe(200);
    expect(decision.json()).toMatchObject({ id, status: 'grace' });
  }

  it('cancelled during the grace period: nothing is erased and the worker carries on', async () => {
    const worker = await workerWithHistory();
    const document = await t.uploadDocument(worker.token);
    const deletion = await approvedIntoGrace(worker, { reason: 'other', text: 'Trying a different app' });

    // Decided already: a second decision during grace is refused.
    const late = await t.decide(admin.token, deletion.id, { decision: 'approve' });
    expect(late.statusCode).toBe(409);

    const cancelled = await t.cancel(worker.token);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ id: deletion.id, status: 'cancelled', canCancel: false });
    expect(await t.finished(deletion.id)).toEqual({ deletionId: deletion.id, status: 'cancelled' });
    await t.record(deletion.id, 'deletion-cancelled-during-grace');

    const row: Record<string, unknown> = await db()('workers').where({ id: worker.workerId }).first();
    expect(row).toMatchObject({ phone: worker.phone, pseudonym: null, erased_at: null });
    expect(existsSync(document.file)).toBe(true);
    const { statusCode, body } = await t.overview(worker.token);
    expect(statusCode).toBe(200);
    expect(body).toMatchObject({
      deletion: { id: deletion.id, status: 'cancelled', decisionReason: 'cancelled by the worker' },
      canRequest: true,
    });
    expect(
      await db()('request_timeline').where({ request_id: deletion.id, status: 'cancelled' }).first(),
    ).toMatchObject({ actor_kind: 'worker', actor_id: worker.workerId });
    expect(await db()('sessions').where({ worker_id: worker.workerId }).whereNotNull('revoked_at')).toEqual([]);
    // Nothing left to cancel.
    expect((await t.cancel(worker.token)).statusCode).toBe(404);
    // Still past the grace period's end, nothing happened.
    await new Promise((r) => setTimeout(r, 2_200));
    expect(await db()('workers').where({ id: worker.workerId }).first('phone')).toEqual({ phone: worker.phone });
  });

  it('cancelled while waiting for approval; a decision after that is refused', async () => {
    const worker = await workerWithHistory();
    const created = await t.request(worker.token, { reason: 'not_using' });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<DeletionBody>();
    const cancelled = await t.cancel(worker.token);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ id, status: 'cancelled' });
    expect(await t.finished(id)).toEqual({ deletionId: id, status: 'cancelled' });
    const decision = await t.decide(admin.token, id, { decision: 'approve' });
    expect(decision.statusCode).toBe(409);
    expect(decision.json()).toMatchObject({ error: { code: 'DECISION_NOT_ALLOWED' } });
  });

  it('rejected: a reason is required, the worker is told it, and may ask again later', async () => {
    const worker = await workerWithHistory();
    const created = await t.request(worker.token, { reason: 'support' });
    const { id } = created.json<DeletionBody>();

    const bare = await t.decide(admin.token, id, { decision: 'reject' });
    expect(bare.statusCode).toBe(400);
    expect(bare.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await t.overview(worker.token)).body.deletion).toMatchObject({ id, status: 'pending_approval' });

    const rejected = await t.decide(admin.token, id, {
      decision: 'reject',
      reason: 'Please talk to support about the open dispute first',
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ id, status: 'rejected' });
    expect(await t.finished(id)).toEqual({ deletionId: id, status: 'rejected' });
    await t.record(id, 'deletion-rejected-with-reason');
    expect((await t.overview(worker.token)).body).toMatchObject({
      deletion: { id, status: 'rejected', decisionReason: 'Please talk to support about the open dispute first' },
      canRequest: true,
    });
    expect(await db()('workers').where({ id: worker.workerId }).first('phone')).toEqual({ phone: worker.phone });

    const anew = await t.request(worker.token, { reason: 'support' });
    expect(anew.statusCode).toBe(201);
    expect(anew.json<DeletionBody>().id).not.toBe(id);
    expect((await t.cancel(worker.token)).statusCode).toBe(200);
  });

  it('worker B can neither see nor cancel worker A’s deletion', async () => {
    const a = await workerWithHistory();
    const b = await workerWithHistory();
    const created = await t.request(a.token, { reason: 'privacy' });
    const { id } = created.json<DeletionBody>();

    expect((await t.overview(b.token)).body).toEqual({ deletion: null, preconditions: [], canRequest: true });
    const cancel = await t.cancel(b.token);
    expect(cancel.statusCode).toBe(404);
    expect(cancel.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    // Nor through the withdrawal route with A's request id (a different type, not theirs).
    const viaWithdrawal = await h.api.app.inject({
      method: 'POST',
      url: `/v1/withdrawals/${id}/cancel`,
      headers: bearer(b.token),
    });
    expect(viaWithdrawal.statusCode).toBe(404);
    expect((await t.overview(a.token)).body.deletion).toMatchObject({ id, status: 'pending_approval' });
    expect((await t.cancel(a.token)).statusCode).toBe(200);
  });

  it('money arriving during grace postpones the erasure (worker told why); once it is gone, erasure runs', async () => {
    const worker = await workerWithHistory();
    const deletion = await approvedIntoGrace(worker);
    await t.credit(worker.workerId, 30_000);

    const postponed = await t.waitFor('the erasure to be postponed', async () => {
      const row: { detail: { reason: string; preconditions: string[] } } | undefined = await db()('request_timeline')
        .where({ request_id: deletion.id, kind: 'erasure_postponed' })
        .first('detail');
      return row?.detail;
    });
    expect(postponed).toEqual({
      preconditions: ['wallet_balance'],
      reason: 'Your account was not erased yet. Your wallet holds ₹300: withdraw your ₹300 first.',
    });
    expect(await db()('workers').where({ id: worker.workerId }).first('phone', 'erased_at')).toEqual({
      phone: worker.phone,
      erased_at: null,
    });
    const { body } = await t.overview(worker.token);
    expect(body.deletion).toMatchObject({ id: deletion.id, status: 'grace', canCancel: true });
    expect(body.preconditions.map((p) => p.code)).toEqual(['wallet_balance']);
    const event: { reason: string } | undefined = await db()('outbox_events')
      .whereRaw(`payload->>'requestId' = ? AND payload->>'status' = 'grace' AND payload->>'reason' LIKE ?`, [
        deletion.id,
        '%not erased yet%',
      ])
      .first(db().raw(`payload->>'reason' AS reason`));
    expect(event?.reason).toContain('₹300');

    await t.debit(worker.workerId, 30_000);
    expect(await t.finished(deletion.id)).toEqual({ deletionId: deletion.id, status: 'erased' });
    await t.record(deletion.id, 'deletion-erasure-postponed-then-erased');
    expect(await db()('workers').where({ id: worker.workerId }).first('phone')).toEqual({ phone: null });
  });
});

describe('account deletion: SLA escalation and expiry', () => {
  let h: Harness;
  const t = toolsFor(() => h);

  beforeAll(async () => {
    h = await createHarness({ worker: true, env: { APPROVAL_SLA_DELETION_MS: '400', DELETION_GRACE_MS: '1000' } });
  });
  afterAll(() => h.close());

  it('undecided: escalated at the SLA, expired at 3× the SLA, nothing erased', async () => {
    const worker = await signInWorker(h.api.app);
    const created = await t.request(worker.token, { reason: 'not_using' });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<DeletionBody>();

    expect(await t.finished(id)).toEqual({ deletionId: id, status: 'expired' });
    await t.record(id, 'deletion-escalated-then-expired');
    const request: Record<string, unknown> = await h.database.db('requests').where({ id }).first();
    expect(request).toMatchObject({ status: 'expired', escalated_at: expect.any(Date), closed_at: expect.any(Date) });
    expect((await t.overview(worker.token)).body).toMatchObject({
      deletion: { id, status: 'expired', decisionReason: 'expired', canCancel: false },
      canRequest: true,
    });
    expect(await h.database.db('workers').where({ id: worker.workerId }).first('phone')).toEqual({
      phone: worker.phone,
    });
  });
});
