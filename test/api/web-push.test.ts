import { randomUUID } from 'node:crypto';
import webpush from 'web-push';
import {
  browserSubscriptionKeys,
  startWebPushService,
  type WebPushServiceSimulator,
} from '../../simulators/web-push-server';
import { bearer, createHarness, fundWorker, postWithdrawal, signInWorker, type Harness } from '../helpers/harness';
import { eventually } from '../helpers/loans';

const VAPID = webpush.generateVAPIDKeys();
const SUBJECT = 'mailto:ops@gigbit.test';

/**
 * Web Push for the PWA, end to end on real components (Temporal, PostgreSQL, the payout rail) against a local push
 * service that checks VAPID and the encoding as a real one does. The test plays the browser: it made the
 * subscription's key pair, so it decrypts what arrived (RFC 8291) and asserts the exact notification.
 */
describe('web push (VAPID + aes128gcm → fake push service)', () => {
  let h: Harness;
  let service: WebPushServiceSimulator;

  beforeAll(async () => {
    service = await startWebPushService();
    h = await createHarness({
      listen: true,
      worker: true,
      env: {
        VAPID_PUBLIC_KEY: VAPID.publicKey,
        VAPID_PRIVATE_KEY: VAPID.privateKey,
        VAPID_SUBJECT: SUBJECT,
        // The local push service stands in for fcm.googleapis.com & co. (plain http: development mode).
        WEB_PUSH_SERVICE_HOSTS: '127.0.0.1',
        PUSH_POLL_INTERVAL_MS: '100',
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await service.close();
  });

  async function subscribe(token: string, endpoint = service.endpoint()) {
    const keys = browserSubscriptionKeys();
    const response = await h.api.app.inject({
      method: 'POST',
      url: '/v1/me/web-push/subscriptions',
      headers: bearer(token),
      payload: { endpoint, expirationTime: null, keys: { p256dh: keys.p256dh, auth: keys.auth } },
    });
    return { response, endpoint, keys };
  }

  /** A ₹500 withdrawal runs to paid and its final push reaches the `alive` subscription (decrypted as a browser). */
  async function paidAndPushedTo(
    worker: { token: string },
    alive: Awaited<ReturnType<typeof subscribe>>,
  ): Promise<void> {
    const created = await postWithdrawal(h.api.app, worker.token, `wp-${randomUUID()}`, { amountPaise: 50_000 });
    expect(created.statusCode).toBe(201);
    await eventually(
      async () =>
        service.delivered(alive.endpoint).map((m) => JSON.parse(alive.keys.decrypt(m.body)) as { body: string }),
      (messages) => messages.some((m) => m.body === '₹496 reached your bank account.'),
      30_000,
    );
  }

  const endpointsOf = async (workerId: string) =>
    (
      await h.database
        .db('web_push_subscriptions')
        .where({ worker_id: workerId })
        .select<Array<{ endpoint: string }>>('endpoint')
    ).map((r) => r.endpoint);

  const outboxEventsOf = (withdrawalId: string) =>
    h.database
      .db('outbox_events')
      .whereRaw(`payload->>'withdrawalId' = ?`, [withdrawalId])
      .orderBy('id')
      .select<Array<{ id: number; payload: { status: string } }>>('id', 'payload');

  it('publishes the VAPID public key the app subscribes with', async () => {
    const response = await h.api.app.inject({ method: 'GET', url: '/v1/web-push/public-key' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ enabled: true, publicKey: VAPID.publicKey });
  });

  it('validates subscriptions: an endpoint at a known push service and keys of the right size', async () => {
    const worker = await signInWorker(h.api.app);
    const keys = browserSubscriptionKeys();
    const bad = [
      { endpoint: 'ftp://push.example/abc', keys: { p256dh: keys.p256dh, auth: keys.auth } },
      { endpoint: 'javascript:alert(1)//x', keys: { p256dh: keys.p256dh, auth: keys.auth } },
      // The relay would POST to these on every event: the cloud metadata service, the database's host, another port.
      { endpoint: 'http://169.254.169.254/latest/meta-data/x', keys: { p256dh: keys.p256dh, auth: keys.auth } },
      { endpoint: 'https://10.0.0.5:5432/send/x', keys: { p256dh: keys.p256dh, auth: keys.auth } },
      { endpoint: 'http://localhost:6379/send/x', keys: { p256dh: keys.p256dh, auth: keys.auth } },
      { endpoint: service.endpoint(), keys: { p256dh: 'short', auth: keys.auth } },
      { endpoint: service.endpoint(), keys: { p256dh: keys.p256dh } },
      { endpoint: service.endpoint() },
    ];
    for (const payload of bad) {
      const response = await h.api.app.inject({
        method: 'POST',
        url: '/v1/me/web-push/subscriptions',
        headers: bearer(worker.token),
        payload,
      });
      expect({
        payload,
        status: response.statusCode,
        code: response.json<{ error: { code: string } }>().error.code,
      }).toEqual({
        payload,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    expect(await h.database.db('web_push_subscriptions').where({ worker_id: worker.workerId }).count()).toEqual([
      { count: 0 },
    ]);
  });

  it('registers idempotently, lists, and deletes only the worker’s own subscription', async () => {
    const a = await signInWorker(h.api.app);
    const b = await signInWorker(h.api.app);
    const first = await subscribe(a.token);
    expect(first.response.statusCode).toBe(201);
    const again = await subscribe(a.token, first.endpoint);
    expect(again.response.statusCode).toBe(200);
    expect(again.response.json<{ id: string }>().id).toBe(first.response.json<{ id: string }>().id);
    const id = first.response.json<{ id: string }>().id;

    const list = await h.api.app.inject({
      method: 'GET',
      url: '/v1/me/web-push/subscriptions',
      headers: bearer(a.token),
    });
    expect(list.json<{ items: Array<{ id: string }> }>().items.map((s) => s.id)).toEqual([id]);
    expect(list.body).not.toContain(first.endpoint);

    const foreign = await h.api.app.inject({
      method: 'DELETE',
      url: `/v1/me/web-push/subscriptions/${id}`,
      headers: bearer(b.token),
    });
    expect(foreign.statusCode).toBe(404);
    const own = await h.api.app.inject({
      method: 'DELETE',
      url: `/v1/me/web-push/subscriptions/${id}`,
      headers: bearer(a.token),
    });
    expect(own.statusCode).toBe(204);
    expect(await h.database.db('web_push_subscriptions').where({ id }).first()).toBeUndefined();
  });

  it('a withdrawal: each status reaches the browser as the exact encrypted notification, VAPID-signed', async () => {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 500_000, plans: ['solo'] });
    const { endpoint, keys, response } = await subscribe(worker.token);
    expect(response.statusCode).toBe(201);

    const created = await postWithdrawal(h.api.app, worker.token, `wp-${randomUUID()}`, { amountPaise: 100_000 });
    expect(created.statusCode).toBe(201);
    const withdrawalId = created.json<{ id: string }>().id;

    const paid = await eventually(
      async () =>
        service.delivered(endpoint).map((m) => JSON.parse(keys.decrypt(m.body)) as { data: { status: string } }),
      (messages) => messages.some((m) => m.data.status === 'paid'),
      30_000,
    );
    const events = await outboxEventsOf(withdrawalId);
    const bodies: Record<string, string> = {
      pending_approval: 'Your withdrawal of ₹1,000 is waiting for approval.',
      approved: 'Your withdrawal of ₹1,000 was approved; the money is on its way.',
      paying: '₹996 is being sent to your bank account.',
      paid: '₹996 reached your bank account.',
    };
    // Every withdrawal starts in pending_approval (an amount below the threshold is approved straight after).
    expect(events.map((e) => e.payload.status)).toEqual(['pending_approval', 'approved', 'paying', 'paid']);
    const sorted = [...paid].sort(
      (x, y) => Number((x.data as Record<string, string>).eventId) - Number((y.data as Record<string, string>).eventId),
    );
    expect(sorted).toEqual(
      events.map((e) => ({
        title: 'Withdrawal',
        body: bodies[e.payload.status],
        tag: `gigbit-event-${e.id}`,
        url: '/app/withdraw',
        data: {
          type: 'withdrawal.status_changed',
          withdrawalId,
          status: e.payload.status,
          eventId: String(e.id),
        },
      })),
    );

    for (const message of service.delivered(endpoint)) {
      expect(message.vapidPublicKey).toBe(VAPID.publicKey);
      expect(message.claims).toMatchObject({ aud: service.url, sub: SUBJECT });
      expect(message.headers['content-encoding']).toBe('aes128gcm');
      expect(message.headers.urgency).toBe('high');
      expect(Number(message.headers.ttl)).toBeGreaterThan(0);
    }
    const row: { last_success_at: Date | null } = await h.database
      .db('web_push_subscriptions')
      .where({ endpoint })
      .first('last_success_at');
    expect(row.last_success_at).toBeInstanceOf(Date);
  });

  it('a subscription the push service answers 410 for is removed; the worker’s other browser still gets pushes', async () => {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 500_000, plans: ['solo'] });
    const dead = await subscribe(worker.token);
    const alive = await subscribe(worker.token);
    service.gone(dead.endpoint);

    await paidAndPushedTo(worker, alive);
    expect(await endpointsOf(worker.workerId)).toEqual([alive.endpoint]);
    expect(service.received.filter((r) => dead.endpoint.endsWith(r.subscriptionId)).map((r) => r.status)).toContain(
      410,
    );
    // Nothing is retried for a gone subscription: the events were marked pushed.
    const unpushed = await h.database
      .db('outbox_events')
      .where({ worker_id: worker.workerId })
      .whereNull('pushed_at')
      .count<Array<{ count: string }>>('* as count');
    expect(Number(unpushed[0]!.count)).toBe(0);
  });

  it('a stored endpoint outside the push services (saved before the rule) is deleted without being called', async () => {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 500_000, plans: ['solo'] });
    const alive = await subscribe(worker.token);
    // The same local service under a host name the policy does not list, written as an older release would have.
    const stale = alive.endpoint.replace('127.0.0.1', 'localhost').replace(/[^/]+$/, `stale-${randomUUID()}`);
    await h.database.db('web_push_subscriptions').insert({
      worker_id: worker.workerId,
      endpoint: stale,
      p256dh: alive.keys.p256dh,
      auth: alive.keys.auth,
    });

    await paidAndPushedTo(worker, alive);
    expect(await endpointsOf(worker.workerId)).toEqual([alive.endpoint]);
    expect(service.received.filter((r) => stale.endsWith(r.subscriptionId))).toEqual([]);
  });

  it('an erased account loses its subscriptions in the erasure’s own transaction', async () => {
    const worker = await signInWorker(h.api.app);
    const { response } = await subscribe(worker.token);
    expect(response.statusCode).toBe(201);
    await h.database.db.transaction(async (trx) => {
      await trx('workers').where({ id: worker.workerId }).update({ erased_at: trx.fn.now() });
      expect(await trx('web_push_subscriptions').where({ worker_id: worker.workerId })).toEqual([]);
    });
  });
});
