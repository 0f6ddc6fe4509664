import { randomUUID } from 'node:crypto';
import { decideRequestSignal, requestWorkflowId, withdrawalWorkflowId } from '../../workflows/contracts';
import {
  bearer,
  createHarness,
  fundWorker,
  postWithdrawal,
  signInAdmin,
  signInWorker,
  type Harness,
} from '../helpers/harness';
import { eventually, seedEarningHistory, uploadDocument } from '../helpers/loans';

interface Summary {
  id: string;
  type: string;
  status: string;
  slaState: string;
  workflowUrl: string;
}

/** The approvals model across request types: inbox, bulk decisions, ops signals, search attributes. */
describe('approvals inbox and bulk decisions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: true, env: { APPROVAL_SLA_WITHDRAWAL_MS: '60000' } });
  });
  afterAll(() => h.close());

  async function pendingWithdrawals(count: number) {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 20_000_000, plans: ['trio', 'solo'] });
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const response = await postWithdrawal(h.api.app, worker.token, `bulk-${randomUUID()}`, { amountPaise: 600_000 });
      expect(response.statusCode).toBe(201);
      ids.push(response.json<{ id: string }>().id);
    }
    return { worker, ids };
  }

  const inbox = async (token: string, query: string) =>
    (await h.api.app.inject({ method: 'GET', url: `/v1/admin/requests?${query}`, headers: bearer(token) })).json<{
      items: Summary[];
      nextCursor: string | null;
    }>();

  it('a bulk approval re-checks each item: the one cancelled meanwhile is refused, the others are paid', async () => {
    const admin = await signInAdmin(h.api.app);
    const { worker, ids } = await pendingWithdrawals(3);
    const cancelled = await h.api.app.inject({
      method: 'POST',
      url: `/v1/withdrawals/${ids[1]}/cancel`,
      headers: bearer(worker.token),
    });
    expect(cancelled.statusCode).toBe(200);

    const bulk = await h.api.app.inject({
      method: 'POST',
      url: '/v1/admin/requests/bulk-decision',
      headers: bearer(admin.token),
      payload: { ids, decision: 'approve', comment: 'batch' },
    });
    expect(bulk.statusCode).toBe(200);
    expect(bulk.json()).toMatchObject({
      succeeded: 2,
      failed: 1,
      results: [
        { id: ids[0], ok: true, status: 'approved' },
        {
          id: ids[1],
          ok: false,
          error: { code: 'DECISION_NOT_ALLOWED', message: 'Refused: the request is already cancelled' },
        },
        { id: ids[2], ok: true, status: 'approved' },
      ],
    });
    for (const id of [ids[0]!, ids[2]!]) {
      expect(await h.api.temporal.workflow.getHandle(withdrawalWorkflowId(id)).result()).toMatchObject({
        status: 'paid',
      });
    }
    const decisions = await h.database.db('request_decisions').whereIn('request_id', ids).select('request_id');
    expect(decisions.map((d: { request_id: string }) => d.request_id).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('a bulk rejection needs a reason and then rejects every item, releasing each hold', async () => {
    const admin = await signInAdmin(h.api.app);
    const { ids } = await pendingWithdrawals(2);
    const bare = await h.api.app.inject({
      method: 'POST',
      url: '/v1/admin/requests/bulk-decision',
      headers: bearer(admin.token),
      payload: { ids, decision: 'reject' },
    });
    expect(bare.json()).toMatchObject({ failed: 2, results: [{ error: { code: 'VALIDATION_FAILED' } }, {}] });
    const rejected = await h.api.app.inject({
      method: 'POST',
      url: '/v1/admin/requests/bulk-decision',
      headers: bearer(admin.token),
      payload: { ids, decision: 'reject', reason: 'bank details under review' },
    });
    expect(rejected.json()).toMatchObject({ succeeded: 2, failed: 0 });
    const holds = await h.database
      .db('withdrawals as w')
      .join('ledger_holds as l', 'l.id', 'w.hold_id')
      .whereIn('w.id', ids)
      .select('l.status');
    expect(holds.map((r: { status: string }) => r.status)).toEqual(['voided', 'voided']);
  });

  it('lists the queue oldest first with filters and a cursor, each item linking to its workflow', async () => {
    const admin = await signInAdmin(h.api.app);
    const { worker, ids } = await pendingWithdrawals(3);
    const page1 = await inbox(admin.token, `type=withdrawal&workerId=${worker.workerId}&limit=2`);
    expect(page1.items.map((i) => i.id)).toEqual(ids.slice(0, 2));
    expect(page1.items[0]).toMatchObject({
      type: 'withdrawal',
      status: 'pending_approval',
      slaState: 'on_time',
      workflowUrl: expect.stringMatching(new RegExp(`/workflows/${withdrawalWorkflowId(ids[0]!)}$`)),
    });
    const page2 = await inbox(
      admin.token,
      `type=withdrawal&workerId=${worker.workerId}&limit=2&cursor=${page1.nextCursor}`,
    );
    expect(page2.items.map((i) => i.id)).toEqual(ids.slice(2));
    expect(page2.nextCursor).toBeNull();
    expect((await inbox(admin.token, `type=loan&workerId=${worker.workerId}`)).items).toEqual([]);
    expect((await inbox(admin.token, `sla=overdue&workerId=${worker.workerId}`)).items).toEqual([]);
    expect((await inbox(admin.token, `minAgeMinutes=60&workerId=${worker.workerId}`)).items).toEqual([]);
    const bad = await h.api.app.inject({
      method: 'GET',
      url: '/v1/admin/requests?cursor=nonsense',
      headers: bearer(admin.token),
    });
    expect(bad.statusCode).toBe(400);
  });

  it('ops signals cannot forge a role or block a request: a claimed senior role is checked, a bad id ignored', async () => {
    const approverA = await signInAdmin(h.api.app, 'approver');
    const approverB = await signInAdmin(h.api.app, 'approver');
    const senior = await signInAdmin(h.api.app, 'senior_approver');
    const worker = await signInWorker(h.api.app);
    await seedEarningHistory(h, worker, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
    const created = await h.api.app.inject({
      method: 'POST',
      url: '/v1/loans',
      headers: { ...bearer(worker.token), 'idempotency-key': `forge-${randomUUID()}` },
      payload: { amountPaise: 3_000_000, documentId: await uploadDocument(h.api.app, worker.token) },
    });
    const loanId = created.json<{ id: string }>().id;
    const first = await h.api.app.inject({
      method: 'POST',
      url: `/v1/admin/requests/${loanId}/decision`,
      headers: bearer(approverA.token),
      payload: { decision: 'approve' },
    });
    expect(first.json()).toMatchObject({ approvalsGiven: 1, status: 'pending_approval' });

    const handle = h.api.temporal.workflow.getHandle(requestWorkflowId('loan', loanId));
    // A plain approver's id sent as a senior approver: the record checks the role in the database and refuses.
    await handle.signal(decideRequestSignal, {
      decision: 'approve',
      adminId: approverB.adminId,
      adminRole: 'senior_approver',
    });
    // Not an admin id at all: refused by the validator, never retried forever.
    await handle.signal(decideRequestSignal, {
      decision: 'reject',
      adminId: 'alice',
      adminRole: 'approver',
      reason: 'x',
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await h.database.db('request_decisions').where({ request_id: loanId }).select('admin_id')).toEqual([
      { admin_id: approverA.adminId },
    ]);
    expect(await h.database.db('loans').where({ id: loanId }).first('status')).toEqual({ status: 'pending_approval' });

    const second = await h.api.app.inject({
      method: 'POST',
      url: `/v1/admin/requests/${loanId}/decision`,
      headers: bearer(senior.token),
      payload: { decision: 'approve' },
    });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ status: 'active', approvalsGiven: 2 });
    const roles: Array<{ admin_role: string }> = await h.database
      .db('request_decisions')
      .where({ request_id: loanId })
      .orderBy('decided_at')
      .select('admin_role');
    expect(roles.map((r) => r.admin_role)).toEqual(['approver', 'senior_approver']);
  });

  it('accepts an ops decision as a plain signal, and keeps the search attributes current for the Web UI', async () => {
    const admin = await signInAdmin(h.api.app, 'senior_approver');
    const worker = await signInWorker(h.api.app);
    await seedEarningHistory(h, worker, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
    const created = await h.api.app.inject({
      method: 'POST',
      url: '/v1/loans',
      headers: { ...bearer(worker.token), 'idempotency-key': `signal-${randomUUID()}` },
      payload: { amountPaise: 500_000, documentId: await uploadDocument(h.api.app, worker.token) },
    });
    const loanId = created.json<{ id: string }>().id;
    const handle = h.api.temporal.workflow.getHandle(requestWorkflowId('loan', loanId));
    // A stale or malformed signal is ignored; a valid one decides.
    await handle.signal(decideRequestSignal, {
      decision: 'reject',
      adminId: admin.adminId,
      adminRole: 'senior_approver',
    });
    await handle.signal(decideRequestSignal, {
      decision: 'approve',
      adminId: admin.adminId,
      adminRole: 'senior_approver',
    });
    await eventually(
      async () => (await h.database.db('loans').where({ id: loanId }).first<{ status: string }>('status')).status,
      (status) => status === 'active',
    );
    const found = await eventually(
      async () => {
        const runs: string[] = [];
        for await (const run of h.api.temporal.workflow.list({
          query: `GigBitRequestType = 'loan' AND GigBitWorkerId = '${worker.workerId}' AND GigBitStatus = 'active'`,
        })) {
          runs.push(run.workflowId);
        }
        return runs;
      },
      (runs) => runs.length > 0,
    );
    expect(found).toContain(requestWorkflowId('loan', loanId));
  });
});
