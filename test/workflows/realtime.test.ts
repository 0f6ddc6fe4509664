import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  EVENT_CATALOGUE_VERSION,
  eventCatalogue,
  eventTypes,
  type EventEnvelope,
} from '../../api/realtime/event-catalogue';
import { RESYNC_REQUIRED } from '../../api/realtime/socket-server';
import { withdrawalWorkflowId } from '../../workflows/contracts';
import { startPayoutRailSimulator, type PayoutRailSimulator } from '../../simulators/payout-rail';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { freePort } from '../global-setup';
import {
  bearer,
  fundWorker,
  postWithdrawal,
  signInAdmin,
  signInWorker,
  startApi,
  startWorker,
  testConfig,
  TEST_RAIL_SECRET,
  type ApiInstance,
  type RunningWorker,
} from '../helpers/harness';
import { eventually } from '../helpers/loans';
import { waitFor } from '../helpers/processes';

type ResyncAnswer = { events: EventEnvelope[]; more: boolean } | { error: string };

async function connect(url: string, token: string | undefined): Promise<Socket> {
  const socket = connectSocket(url, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Every envelope the socket receives, whatever its type. */
function collect(socket: Socket): EventEnvelope[] {
  const received: EventEnvelope[] = [];
  socket.onAny((type: string, envelope: EventEnvelope) => {
    if (type !== RESYNC_REQUIRED) received.push(envelope);
  });
  return received;
}

const resync = (socket: Socket, afterSeq: unknown): Promise<ResyncAnswer> =>
  socket.timeout(5000).emitWithAck('resync', { afterSeq }) as Promise<ResyncAnswer>;

describe('real-time: resync from PostgreSQL and delivery through a Redis outage', () => {
  let database: TestDatabase;
  let rail: PayoutRailSimulator;
  let redis: { process: ChildProcess; port: number } | undefined;
  let a: ApiInstance;
  let b: ApiInstance;
  let worker: RunningWorker;
  const sockets: Socket[] = [];

  function startRedis(port: number): ChildProcess {
    return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
  }
  async function redisUp(port: number): Promise<void> {
    const { Redis } = await import('ioredis');
    await waitFor(async () => {
      const probe = new Redis(port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    }, 'redis-server');
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    rail = await startPayoutRailSimulator({ webhookUrl: 'http://127.0.0.1:1/', webhookSecret: TEST_RAIL_SECRET });
    const port = await freePort();
    redis = { process: startRedis(port), port };
    await redisUp(port);
    const config = testConfig(database, {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_KEY_PREFIX: `test-${randomUUID()}`,
      PAYOUT_RAIL_URL: rail.url,
    });
    [a, b] = await Promise.all([
      startApi(config, database, { listen: true }),
      startApi(config, database, { listen: true }),
    ]);
    worker = await startWorker(config, database);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await Promise.all([a.close(), b.close()]);
    await worker.stop();
    await rail.close();
    redis?.process.kill('SIGKILL');
    await database.drop();
  });

  /** What PostgreSQL says the worker's room was sent, in publication order. */
  const publishedFor = async (workerId: string) =>
    (
      await database
        .db('outbox_events')
        .where({ worker_id: workerId })
        .whereNotNull('delivery_seq')
        .orderBy('delivery_seq')
        .select('id', 'delivery_seq')
    ).map((r: { id: string; delivery_seq: string }) => ({ eventId: Number(r.id), seq: Number(r.delivery_seq) }));

  it('refuses sockets without a valid token; a resync answers only the caller’s own events', async () => {
    await expect(connect(b.url, undefined)).rejects.toThrow(/unauthenticated/);
    await expect(connect(b.url, 'not-a-token')).rejects.toThrow(/unauthenticated/);

    const riderA = await signInWorker(a.app);
    const riderB = await signInWorker(a.app);
    await fundWorker({ api: a, database }, riderA, { earningsPaise: 5_000_000 });
    const created = await postWithdrawal(a.app, riderA.token, `own-${randomUUID()}`, { amountPaise: 300_000 });
    await a.temporal.workflow.getHandle(withdrawalWorkflowId(created.json<{ id: string }>().id)).result();
    await eventually(
      () => publishedFor(riderA.workerId),
      (rows) => rows.length >= 4,
    );

    const socketB = await connect(b.url, riderB.token);
    sockets.push(socketB);
    expect(await resync(socketB, 0)).toEqual({ events: [], more: false });
    // Asking to join A's room is not a thing a client can do: B still gets nothing of A's.
    const overheard = collect(socketB);
    socketB.emit('join', `worker:${riderA.workerId}`);
    socketB.emit('subscribe', { room: `worker:${riderA.workerId}` });
    const more = await postWithdrawal(a.app, riderA.token, `own-${randomUUID()}`, { amountPaise: 250_000 });
    await a.temporal.workflow.getHandle(withdrawalWorkflowId(more.json<{ id: string }>().id)).result();
    await new Promise((r) => setTimeout(r, 500));
    expect(overheard).toEqual([]);
    expect(await resync(socketB, 'all')).toMatchObject({ error: expect.stringMatching(/afterSeq/) });
  });

  it('a client that disconnects, misses events and reconnects gets exactly the missed ones, in order', async () => {
    const rider = await signInWorker(a.app);
    await fundWorker({ api: a, database }, rider, { earningsPaise: 5_000_000 });
    const admin = await signInAdmin(a.app);

    const first = await connect(b.url, rider.token);
    const live = collect(first);
    const one = await postWithdrawal(a.app, rider.token, `live-${randomUUID()}`, { amountPaise: 250_000 });
    await a.temporal.workflow.getHandle(withdrawalWorkflowId(one.json<{ id: string }>().id)).result();
    await eventually(
      async () => live.filter((e) => e.data.status === 'paid').length,
      (n) => n === 1,
    );
    const lastSeq = Math.max(...live.map((e) => e.seq));
    first.disconnect();

    // Missed while away: a second withdrawal from request to payment, with an admin decision.
    const two = await postWithdrawal(a.app, rider.token, `missed-${randomUUID()}`, { amountPaise: 600_000 });
    const twoId = two.json<{ id: string }>().id;
    const decided = await a.app.inject({
      method: 'POST',
      url: `/v1/admin/requests/${twoId}/decision`,
      headers: bearer(admin.token),
      payload: { decision: 'approve' },
    });
    expect(decided.statusCode).toBe(200);
    await a.temporal.workflow.getHandle(withdrawalWorkflowId(twoId)).result();
    const expected = await eventually(
      async () => (await publishedFor(rider.workerId)).filter((e) => e.seq > lastSeq),
      (rows) => rows.length === 4,
    );

    const again = await connect(a.url, rider.token);
    sockets.push(again);
    const answer = await resync(again, lastSeq);
    if ('error' in answer) throw new Error(answer.error);
    expect(answer.more).toBe(false);
    expect(answer.events.map((e) => ({ eventId: e.eventId, seq: e.seq }))).toEqual(expected);
    expect(answer.events.map((e) => e.data.status)).toEqual(['pending_approval', 'approved', 'paying', 'paid']);
    expect(answer.events.every((e) => e.type === 'withdrawal.status_changed' && e.version === 1)).toBe(true);
  });

  it('publishes its catalogue, and every event sent so far matches the catalogue’s payload schema', async () => {
    const response = await a.app.inject({ method: 'GET', url: '/v1/events/catalogue' });
    expect(response.statusCode).toBe(200);
    const catalogue = response.json<{ version: number; events: Record<string, { audience: string }> }>();
    expect(catalogue.version).toBe(EVENT_CATALOGUE_VERSION);
    expect(Object.keys(catalogue.events).sort()).toEqual(Object.values(eventTypes).sort());
    // TypeBox checks formats only when told what they mean (the API's Ajv knows them already).
    FormatRegistry.Set('uuid', (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));
    FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)) && v.includes('T'));
    FormatRegistry.Set('date', (v) => /^\d{4}-\d{2}-\d{2}$/.test(v));
    const sent: Array<{ type: string; payload: unknown }> = await database
      .db('outbox_events')
      .select('type', 'payload');
    expect(sent.length).toBeGreaterThan(10);
    const mismatched = sent.filter((e) => {
      const entry = (eventCatalogue.events as Record<string, { payload: TSchema } | undefined>)[e.type];
      return !entry || !Value.Check(entry.payload, e.payload);
    });
    expect(mismatched).toEqual([]);
  });

  it('Redis stops mid-run: no request fails, no event is lost, delivery resumes when Redis is back', async () => {
    const rider = await signInWorker(a.app);
    await fundWorker({ api: a, database }, rider, { earningsPaise: 5_000_000 });
    const admin = await signInAdmin(a.app);
    const socket = await connect(b.url, rider.token);
    sockets.push(socket);
    const received = collect(socket);
    let toldToResync = 0;
    socket.on(RESYNC_REQUIRED, () => (toldToResync += 1));

    redis!.process.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));

    // Requests, decisions and payouts go on; only the fan-out waits.
    const created = await postWithdrawal(a.app, rider.token, `outage-${randomUUID()}`, { amountPaise: 700_000 });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    const decided = await a.app.inject({
      method: 'POST',
      url: `/v1/admin/requests/${id}/decision`,
      headers: bearer(admin.token),
      payload: { decision: 'approve' },
    });
    expect(decided.statusCode).toBe(200);
    expect(
      (await a.app.inject({ method: 'GET', url: '/v1/me/balance', headers: bearer(rider.token) })).statusCode,
    ).toBe(200);
    await a.temporal.workflow.getHandle(withdrawalWorkflowId(id)).result();

    redis = { process: startRedis(redis!.port), port: redis!.port };
    await redisUp(redis.port);
    const statuses = await eventually(
      async () => received.filter((e) => e.data.withdrawalId === id).map((e) => e.data.status),
      (s) => s.includes('paid'),
      20_000,
    );
    expect(statuses).toEqual(['pending_approval', 'approved', 'paying', 'paid']);
    const ids = received.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    // Pub/sub does not replay what a subscriber missed: the instance tells its clients to resync.
    await eventually(
      async () => toldToResync,
      (n) => n >= 1,
    );
  });

  it('a resync waits for a publication in flight, so an emitted-but-uncommitted batch is never skipped', async () => {
    const rider = await signInWorker(a.app);
    const socket = await connect(b.url, rider.token);
    sockets.push(socket);
    // Play the relay: hold its lock and number an event, as a publication does before it commits.
    let commit!: () => void;
    const committed = new Promise<void>((resolve) => (commit = resolve));
    let numbered!: () => void;
    const isNumbered = new Promise<void>((resolve) => (numbered = resolve));
    const relay = database.db.transaction(async (trx) => {
      await trx.raw(`SELECT pg_advisory_xact_lock(hashtextextended('outbox-relay', 11))`);
      await trx('outbox_events').insert({
        type: 'insurance.coverage_changed',
        worker_id: rider.workerId,
        payload: { status: 'active', optOutEffectiveOn: null, occurredAt: new Date().toISOString() },
        published_at: trx.fn.now(),
        delivery_seq: trx.raw(`nextval('outbox_delivery_seq')`),
      });
      numbered();
      await committed;
    });
    await isNumbered;
    const answer = resync(socket, 0);
    await new Promise((r) => setTimeout(r, 300));
    commit();
    await relay;
    const result = await answer;
    if ('error' in result) throw new Error(result.error);
    expect(result.events.map((e) => e.type)).toEqual(['insurance.coverage_changed']);
  });

  it('a resync after the session ended is refused and the socket closed', async () => {
    const rider = await signInWorker(a.app);
    const socket = await connect(b.url, rider.token);
    const closed = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const signedOut = await a.app.inject({ method: 'POST', url: '/v1/auth/sign-out', headers: bearer(rider.token) });
    expect(signedOut.statusCode).toBeLessThan(300);
    expect(await resync(socket, 0)).toEqual({ error: 'unauthenticated' });
    await closed;
  });
});
