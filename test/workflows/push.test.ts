import { randomBytes, randomUUID } from 'node:crypto';
import { startFcmSimulator, type FcmSimulator } from '../../simulators/fcm-server';
import {
  bearer,
  createHarness,
  fundWorker,
  postWithdrawal,
  signInAdmin,
  signInWorker,
  type Harness,
} from '../helpers/harness';

const FCM_PROJECT = 'gigbit-push-test';
const fcmToken = () => `${randomBytes(8).toString('base64url')}:APA91b${randomBytes(100).toString('base64url')}`;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Push on real components (Temporal, PostgreSQL, the payout-rail simulator) against the fake FCM server: the
 * assertions are on the HTTP v1 messages as they arrive where Google would receive them.
 */
describe('push notifications through FCM (firebase-admin → fake FCM server)', () => {
  let h: Harness;
  let fcm: FcmSimulator;

  beforeAll(async () => {
    fcm = await startFcmSimulator();
    h = await createHarness({
      listen: true,
      worker: true,
      env: {
        FCM_EMULATOR_URL: fcm.url,
        FCM_PROJECT_ID: FCM_PROJECT,
        PUSH_POLL_INTERVAL_MS: '100',
        APPROVAL_SLA_WITHDRAWAL_MS: '20000',
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await fcm.close();
  });

  async function fundedWorkerWithDevices(...platforms: Array<'android' | 'ios' | 'web'>) {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 5_000_000 });
    const devices: Array<{ id: string; token: string }> = [];
    for (const platform of platforms) {
      const token = fcmToken();
      const response = await h.api.app.inject({
        method: 'POST',
        url: '/v1/me/devices',
        headers: bearer(worker.token),
        payload: { token, platform },
      });
      expect(response.statusCode).toBe(201);
      devices.push({ id: response.json<{ id: string }>().id, token });
    }
    return { ...worker, devices };
  }

  async function withdraw(token: string, amountPaise: number): Promise<string> {
    const response = await postWithdrawal(h.api.app, token, `push-${randomUUID()}`, { amountPaise });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string }>().id;
  }

  /** The delivered messages for a token, in event order (sendEach sends a batch's messages concurrently). */
  const deliveredTo = (token: string) =>
    fcm
      .delivered(token)
      .map((m) => m as { data: Record<string, string> } & Record<string, unknown>)
      .sort((a, b) => Number(a.data.eventId) - Number(b.data.eventId));

  const statusesTo = (token: string, withdrawalId: string) =>
    deliveredTo(token)
      .filter((m) => m.data.withdrawalId === withdrawalId)
      .map((m) => m.data.status);

  const untilDelivered = (token: string, withdrawalId: string, status: string) =>
    until(`a ${status} push to the device`, () =>
      statusesTo(token, withdrawalId).includes(status) ? true : undefined,
    );

  const eventsOf = (withdrawalId: string) =>
    h.database
      .db('outbox_events')
      .whereRaw(`payload->>'withdrawalId' = ?`, [withdrawalId])
      .orderBy('id')
      .select<Array<{ id: number; type: string; pushed_at: Date | null; push_attempts: number }>>(
        'id',
        'type',
        'pushed_at',
        'push_attempts',
      );

  it('an approved withdrawal: the exact FCM message for every status reaches the worker’s device; admin-only events push nothing', async () => {
    const worker = await fundedWorkerWithDevices('android');
    const { token } = worker.devices[0]!;
    const admin = await signInAdmin(h.api.app);
    const withdrawalId = await withdraw(worker.token, 600_000);
    const decision = await h.api.app.inject({
      method: 'POST',
      url: `/v1/admin/withdrawals/${withdrawalId}/decision`,
      headers: bearer(admin.token),
      payload: { decision: 'approve' },
    });
    expect(decision.statusCode).toBe(200);
    await untilDelivered(token, withdrawalId, 'paid');

    const events = await eventsOf(withdrawalId);
    expect(events.map((e) => e.type)).toEqual(Array(4).fill('withdrawal.status_changed'));
    const bodies = [
      ['pending_approval', 'Your withdrawal of ₹6,000 is waiting for approval.'],
      ['approved', 'Your withdrawal of ₹6,000 was approved; the money is on its way.'],
      ['paying', '₹5,996 is being sent to your bank account.'],
      ['paid', '₹5,996 reached your bank account.'],
    ] as const;
    // Exactly what Google would receive, field for field.
    expect(deliveredTo(token)).toEqual(
      bodies.map(([status, body], i) => ({
        token,
        notification: { title: 'Withdrawal', body },
        data: {
          type: 'withdrawal.status_changed',
          withdrawalId,
          status,
          eventId: String(events[i]!.id),
        },
        android: { priority: 'high', notification: { tag: `gigbit-event-${events[i]!.id}` } },
        apns: { headers: { 'apns-collapse-id': `gigbit-event-${events[i]!.id}` } },
        webpush: { headers: { Urgency: 'high' }, notification: { tag: `gigbit-event-${events[i]!.id}` } },
      })),
    );
    const requests = fcm.received.filter((r) => r.message.token === token);
    expect(requests).toHaveLength(4);
    for (const request of requests) {
      expect(request).toMatchObject({
        projectId: FCM_PROJECT,
        validateOnly: false,
        host: 'fcm.googleapis.com',
        authorization: expect.stringMatching(/^Bearer \S+$/),
        status: 200,
        outcome: 'delivered',
      });
    }
    await until('every event marked pushed', async () =>
      (await eventsOf(withdrawalId)).every((e) => e.pushed_at !== null) ? true : undefined,
    );

    // The admin's decision wrote an admins-only inbox event: the push relay never claims it, FCM never sees it.
    const adminOnly = await h.database
      .db('outbox_events')
      .where({ type: 'request.updated' })
      .whereRaw(`payload->>'requestId' = ?`, [withdrawalId])
      .select<Array<{ worker_id: string | null; pushed_at: Date | null }>>('worker_id', 'pushed_at');
    expect(adminOnly.length).toBeGreaterThan(0);
    expect(adminOnly.every((e) => e.worker_id === null && e.pushed_at === null)).toBe(true);
    expect(fcm.received.filter((r) => (r.message.data as Record<string, string>).type === 'request.updated')).toEqual(
      [],
    );
  });

  it('a token FCM reports as UNREGISTERED is removed after its first failed send, and never tried again', async () => {
    const worker = await fundedWorkerWithDevices('android', 'ios');
    const [dead, live] = worker.devices as [{ id: string; token: string }, { id: string; token: string }];
    fcm.unregister(dead.token);

    const first = await withdraw(worker.token, 300_000);
    await untilDelivered(live.token, first, 'paid');
    const attempts = fcm.received
      .filter((r) => r.message.token === dead.token)
      .sort(
        (a, b) =>
          Number((a.message.data as Record<string, string>).eventId) -
          Number((b.message.data as Record<string, string>).eventId),
      );
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts[0]).toMatchObject({
      status: 404,
      outcome: 'unregistered',
      message: { token: dead.token, data: { withdrawalId: first, status: 'pending_approval' } },
    });
    // Gone from the table and from the worker's list; the live device is untouched.
    expect(await h.database.db('device_tokens').where({ token: dead.token })).toEqual([]);
    const listed = await h.api.app.inject({ method: 'GET', url: '/v1/me/devices', headers: bearer(worker.token) });
    expect(listed.json<{ items: Array<{ id: string }> }>().items.map((d) => d.id)).toEqual([live.id]);
    expect(statusesTo(live.token, first)).toEqual(['pending_approval', 'approved', 'paying', 'paid']);

    const second = await withdraw(worker.token, 250_000);
    await untilDelivered(live.token, second, 'paid');
    expect(fcm.received.filter((r) => r.message.token === dead.token)).toHaveLength(attempts.length);
  });

  it('a worker with two devices gets every push on both', async () => {
    const worker = await fundedWorkerWithDevices('android', 'ios');
    const [phone, tablet] = worker.devices as [{ id: string; token: string }, { id: string; token: string }];
    const withdrawalId = await withdraw(worker.token, 450_000);
    await untilDelivered(phone.token, withdrawalId, 'paid');
    await untilDelivered(tablet.token, withdrawalId, 'paid');
    const expected = ['pending_approval', 'approved', 'paying', 'paid'];
    expect(statusesTo(phone.token, withdrawalId)).toEqual(expected);
    expect(statusesTo(tablet.token, withdrawalId)).toEqual(expected);
    // The same message, only the target differs.
    const strip = (m: Record<string, unknown>) => ({ ...m, token: undefined });
    expect(deliveredTo(phone.token).map(strip)).toEqual(deliveredTo(tablet.token).map(strip));
  });

  it('an FCM failure is retried on the next pass; events of a worker without devices are simply marked', async () => {
    const worker = await fundedWorkerWithDevices('web');
    const { token } = worker.devices[0]!;
    fcm.failNext(1);
    const withdrawalId = await withdraw(worker.token, 700_000);
    await untilDelivered(token, withdrawalId, 'pending_approval');
    const sent = fcm.received.filter((r) => r.message.token === token);
    expect(sent.map((r) => r.outcome)).toEqual(['internal', 'delivered']);
    expect(sent[0]!.message).toEqual(sent[1]!.message);
    await until('the retried event marked pushed', async () =>
      (await eventsOf(withdrawalId)).every((e) => e.pushed_at !== null) ? true : undefined,
    );
    expect((await eventsOf(withdrawalId)).map((e) => e.push_attempts)).toEqual([1]);

    const deviceless = await signInWorker(h.api.app);
    await fundWorker(h, deviceless, { earningsPaise: 5_000_000 });
    const quiet = await withdraw(deviceless.token, 650_000);
    await until('the device-less worker’s event marked pushed', async () =>
      (await eventsOf(quiet)).every((e) => e.pushed_at !== null) ? true : undefined,
    );
    expect(fcm.received.filter((r) => (r.message.data as Record<string, string>).withdrawalId === quiet)).toEqual([]);
  });
});
