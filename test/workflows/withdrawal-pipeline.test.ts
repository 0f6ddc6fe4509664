import { io as connectSocket, type Socket } from 'socket.io-client';
import { createLedgerRepository } from '../../api/db/ledger.repository';
import type { EventEnvelope } from '../../api/realtime/event-catalogue';
import { createLedgerService } from '../../api/services/ledger.service';
import { signRailBody } from '../../simulators/payout-rail';
import { decideRequestSignal, withdrawalWorkflowId } from '../../workflows/contracts';
import {
  bearer,
  createHarness,
  fundWorker,
  postWithdrawal,
  signInAdmin,
  signInWorker,
  TEST_RAIL_SECRET,
  type Harness,
} from '../helpers/harness';
import { recordHistory } from '../helpers/histories';

/**
 * The withdrawal on real components: Temporal dev server and worker, PostgreSQL, the API listening on a port, the
 * payout-rail simulator sending signed webhooks, and a socket.io-client connected as the worker.
 */
describe('withdrawal pipeline: hold → approval → payout → post/void → worker socket', () => {
  let h: Harness;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    h = await createHarness({ listen: true, worker: true, env: { APPROVAL_SLA_WITHDRAWAL_MS: '20000' } });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await h.close();
  });
  beforeEach(() => h.rail.setBehaviour({ outcome: 'succeed', delayMs: 50, duplicateWebhooks: 0 }));

  const ledger = () => createLedgerService({ db: h.database.db, ledger: createLedgerRepository(h.database.db) });

  async function rider(earningsPaise = 5_000_000) {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise });
    const wallet = await ledger().walletOf(worker.workerId);
    return { ...worker, walletId: wallet.id };
  }

  async function connectAs(token: string | undefined): Promise<Socket> {
    const socket = connectSocket(h.api.url, {
      auth: token ? { token } : {},
      transports: ['websocket'],
      reconnection: false,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }

  /** Collects status events from the moment of connection; reads filter by withdrawal (the first event can beat the POST's answer). */
  function statusesOf(socket: Socket, withdrawalId: () => string | undefined) {
    const all: EventEnvelope[] = [];
    socket.on('withdrawal.status_changed', (e: EventEnvelope) => all.push(e));
    const mine = () => all.filter((e) => e.data.withdrawalId === withdrawalId());
    return {
      get seen() {
        return mine();
      },
      async until(status: string, timeoutMs = 15_000) {
        const deadline = Date.now() + timeoutMs;
        while (!mine().some((e) => e.data.status === status)) {
          if (Date.now() > deadline) {
            throw new Error(
              `no ${status} event; saw ${mine()
                .map((e) => String(e.data.status))
                .join(', ')}`,
            );
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        return mine().map((e) => e.data.status);
      },
    };
  }

  async function request(token: string, amountPaise: number, key = `key-${Math.random().toString(36).slice(2)}`) {
    const response = await postWithdrawal(h.api.app, token, key, { amountPaise });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string; status: string; requiresApproval: boolean }>();
  }

  function decide(token: string, id: string, body: Record<string, unknown>) {
    return h.api.app.inject({
      method: 'POST',
      url: `/v1/admin/withdrawals/${id}/decision`,
      headers: bearer(token),
      payload: body,
    });
  }

  const finished = (id: string) => h.api.temporal.workflow.getHandle(withdrawalWorkflowId(id)).result();

  async function snapshot(id: string, walletId: string) {
    const row = (await h.database.db('withdrawals').where({ id }).first()) as Record<string, unknown>;
    // The events themselves, not the relay's bookkeeping (published_at changes asynchronously).
    const events = await h.database
      .db('outbox_events')
      .select('id', 'type', 'payload')
      .whereRaw(`payload->>'withdrawalId' = ?`, [id])
      .orderBy('id');
    return { row, events, wallet: await ledger().balanceOf(walletId) };
  }

  it('approved by an admin: paid through the rail, posted once, every step on the worker socket', async () => {
    const worker = await rider();
    const admin = await signInAdmin(h.api.app);
    const socket = await connectAs(worker.token);
    let id: string | undefined;
    const events = statusesOf(socket, () => id);
    const clearing = await ledger().systemAccount('payout_clearing');
    const clearingBefore = (await ledger().balanceOf(clearing.id)).balancePaise;

    const withdrawal = await request(worker.token, 600_000);
    id = withdrawal.id;
    expect(withdrawal).toMatchObject({ status: 'pending_approval', requiresApproval: true });
    expect((await ledger().balanceOf(worker.walletId)).heldPaise).toBe(600_000);

    const decision = await decide(admin.token, withdrawal.id, { decision: 'approve', comment: 'looks fine' });
    expect(decision.statusCode).toBe(200);
    expect(decision.json()).toMatchObject({
      decidedBy: admin.adminId,
      decisionComment: 'looks fine',
      workflowId: `withdrawal-${withdrawal.id}`,
    });
    expect(await events.until('paid')).toEqual(['pending_approval', 'approved', 'paying', 'paid']);

    const { row, wallet } = await snapshot(withdrawal.id, worker.walletId);
    expect(row).toMatchObject({ status: 'paid', decided_by: admin.adminId });
    expect(row.journal_id).toEqual(expect.any(String));
    expect(wallet).toEqual({
      balancePaise: 5_000_000 - 7_500 - 600_000,
      heldPaise: 0,
      spendablePaise: 5_000_000 - 7_500 - 600_000,
    });
    expect((await ledger().balanceOf(clearing.id)).balancePaise - clearingBefore).toBe(599_600);
    expect(await finished(withdrawal.id)).toMatchObject({ status: 'paid' });
    expect(h.rail.payouts.size).toBeGreaterThan(0);
  });

  it('below ₹5,000: approved automatically and paid without an admin', async () => {
    const worker = await rider();
    const socket = await connectAs(worker.token);
    let id: string | undefined;
    const events = statusesOf(socket, () => id);
    const withdrawal = await request(worker.token, 499_999);
    id = withdrawal.id;
    expect(withdrawal.requiresApproval).toBe(false);
    expect(await events.until('paid')).toEqual(['pending_approval', 'approved', 'paying', 'paid']);
    expect((await snapshot(withdrawal.id, worker.walletId)).row).toMatchObject({
      decided_by: null,
      decision_reason: 'approved automatically',
    });
  });

  it('rejected with a reason: the hold is voided and the worker is told why', async () => {
    const worker = await rider();
    const admin = await signInAdmin(h.api.app);
    const socket = await connectAs(worker.token);
    let id: string | undefined;
    const events = statusesOf(socket, () => id);
    const withdrawal = await request(worker.token, 700_000);
    id = withdrawal.id;
    expect(
      (await decide(admin.token, withdrawal.id, { decision: 'reject', reason: 'bank details mismatch' })).statusCode,
    ).toBe(200);
    await events.until('rejected');
    expect(events.seen.at(-1)!.data).toMatchObject({ status: 'rejected', reason: 'bank details mismatch' });
    expect((await snapshot(withdrawal.id, worker.walletId)).wallet).toMatchObject({
      heldPaise: 0,
      spendablePaise: 5_000_000 - 7_500,
    });
  });

  it('accepts the same decision as a plain signal (ops with the Temporal CLI)', async () => {
    const worker = await rider();
    const admin = await signInAdmin(h.api.app);
    const withdrawal = await request(worker.token, 550_000);
    await h.api.temporal.workflow
      .getHandle(withdrawalWorkflowId(withdrawal.id))
      .signal(decideRequestSignal, { decision: 'approve', adminId: admin.adminId, adminRole: 'approver' });
    expect(await finished(withdrawal.id)).toMatchObject({ status: 'paid' });
    await recordHistory(
      h.api.temporal,
      withdrawalWorkflowId(withdrawal.id),
      'withdrawal-v2-approved-by-signal-then-paid',
    );
    expect((await snapshot(withdrawal.id, worker.walletId)).row).toMatchObject({
      status: 'paid',
      decided_by: admin.adminId,
    });
  });

  it('the worker cancels while it waits: the money is spendable again at once; afterwards cancelling is refused', async () => {
    const worker = await rider();
    const withdrawal = await request(worker.token, 800_000);
    const cancel = () =>
      h.api.app.inject({
        method: 'POST',
        url: `/v1/withdrawals/${withdrawal.id}/cancel`,
        headers: bearer(worker.token),
      });
    const cancelled = await cancel();
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', decisionReason: 'cancelled by the worker' });
    expect((await snapshot(withdrawal.id, worker.walletId)).wallet).toMatchObject({
      heldPaise: 0,
      spendablePaise: 5_000_000 - 7_500,
    });
    const again = await cancel();
    expect(again.statusCode).toBe(409);
    expect(again.json<{ error: { message: string } }>().error.message).toMatch(/already cancelled/);

    const other = await signInWorker(h.api.app);
    const foreign = await h.api.app.inject({
      method: 'POST',
      url: `/v1/withdrawals/${withdrawal.id}/cancel`,
      headers: bearer(other.token),
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('a rail failure voids the hold and returns the money exactly once', async () => {
    h.rail.setBehaviour({ outcome: 'fail', duplicateWebhooks: 2 });
    const worker = await rider();
    const socket = await connectAs(worker.token);
    let id: string | undefined;
    const events = statusesOf(socket, () => id);
    const withdrawal = await request(worker.token, 300_000);
    id = withdrawal.id;
    expect(await events.until('failed')).toEqual(['pending_approval', 'approved', 'paying', 'failed']);
    const { row, wallet } = await snapshot(withdrawal.id, worker.walletId);
    expect(row).toMatchObject({ status: 'failed', failure_reason: 'beneficiary bank declined', journal_id: null });
    expect(wallet).toEqual({ balancePaise: 5_000_000 - 7_500, heldPaise: 0, spendablePaise: 5_000_000 - 7_500 });
  });

  it('duplicate webhooks pay once; a replayed webhook changes nothing; a forged one is refused', async () => {
    h.rail.setBehaviour({ duplicateWebhooks: 3 });
    const worker = await rider();
    const withdrawal = await request(worker.token, 300_000);
    expect(await finished(withdrawal.id)).toMatchObject({ status: 'paid' });
    const journals = await h.database.db('ledger_journals').whereRaw(`metadata->>'withdrawalId' = ?`, [withdrawal.id]);
    expect(journals).toHaveLength(1);
    const before = await snapshot(withdrawal.id, worker.walletId);

    const payoutId = (before.row as { payout_id: string }).payout_id;
    const body = JSON.stringify({
      event: 'payout.settled',
      payoutId,
      reference: withdrawal.id,
      status: 'failed',
      failureReason: 'forged',
    });
    const webhook = (signature: string) =>
      h.api.app.inject({
        method: 'POST',
        url: '/v1/webhooks/payout-rail',
        headers: { 'content-type': 'application/json', 'x-rail-signature': signature },
        payload: body,
      });
    const forged = await webhook(signRailBody('not-the-rail-secret-not-the-rail-secret', body));
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const replayed = await webhook(signRailBody(TEST_RAIL_SECRET, body));
    expect(replayed.statusCode).toBe(200);
    expect(await snapshot(withdrawal.id, worker.walletId)).toEqual(before);
  });

  describe('refuses a decision that is no longer valid, and changes nothing', () => {
    it.each([
      ['a second approval', { decision: 'approve' }, { decision: 'approve' }, /already (approved|paying|paid)/],
      [
        'an approval after a rejection',
        { decision: 'reject', reason: 'duplicate' },
        { decision: 'approve' },
        /already rejected/,
      ],
      [
        'a rejection after an approval',
        { decision: 'approve' },
        { decision: 'reject', reason: 'late' },
        /already (approved|paying|paid)/,
      ],
    ])('%s', async (_name, first, second, message) => {
      const worker = await rider();
      const admin = await signInAdmin(h.api.app);
      const withdrawal = await request(worker.token, 800_000);
      expect((await decide(admin.token, withdrawal.id, first)).statusCode).toBe(200);
      await finished(withdrawal.id);
      const before = await snapshot(withdrawal.id, worker.walletId);

      const refused = await decide(admin.token, withdrawal.id, second);
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ error: { code: 'DECISION_NOT_ALLOWED', requestId: expect.any(String) } });
      expect(refused.json<{ error: { message: string } }>().error.message).toMatch(message);
      expect(await snapshot(withdrawal.id, worker.walletId)).toEqual(before);
    });

    it('two admins deciding at once: exactly one decision wins, the other is refused', async () => {
      const worker = await rider();
      const [a, b] = await Promise.all([signInAdmin(h.api.app), signInAdmin(h.api.app)]);
      const withdrawal = await request(worker.token, 900_000);
      const responses = await Promise.all([
        decide(a.token, withdrawal.id, { decision: 'approve' }),
        decide(b.token, withdrawal.id, { decision: 'reject', reason: 'suspicious' }),
      ]);
      expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const result = (await finished(withdrawal.id)) as { status: string };
      expect(['paid', 'rejected']).toContain(result.status);
      const journals = await h.database
        .db('ledger_journals')
        .whereRaw(`metadata->>'withdrawalId' = ?`, [withdrawal.id]);
      expect(journals).toHaveLength(result.status === 'paid' ? 1 : 0);
    });

    it('an unknown withdrawal', async () => {
      const admin = await signInAdmin(h.api.app);
      const response = await decide(admin.token, '00000000-0000-4000-8000-000000000000', { decision: 'approve' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    });

    it('a rejection without a reason', async () => {
      const worker = await rider();
      const admin = await signInAdmin(h.api.app);
      const withdrawal = await request(worker.token, 600_000);
      const before = await snapshot(withdrawal.id, worker.walletId);
      const response = await decide(admin.token, withdrawal.id, { decision: 'reject' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      expect(await snapshot(withdrawal.id, worker.walletId)).toEqual(before);
    });
  });

  describe('socket access', () => {
    it('refuses a socket without a token or with a bad token', async () => {
      await expect(connectAs(undefined)).rejects.toThrow('unauthenticated');
      await expect(connectAs('not.a-token')).rejects.toThrow('unauthenticated');
    });

    it("never delivers one worker's events to another worker", async () => {
      const owner = await rider();
      const other = await signInWorker(h.api.app);
      const otherSocket = await connectAs(other.token);
      const ownerSocket = await connectAs(owner.token);
      const seenByOther: EventEnvelope[] = [];
      otherSocket.on('withdrawal.status_changed', (e: EventEnvelope) => seenByOther.push(e));
      let id: string | undefined;
      const events = statusesOf(ownerSocket, () => id);
      id = (await request(owner.token, 300_000)).id;
      await events.until('paid');
      expect(seenByOther).toEqual([]);
    });
  });
});

describe('withdrawal expiry', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: true, env: { APPROVAL_SLA_WITHDRAWAL_MS: '500' } });
  });
  afterAll(() => h.close());

  it('expires an undecided request, releases the hold, and refuses a decision afterwards', async () => {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 5_000_000 });
    const admin = await signInAdmin(h.api.app);
    const created = await postWithdrawal(h.api.app, worker.token, 'expiry-key-1', { amountPaise: 600_000 });
    const { id } = created.json<{ id: string }>();
    await h.api.temporal.workflow.getHandle(withdrawalWorkflowId(id)).result();
    await recordHistory(h.api.temporal, withdrawalWorkflowId(id), 'withdrawal-v2-escalated-then-expired');

    const row = (await h.database.db('withdrawals').where({ id }).first()) as Record<string, unknown>;
    expect(row).toMatchObject({ status: 'expired', decision_reason: 'expired', decided_by: null });
    const balance = await h.api.app.inject({ method: 'GET', url: '/v1/me/balance', headers: bearer(worker.token) });
    expect(balance.json()).toMatchObject({ heldPaise: 0, allowance: { used: 0 } });
    const late = await h.api.app.inject({
      method: 'POST',
      url: `/v1/admin/withdrawals/${id}/decision`,
      headers: bearer(admin.token),
      payload: { decision: 'approve' },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json<{ error: { message: string } }>().error.message).toMatch(/already expired/);
  });
});

describe('a rail that settles at once', () => {
  let h: Harness;
  beforeAll(async () => {
    // Polling is a minute away: only the webhook can finish these withdrawals within the test's time.
    h = await createHarness({ listen: true, worker: true, env: { PAYOUT_STATUS_POLL_MS: '60000' } });
    h.rail.setBehaviour({ outcome: 'succeed', delayMs: 0, duplicateWebhooks: 0 });
  });
  afterAll(() => h.close());

  it('pays on the webhook even when it arrives before the payout request has returned to the workflow', async () => {
    // Several (one per worker: the daily allowance), so the webhook beats the activity's completion in some.
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const worker = await signInWorker(h.api.app);
      await fundWorker(h, worker, { earningsPaise: 5_000_000 });
      const created = await postWithdrawal(h.api.app, worker.token, `instant-${i}`, { amountPaise: 50_000 });
      expect(created.statusCode).toBe(201);
      ids.push(created.json<{ id: string }>().id);
    }
    const results = await Promise.all(
      ids.map((id) =>
        Promise.race([
          h.api.temporal.workflow.getHandle(withdrawalWorkflowId(id)).result(),
          new Promise((resolve) => {
            setTimeout(() => resolve('still waiting for the poll'), 15_000).unref();
          }),
        ]),
      ),
    );
    expect(results.map((r) => (typeof r === 'string' ? r : (r as { status: string }).status))).toEqual(
      ids.map(() => 'paid'),
    );
  });
});
