import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { bearer, signInWorker, startApi, testConfig, type ApiInstance } from '../helpers/harness';
import { waitFor } from '../helpers/processes';

/** The value of one sample line (`name{labels} value`) in a Prometheus text exposition, or undefined. */
function sample(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('GET /metrics (Prometheus)', () => {
  let database: TestDatabase;
  let api: ApiInstance;
  // The relay is off on this instance, so an event written here stays unpublished while the test looks at it.
  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startApi(testConfig(database), database, { listen: true, background: false });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  const scrape = async () => {
    const response = await fetch(`${api.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it('times requests by route pattern and status class, never by raw URL', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${api.url}/v1/platforms/no-such-${i}/logo`);
    await fetch(`${api.url}/healthz`);
    const body = await scrape();
    const logo = { method: 'GET', route: '/v1/platforms/:slug/logo', status_class: '4xx' };
    expect(sample(body, 'gigbit_http_request_duration_seconds_count', logo)).toBe(3);
    expect(sample(body, 'gigbit_http_request_duration_seconds_bucket', { ...logo, le: '+Inf' })).toBe(3);
    expect(sample(body, 'gigbit_http_request_duration_seconds_bucket', { ...logo, le: '10' })).toBe(3);
    expect(
      sample(body, 'gigbit_http_request_duration_seconds_count', { route: '/healthz', status_class: '2xx' }),
    ).toBeGreaterThanOrEqual(1);
    expect(body).not.toContain('no-such-0');
    // Default process metrics come along.
    expect(sample(body, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(body, 'nodejs_eventloop_lag_seconds')).toBeDefined();
  });

  it('reports outbox lag from the oldest unpublished event', async () => {
    const before = await scrape();
    expect(sample(before, 'gigbit_outbox_unpublished_events')).toBe(0);
    expect(sample(before, 'gigbit_outbox_oldest_unpublished_age_seconds')).toBe(0);
    await database.db('outbox_events').insert({
      type: 'test.lagging',
      to_admins: true,
      payload: {},
      created_at: database.db.raw(`now() - interval '90 seconds'`),
    });
    await database.db('outbox_events').insert({ type: 'test.fresh', to_admins: true, payload: {} });
    const after = await scrape();
    expect(sample(after, 'gigbit_outbox_unpublished_events')).toBe(2);
    const age = sample(after, 'gigbit_outbox_oldest_unpublished_age_seconds')!;
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(150);
  });

  it('counts sockets connected to this instance', async () => {
    const gauge = async () => sample(await scrape(), 'gigbit_socket_connections');
    expect(await gauge()).toBe(0);
    const worker = await signInWorker(api.app);
    const sockets: Socket[] = [0, 1].map(() =>
      connectSocket(api.url, { auth: { token: worker.token }, transports: ['websocket'], reconnection: false }),
    );
    try {
      await waitFor(() => sockets.every((s) => s.connected), 'sockets connected');
      expect(await gauge()).toBe(2);
      // A refused handshake (bad token) is not a connection.
      const refused = connectSocket(api.url, {
        auth: { token: 'nope' },
        transports: ['websocket'],
        reconnection: false,
      });
      await new Promise((resolve) => refused.once('connect_error', resolve));
      expect(await gauge()).toBe(2);
      sockets[0]!.disconnect();
      await waitFor(async () => (await gauge()) === 1, 'gauge back to 1');
    } finally {
      sockets.forEach((s) => s.disconnect());
    }
  });
});

describe('GET /metrics with METRICS_TOKEN, and switched off', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('requires the bearer token when one is configured', async () => {
    const token = randomBytes(24).toString('hex');
    const api = await startApi(testConfig(database, { METRICS_TOKEN: token }), database, { background: false });
    try {
      const anonymous = await api.app.inject({ method: 'GET', url: '/metrics' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED', requestId: expect.any(String) } });
      const wrong = await api.app.inject({ method: 'GET', url: '/metrics', headers: bearer(`${token}x`) });
      expect(wrong.statusCode).toBe(401);
      const right = await api.app.inject({ method: 'GET', url: '/metrics', headers: bearer(token) });
      expect(right.statusCode).toBe(200);
      expect(right.body).toContain('# TYPE gigbit_http_request_duration_seconds histogram');
      // The refused scrapes were timed too, under the route pattern.
      expect(
        sample(right.body, 'gigbit_http_request_duration_seconds_count', { route: '/metrics', status_class: '4xx' }),
      ).toBe(2);
    } finally {
      await api.close();
    }
  });

  it('refuses every scrape in production when no token is configured', async () => {
    const api = await startApi(
      testConfig(database, { NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1' }),
      database,
      { background: false },
    );
    try {
      const anonymous = await api.app.inject({ method: 'GET', url: '/metrics' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json()).toMatchObject({
        error: { code: 'UNAUTHENTICATED', message: expect.stringContaining('METRICS_TOKEN') },
      });
      expect(anonymous.body).not.toContain('gigbit_');
      const guessed = await api.app.inject({ method: 'GET', url: '/metrics', headers: bearer('x'.repeat(32)) });
      expect(guessed.statusCode).toBe(401);
    } finally {
      await api.close();
    }
  });

  it('is not served when METRICS_ENABLED=false', async () => {
    const api = await startApi(testConfig(database, { METRICS_ENABLED: 'false' }), database, { background: false });
    try {
      expect((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await api.close();
    }
  });
});

describe('log correlation: request id ↔ workflow id', () => {
  let database: TestDatabase;
  let api: ApiInstance;
  const lines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    api = await startApi(testConfig(database), database, {
      background: false,
      // Runs before the app's own hooks: requests log to this capture instead of the silent test logger.
      beforeRegister: (app) =>
        app.addHook('onRequest', (request, _reply, done) => {
          request.log = logger.child({ reqId: request.id });
          done();
        }),
    });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('logs a workflow start with the workflowId under the caller’s request id, and memoes the request id', async () => {
    const worker = await signInWorker(api.app);
    const requestId = `trace-${randomBytes(6).toString('hex')}`;
    const response = await api.app.inject({
      method: 'POST',
      url: '/v1/me/sync',
      headers: { ...bearer(worker.token), 'x-request-id': requestId },
    });
    expect(response.statusCode).toBe(202);
    const { workflowId } = response.json<{ workflowId: string }>();
    expect(lines).toContainEqual(
      expect.objectContaining({
        reqId: requestId,
        msg: 'workflow started',
        workflowId,
        workflowType: 'syncWorkerEarningsWorkflow',
      }),
    );
    const description = await api.temporal.workflow.getHandle(workflowId).describe();
    expect(description.memo).toEqual({ requestId });
    await api.temporal.workflow.getHandle(workflowId).terminate('test over');
  });
});
