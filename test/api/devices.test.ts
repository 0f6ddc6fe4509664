import { randomBytes } from 'node:crypto';
import { createAccountDeletionRepository } from '../../api/db/account-deletion.repository';
import { bearer, createHarness, signInWorker, type Harness } from '../helpers/harness';

/** A token shaped like FCM's (`<instance id>:APA91b<base64url>`), unique per call. */
const fcmToken = () => `${randomBytes(8).toString('base64url')}:APA91b${randomBytes(100).toString('base64url')}`;

describe('device tokens: /v1/me/devices', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const register = (token: string, payload: unknown) =>
    h.api.app.inject({
      method: 'POST',
      url: '/v1/me/devices',
      headers: bearer(token),
      payload: payload as Record<string, unknown>,
    });
  const list = async (token: string) => {
    const response = await h.api.app.inject({ method: 'GET', url: '/v1/me/devices', headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    return response.json<{ items: Array<{ id: string; platform: string; createdAt: string; lastSeenAt: string }> }>()
      .items;
  };
  const remove = (token: string, id: string) =>
    h.api.app.inject({ method: 'DELETE', url: `/v1/me/devices/${id}`, headers: bearer(token) });
  const rowsFor = (token: string) => h.database.db('device_tokens').where({ token }).select('worker_id', 'platform');

  it('registers a device (201) and lists it without echoing the token', async () => {
    const worker = await signInWorker(h.api.app);
    const token = fcmToken();
    const response = await register(worker.token, { token, platform: 'android' });
    expect(response.statusCode).toBe(201);
    const device = response.json<{ id: string }>();
    expect(device).toEqual({
      id: expect.any(String),
      platform: 'android',
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
    });
    expect(await list(worker.token)).toEqual([device]);
    expect(await rowsFor(token)).toEqual([{ worker_id: worker.workerId, platform: 'android' }]);
  });

  it('re-registering the same token is idempotent: 200, same id, one row, last-seen refreshed', async () => {
    const worker = await signInWorker(h.api.app);
    const token = fcmToken();
    const first = await register(worker.token, { token, platform: 'ios' });
    expect(first.statusCode).toBe(201);
    const again = await register(worker.token, { token, platform: 'ios' });
    expect(again.statusCode).toBe(200);
    const [a, b] = [first.json<{ id: string; lastSeenAt: string }>(), again.json<{ id: string; lastSeenAt: string }>()];
    expect(b.id).toBe(a.id);
    expect(Date.parse(b.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(a.lastSeenAt));
    expect(await list(worker.token)).toHaveLength(1);
    expect(await rowsFor(token)).toHaveLength(1);
  });

  it('a token registered by another worker moves to the new one (a shared phone never gets both)', async () => {
    const first = await signInWorker(h.api.app);
    const second = await signInWorker(h.api.app);
    const token = fcmToken();
    const original = await register(first.token, { token, platform: 'android' });
    expect(original.statusCode).toBe(201);
    const moved = await register(second.token, { token, platform: 'android' });
    expect(moved.statusCode).toBe(201);
    expect(moved.json<{ id: string }>().id).not.toBe(original.json<{ id: string }>().id);
    expect(await list(first.token)).toEqual([]);
    expect((await list(second.token)).map((d) => d.id)).toEqual([moved.json<{ id: string }>().id]);
    expect(await rowsFor(token)).toEqual([{ worker_id: second.workerId, platform: 'android' }]);
    // The old id is gone for its former owner.
    expect((await remove(first.token, original.json<{ id: string }>().id)).statusCode).toBe(404);
  });

  it('lists all of a worker’s devices; deletes its own (204), then 404', async () => {
    const worker = await signInWorker(h.api.app);
    const phone = (await register(worker.token, { token: fcmToken(), platform: 'android' })).json<{ id: string }>();
    const browser = (await register(worker.token, { token: fcmToken(), platform: 'web' })).json<{ id: string }>();
    expect((await list(worker.token)).map((d) => d.id).sort()).toEqual([phone.id, browser.id].sort());

    const deleted = await remove(worker.token, phone.id);
    expect(deleted.statusCode).toBe(204);
    expect((await list(worker.token)).map((d) => d.id)).toEqual([browser.id]);
    expect((await remove(worker.token, phone.id)).statusCode).toBe(404);
  });

  it('another worker’s device is not found, and stays registered', async () => {
    const owner = await signInWorker(h.api.app);
    const other = await signInWorker(h.api.app);
    const device = (await register(owner.token, { token: fcmToken(), platform: 'ios' })).json<{ id: string }>();
    const attempt = await remove(other.token, device.id);
    expect(attempt.statusCode).toBe(404);
    expect(attempt.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await list(owner.token)).map((d) => d.id)).toEqual([device.id]);
  });

  it('refuses bad input with 400 and stores nothing', async () => {
    const worker = await signInWorker(h.api.app);
    const bad: unknown[] = [
      {},
      { token: fcmToken() },
      { platform: 'android' },
      { token: '', platform: 'android' },
      { token: 'has spaces in it', platform: 'android' },
      { token: fcmToken(), platform: 'windows-phone' },
      { token: 12345, platform: 'android' },
      { token: 'x'.repeat(4097), platform: 'android' },
      { token: fcmToken(), platform: 'android', workerId: worker.workerId },
    ];
    for (const payload of bad) {
      const response = await register(worker.token, payload);
      expect({ payload, status: response.statusCode }).toEqual({ payload, status: 400 });
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
    const notAnId = await remove(worker.token, 'not-a-uuid');
    expect(notAnId.statusCode).toBe(400);
    expect(await list(worker.token)).toEqual([]);
  });

  it('erasing the account deletes the worker’s device tokens (and only theirs)', async () => {
    const erased = await signInWorker(h.api.app);
    const other = await signInWorker(h.api.app);
    await register(erased.token, { token: fcmToken(), platform: 'android' });
    await register(erased.token, { token: fcmToken(), platform: 'web' });
    await register(other.token, { token: fcmToken(), platform: 'ios' });
    const counts = await h.database.db.transaction((trx) =>
      createAccountDeletionRepository(h.database.db).eraseWorker(trx, erased.workerId, 'erased-0123456789ab', () =>
        Promise.resolve(0),
      ),
    );
    expect(counts.deviceTokensDeleted).toBe(2);
    expect(await h.database.db('device_tokens').where({ worker_id: erased.workerId })).toEqual([]);
    expect(await list(other.token)).toHaveLength(1);
  });

  it('needs a signed-in worker', async () => {
    const anonymous = await h.api.app.inject({ method: 'GET', url: '/v1/me/devices' });
    expect(anonymous.statusCode).toBe(401);
  });
});
