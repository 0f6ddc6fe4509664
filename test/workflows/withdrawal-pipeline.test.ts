import { io as connectSocket, type Socket } from 'socket.io-client';
import { decideWithdrawalSignal, withdrawalWorkflowId } from '../../workflows/contracts';
import type { EventEnvelope } from '../../api/realtime/event-catalogue';
import { bearer, createHarness, postWithdrawal, signInAdmin, signInWorker, type Harness } from '../helpers/harness';

/**
 * The walking skeleton on real components: Temporal dev server, PostgreSQL, the Fastify API listening on a port
 * and a socket.io-client connected as the worker.
 */
describe('withdrawal pipeline: request → workflow → admin decision → PostgreSQL + outbox → worker socket', () => {
  let h: Harness;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    h = await createHarness({ listen: true, worker: true, env: { WITHDRAWAL_APPROVAL_EXPIRY_MS: '60000' } });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await h.close();
  });

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

  function nextEvent(
    socket: Socket,
    predicate: (e: EventEnvelope) => boolean,
    timeoutMs = 10_000,
  ): Promise<EventEnvelope> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching event')), timeoutMs);
      socket.on('withdrawal.status_changed', (event: EventEnvelope) => {
        if (predicate(event)) {
          clearTimeout(timer);
          resolve(event);
        }
      });
    });
  }

  async function requestWithdrawal(
    token: string,
    amountPaise: number,
    key = `key-${Math.random().toString(36).slice(2)}`,
  ) {
    const response = await postWithdrawal(h.api.app, token, key, { amountPaise });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string; status: string }>();
  }

  function decide(token: string, id: string, body: Record<string, unknown>) {
    return h.api.app.inject({
      method: 'POST',
      url: `/v1/admin/withdrawals/${id}/decision`,
      headers: bearer(token),
      payload: body,
    });
  }

  async function snapshot(id: string) {
    const row = (await h.database.db('withdrawals').where({ id }).first()) as Record<string, unknown>;
    // The events themselves, not the relay's bookkeeping (published_at changes asynchronously).
    const events = await h.database
      .db('outbox_events')
      .select('id', 'type', 'worker_id', 'payload')
      .whereRaw(`payload->>'withdrawalId' = ?`, [id])
      .orderBy('id');
    return { row, events };
  }

  it('carries an approval from the admin API to the worker socket, persisted with its outbox event', async () => {
    const worker = await signInWorker(h.api.app);
    const admin = await signInAdmin(h.api.app);
    const socket = await connectAs(worker.token);

    const pendingEvent = nextEvent(socket, (e) => e.data.status === 'pending_approval');
    const withdrawal = await requestWithdrawal(worker.token, 600_000);
    expect(withdrawal.status).toBe('pending_approval');
    expect((await pendingEvent).data).toMatchObject({
      withdrawalId: withdrawal.id,
      amountPaise: 600_000,
      currency: 'INR',
    });

    const approvedEvent = nextEvent(
      socket,
      (e) => e.data.withdrawalId === withdrawal.id && e.data.status === 'approved',
    );
    const decision = await decide(admin.token, withdrawal.id, { decision: 'approve', comment: 'looks fine' });
    expect(decision.statusCode).toBe(200);
    expect(decision.json()).toMatchObject({
      status: 'approved',
      decidedBy: admin.adminId,
      decisionComment: 'looks fine',
      workflowId: `withdrawal-${withdrawal.id}`,
    });

    const event = await approvedEvent;
    expect(event).toMatchObject({ type: 'withdrawal.status_changed', version: 1 });
    expect(event.data).toMatchObject({ withdrawalId: withdrawal.id, status: 'approved', amountPaise: 600_000 });

    const { row, events } = await snapshot(withdrawal.id);
    expect(row).toMatchObject({ status: 'approved', decided_by: admin.adminId });
    expect(events.map((e: { payload: { status: string } }) => e.payload.status)).toEqual([
      'pending_approval',
      'approved',
    ]);
    expect(event.eventId).toBe(Number((events[1] as { id: number }).id));

    const result: unknown = await h.api.temporal.workflow.getHandle(withdrawalWorkflowId(withdrawal.id)).result();
    expect(result).toMatchObject({ status: 'approved' });
  });

  it('tells the worker why a rejection happened', async () => {
    const worker = await signInWorker(h.api.app);
    const admin = await signInAdmin(h.api.app);
    const socket = await connectAs(worker.token);
    const withdrawal = await requestWithdrawal(worker.token, 700_000);

    const rejected = nextEvent(socket, (e) => e.data.withdrawalId === withdrawal.id && e.data.status === 'rejected');
    const response = await decide(admin.token, withdrawal.id, { decision: 'reject', reason: 'bank details mismatch' });
    expect(response.statusCode).toBe(200);
    expect((await rejected).data).toMatchObject({ reason: 'bank details mismatch' });
  });

  it('accepts the same decision as a plain signal (ops with the Temporal CLI)', async () => {
    const worker = await signInWorker(h.api.app);
    const admin = await signInAdmin(h.api.app);
    const socket = await connectAs(worker.token);
    const withdrawal = await requestWithdrawal(worker.token, 550_000);

    const approved = nextEvent(socket, (e) => e.data.withdrawalId === withdrawal.id && e.data.status === 'approved');
    await h.api.temporal.workflow
      .getHandle(withdrawalWorkflowId(withdrawal.id))
      .signal(decideWithdrawalSignal, { decision: 'approve', adminId: admin.adminId });
    await approved;
    expect((await snapshot(withdrawal.id)).row).toMatchObject({ status: 'approved', decided_by: admin.adminId });
  });

  describe('refuses a decision that is no longer valid, and changes nothing', () => {
    it.each([
      ['a second approval', { decision: 'approve' }, { decision: 'approve' }, /already approved/],
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
        /already approved/,
      ],
    ])('%s', async (_name, first, second, message) => {
      const worker = await signInWorker(h.api.app);
      const admin = await signInAdmin(h.api.app);
      const withdrawal = await requestWithdrawal(worker.token, 800_000);
      expect((await decide(admin.token, withdrawal.id, first)).statusCode).toBe(200);
      const before = await snapshot(withdrawal.id);

      const refused = await decide(admin.token, withdrawal.id, second);
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ error: { code: 'DECISION_NOT_ALLOWED', requestId: expect.any(String) } });
      expect(refused.json<{ error: { message: string } }>().error.message).toMatch(message);
      expect(await snapshot(withdrawal.id)).toEqual(before);
    });

    it('two admins deciding at once: exactly one decision wins, the other is refused', async () => {
      const worker = await signInWorker(h.api.app);
      const [a, b] = await Promise.all([signInAdmin(h.api.app), signInAdmin(h.api.app)]);
      const withdrawal = await requestWithdrawal(worker.token, 900_000);
      const responses = await Promise.all([
        decide(a.token, withdrawal.id, { decision: 'approve' }),
        decide(b.token, withdrawal.id, { decision: 'reject', reason: 'suspicious' }),
      ]);
      expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const winner = responses.find((r) => r.statusCode === 200)!.json<{ status: string }>();
      const { row, events } = await snapshot(withdrawal.id);
      expect(row.status).toBe(winner.status);
      expect(events).toHaveLength(2);
    });

    it('an unknown withdrawal', async () => {
      const admin = await signInAdmin(h.api.app);
      const response = await decide(admin.token, '00000000-0000-4000-8000-000000000000', { decision: 'approve' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    });

    it('a rejection without a reason', async () => {
      const worker = await signInWorker(h.api.app);
      const admin = await signInAdmin(h.api.app);
      const withdrawal = await requestWithdrawal(worker.token, 400_000);
      const before = await snapshot(withdrawal.id);
      const response = await decide(admin.token, withdrawal.id, { decision: 'reject' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      expect(await snapshot(withdrawal.id)).toEqual(before);
    });
  });

  describe('socket access', () => {
    it('refuses a socket without a token or with a bad token', async () => {
      await expect(connectAs(undefined)).rejects.toThrow('unauthenticated');
      await expect(connectAs('not.a-token')).rejects.toThrow('unauthenticated');
    });

    it("never delivers one worker's events to another worker", async () => {
      const owner = await signInWorker(h.api.app);
      const other = await signInWorker(h.api.app);
      const admin = await signInAdmin(h.api.app);
      const otherSocket = await connectAs(other.token);
      const ownerSocket = await connectAs(owner.token);
      const seenByOther: EventEnvelope[] = [];
      otherSocket.on('withdrawal.status_changed', (e: EventEnvelope) => seenByOther.push(e));

      const withdrawal = await requestWithdrawal(owner.token, 300_000);
      const approved = nextEvent(
        ownerSocket,
        (e) => e.data.withdrawalId === withdrawal.id && e.data.status === 'approved',
      );
      await decide(admin.token, withdrawal.id, { decision: 'approve' });
      await approved;
      expect(seenByOther.filter((e) => e.data.withdrawalId === withdrawal.id)).toEqual([]);
    });
  });
});

describe('withdrawal expiry', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ listen: false, worker: true, env: { WITHDRAWAL_APPROVAL_EXPIRY_MS: '1500' } });
  });
  afterAll(() => h.close());

  it('expires an undecided request and refuses a decision afterwards', async () => {
    const worker = await signInWorker(h.api.app);
    const admin = await signInAdmin(h.api.app);
    const created = await postWithdrawal(h.api.app, worker.token, 'expiry-key-1', { amountPaise: 600_000 });
    const { id } = created.json<{ id: string }>();
    await h.api.temporal.workflow.getHandle(withdrawalWorkflowId(id)).result();

    const row = (await h.database.db('withdrawals').where({ id }).first()) as Record<string, unknown>;
    expect(row).toMatchObject({ status: 'expired', decision_reason: 'expired', decided_by: null });
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
