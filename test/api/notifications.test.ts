import { randomUUID } from 'node:crypto';
import { createAccountDeletionRepository } from '../../api/db/account-deletion.repository';
import { createOutboxRepository } from '../../api/db/outbox.repository';
import { insuranceCoverageChanged, requestUpdated } from '../../api/realtime/event-catalogue';
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

interface NotificationView {
  id: number;
  eventId: number | null;
  type: string;
  title: string;
  body: string;
  data: Record<string, string>;
  createdAt: string;
  readAt: string | null;
}
interface Page {
  items: NotificationView[];
  nextCursor: string | null;
}

/**
 * The notification centre on real components: the withdrawal runs through Temporal, the admin decides through the
 * API, and every notification comes from the event written in the state change's own transaction.
 */
describe('notification centre', () => {
  let h: Harness;
  let admin: { token: string };

  beforeAll(async () => {
    h = await createHarness({ worker: true });
    admin = await signInAdmin(h.api.app);
  });
  afterAll(() => h.close());

  const outbox = () => createOutboxRepository(h.database.db);

  async function list(token: string, query = ''): Promise<Page> {
    const response = await h.api.app.inject({
      method: 'GET',
      url: `/v1/me/notifications${query}`,
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(200);
    return response.json<Page>();
  }

  async function unreadCount(token: string): Promise<number> {
    const response = await h.api.app.inject({
      method: 'GET',
      url: '/v1/me/notifications/unread-count',
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ unread: number }>().unread;
  }

  const markRead = (token: string, id: number | string) =>
    h.api.app.inject({ method: 'POST', url: `/v1/me/notifications/${id}/read`, headers: bearer(token) });
  const markAllRead = (token: string, query = '') =>
    h.api.app.inject({ method: 'POST', url: `/v1/me/notifications/read-all${query}`, headers: bearer(token) });

  /** Every page, following nextCursor, checking that no page is larger than asked. */
  async function allPages(
    token: string,
    limit: number,
    extra = '',
  ): Promise<{ items: NotificationView[]; pages: number }> {
    const items: NotificationView[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(token, `?limit=${limit}${extra}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    return { items, pages };
  }

  /** Worker-facing events through the one production path (outbox `append`), each in its own transaction. */
  async function appendCoverageEvents(workerId: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await h.database.db.transaction((trx) =>
        outbox().append(
          trx,
          insuranceCoverageChanged(workerId, { status: i % 2 ? 'active' : 'grace', optOutEffectiveOn: null }),
        ),
      );
    }
  }

  async function untilStatus(token: string, withdrawalId: string, status: string): Promise<NotificationView[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const mine = (await list(token, '?limit=100')).items.filter((n) => n.data.withdrawalId === withdrawalId);
      if (mine.some((n) => n.data.status === status)) {
        return mine;
      }
      if (Date.now() > deadline) {
        throw new Error(`no ${status} notification; saw ${mine.map((n) => n.data.status).join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  describe('a withdrawal approved by an admin and paid', () => {
    let worker: SignedInWorker;
    let withdrawalId: string;
    let notifications: NotificationView[];

    beforeAll(async () => {
      worker = await signInWorker(h.api.app);
      await fundWorker(h, worker, { earningsPaise: 5_000_000 });
      const created = await postWithdrawal(h.api.app, worker.token, `n-${randomUUID()}`, { amountPaise: 600_000 });
      expect(created.statusCode).toBe(201);
      withdrawalId = created.json<{ id: string }>().id;
      const decision = await h.api.app.inject({
        method: 'POST',
        url: `/v1/admin/requests/${withdrawalId}/decision`,
        headers: bearer(admin.token),
        payload: { decision: 'approve', comment: 'looks fine' },
      });
      expect(decision.statusCode).toBe(200);
      notifications = await untilStatus(worker.token, withdrawalId, 'paid');
    });

    it('tells each status change in words, newest first, one per worker-facing event', async () => {
      const oldestFirst = [...notifications].reverse();
      const statuses = oldestFirst.map((n) => n.data.status);
      expect(statuses[0]).toBe('pending_approval');
      expect(statuses.at(-1)).toBe('paid');
      expect(statuses.indexOf('approved')).toBeGreaterThan(0);
      expect(statuses.indexOf('approved')).toBeLessThan(statuses.indexOf('paid'));
      expect(oldestFirst[0]).toMatchObject({
        type: 'withdrawal.status_changed',
        title: 'Withdrawal',
        body: 'Your withdrawal of ₹6,000 is waiting for approval.',
        data: { type: 'withdrawal.status_changed', withdrawalId, status: 'pending_approval' },
        readAt: null,
      });
      const approved = oldestFirst.find((n) => n.data.status === 'approved')!;
      expect(approved.body).toBe('Your withdrawal of ₹6,000 was approved; the money is on its way.');
      expect(oldestFirst.at(-1)!.body).toMatch(/^₹[\d,.]+ reached your bank account\.$/);
      // Newest first, by id.
      const ids = notifications.map((n) => n.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));

      // Exactly the worker's events about this withdrawal, each with its own notification, in the same order.
      const events: Array<{ id: number; payload: { status: string } }> = await h.database
        .db('outbox_events')
        .where({ worker_id: worker.workerId, type: 'withdrawal.status_changed' })
        .whereRaw(`payload->>'withdrawalId' = ?`, [withdrawalId])
        .orderBy('id')
        .select('id', 'payload');
      expect(oldestFirst.map((n) => n.eventId)).toEqual(events.map((e) => e.id));
      expect(statuses).toEqual(events.map((e) => e.payload.status));
    });

    it('writes no notification for the admins-only events of the same decision', async () => {
      const adminOnly: Array<{ id: number }> = await h.database
        .db('outbox_events')
        .whereNull('worker_id')
        .whereRaw(`payload->>'requestId' = ?`, [withdrawalId])
        .select('id');
      expect(adminOnly.length).toBeGreaterThan(0);
      const notified: Array<{ id: number }> = await h.database
        .db('notifications')
        .whereIn(
          'event_id',
          adminOnly.map((e) => e.id),
        )
        .select('id');
      expect(notified).toEqual([]);

      // And directly: an admins-only event appended through the outbox leaves the table untouched.
      const before = await h.database.db('notifications').count<Array<{ count: number }>>('* as count');
      const eventId = await h.database.db.transaction((trx) =>
        outbox().append(trx, requestUpdated({ requestId: randomUUID(), requestType: 'loan', change: 'escalated' })),
      );
      expect(eventId).toBeGreaterThan(0);
      expect(await h.database.db('notifications').count<Array<{ count: number }>>('* as count')).toEqual(before);
    });

    it('counts unread, marks one read idempotently, then all', async () => {
      const total = (await list(worker.token, '?limit=100')).items.length;
      expect(await unreadCount(worker.token)).toBe(total);

      const target = notifications[1]!;
      const first = await markRead(worker.token, target.id);
      expect(first.statusCode).toBe(200);
      const read = first.json<NotificationView>();
      expect(read).toMatchObject({ id: target.id, body: target.body });
      expect(read.readAt).not.toBeNull();
      expect(await unreadCount(worker.token)).toBe(total - 1);

      // Again: same answer, the first read time kept, nothing else changes.
      const again = await markRead(worker.token, target.id);
      expect(again.statusCode).toBe(200);
      expect(again.json<NotificationView>().readAt).toBe(read.readAt);
      expect(await unreadCount(worker.token)).toBe(total - 1);

      // The unread filter leaves it out, and only it.
      const unread = (await list(worker.token, '?limit=100&unread=true')).items;
      expect(unread.map((n) => n.id)).toEqual(notifications.filter((n) => n.id !== target.id).map((n) => n.id));
      expect(unread.every((n) => n.readAt === null)).toBe(true);

      const all = await markAllRead(worker.token);
      expect(all.statusCode).toBe(200);
      expect(all.json()).toEqual({ marked: total - 1 });
      expect(await unreadCount(worker.token)).toBe(0);
      expect((await list(worker.token, '?unread=true')).items).toEqual([]);
      expect((await markAllRead(worker.token)).json()).toEqual({ marked: 0 });
      // The one read first keeps its own read time.
      const after = (await list(worker.token, '?limit=100')).items.find((n) => n.id === target.id)!;
      expect(after.readAt).toBe(read.readAt);
    });

    it("keeps worker A's notifications from worker B: none listed, none counted, none markable (404)", async () => {
      const other = await signInWorker(h.api.app);
      expect((await list(other.token)).items).toEqual([]);
      expect(await unreadCount(other.token)).toBe(0);
      const foreign = await markRead(other.token, notifications[0]!.id);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect((await markAllRead(other.token)).json()).toEqual({ marked: 0 });
      // An id that exists nowhere answers the same as another worker's.
      expect((await markRead(other.token, Number.MAX_SAFE_INTEGER)).statusCode).toBe(404);
      expect((await markRead(other.token, 'abc')).statusCode).toBe(400);
    });
  });

  it('pages newest first with an opaque cursor: every notification once, no gaps, also with unread=true', async () => {
    const worker = await signInWorker(h.api.app);
    await appendCoverageEvents(worker.workerId, 23);
    const { items, pages } = await allPages(worker.token, 5);
    expect(pages).toBe(5);
    expect(items).toHaveLength(23);
    const ids = items.map((n) => n.id);
    expect(new Set(ids).size).toBe(23);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const stored: Array<{ id: number }> = await h.database
      .db('notifications')
      .where({ worker_id: worker.workerId })
      .orderBy('id', 'desc')
      .select('id');
    expect(ids).toEqual(stored.map((r) => r.id));
    // The 23rd (newest) event was a premium falling due, the 22nd the cover becoming active again.
    expect(items[0]).toMatchObject({ title: 'Insurance', data: { status: 'grace' } });
    expect(items[0]!.body).toMatch(/^Your insurance premium is due/);
    expect(items[1]).toMatchObject({ body: 'Your insurance cover is active.', data: { status: 'active' } });

    // A notification arriving between pages lands on top, never inside the pages still to come.
    const firstPage = await list(worker.token, '?limit=10');
    await appendCoverageEvents(worker.workerId, 1);
    const secondPage = await list(worker.token, `?limit=10&cursor=${firstPage.nextCursor}`);
    expect(secondPage.items.map((n) => n.id)).toEqual(ids.slice(10, 20));

    // Read every third one; the unread pages hold exactly the rest.
    for (const n of items.filter((_, i) => i % 3 === 0)) {
      expect((await markRead(worker.token, n.id)).statusCode).toBe(200);
    }
    const unread = await allPages(worker.token, 4, '&unread=true');
    const latest = (await list(worker.token, '?limit=1')).items[0]!;
    expect(unread.items.map((n) => n.id)).toEqual([latest.id, ...ids.filter((_, i) => i % 3 !== 0)]);
    expect(await unreadCount(worker.token)).toBe(unread.items.length);

    // Mark all read up to what the app showed: the newest one stays unread.
    const upTo = await markAllRead(worker.token, `?throughId=${ids[0]}`);
    expect(upTo.json()).toEqual({ marked: unread.items.length - 1 });
    expect((await list(worker.token, '?unread=true')).items.map((n) => n.id)).toEqual([latest.id]);
  });

  it('refuses a cursor it did not issue', async () => {
    const worker = await signInWorker(h.api.app);
    for (const cursor of [
      'abc',
      Buffer.from('n:0').toString('base64url'),
      Buffer.from('2026-01-01').toString('base64url'),
    ]) {
      const response = await h.api.app.inject({
        method: 'GET',
        url: `/v1/me/notifications?cursor=${cursor}`,
        headers: bearer(worker.token),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
  });

  it('stores nothing when the state change rolls back: a refused withdrawal, a failed transaction', async () => {
    // No plan and no money: refused inside the request's transaction, after the worker's lock.
    const worker = await signInWorker(h.api.app);
    const refused = await postWithdrawal(h.api.app, worker.token, `n-${randomUUID()}`, { amountPaise: 600_000 });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expect(refused.statusCode).toBeLessThan(500);
    expect((await list(worker.token)).items).toEqual([]);

    // The event and its notification were written, then the transaction failed: neither remains.
    await expect(
      h.database.db.transaction(async (trx) => {
        await outbox().append(
          trx,
          insuranceCoverageChanged(worker.workerId, { status: 'active', optOutEffectiveOn: null }),
        );
        const written: Array<{ id: number }> = await trx('notifications')
          .where({ worker_id: worker.workerId })
          .select('id');
        expect(written).toHaveLength(1);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect((await list(worker.token)).items).toEqual([]);
    expect(await unreadCount(worker.token)).toBe(0);
    expect(await h.database.db('outbox_events').where({ worker_id: worker.workerId })).toEqual([]);
  });

  it('erasure deletes the worker’s notifications with the rest of their personal data', async () => {
    const worker = await signInWorker(h.api.app);
    await appendCoverageEvents(worker.workerId, 3);
    expect(await unreadCount(worker.token)).toBe(3);
    await h.database.db.transaction((trx) =>
      createAccountDeletionRepository(h.database.db).eraseWorker(trx, worker.workerId, `erased-${randomUUID()}`, () =>
        Promise.resolve(0),
      ),
    );
    expect(await h.database.db('notifications').where({ worker_id: worker.workerId })).toEqual([]);
  });
});
