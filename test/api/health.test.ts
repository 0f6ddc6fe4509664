import Fastify from 'fastify';
import authPlugin from '../../api/plugins/auth';
import type { AuditRepository } from '../../api/db/audit.repository';
import type { SessionService } from '../../api/services/session.service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { testEnvironment } from '../helpers/environment';
import { startApi, testConfig, type ApiInstance } from '../helpers/harness';

describe('health and readiness', () => {
  let database: TestDatabase;
  const apis: ApiInstance[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(apis.map((api) => api.close()));
    await database.drop();
  });

  async function api(env: Record<string, string> = {}) {
    const instance = await startApi(testConfig(database, env), database);
    apis.push(instance);
    return instance;
  }

  it('reports liveness without touching dependencies', async () => {
    const { app } = await api();
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('is ready when PostgreSQL and Temporal answer, and checks Redis only when configured', async () => {
    const withoutRedis = await (await api()).app.inject({ method: 'GET', url: '/readyz' });
    expect(withoutRedis.statusCode).toBe(200);
    expect(Object.keys(withoutRedis.json<{ checks: object }>().checks).sort()).toEqual(['postgres', 'temporal']);

    const withRedis = await (
      await api({ REDIS_URL: testEnvironment().redisUrl })
    ).app.inject({ method: 'GET', url: '/readyz' });
    expect(withRedis.statusCode).toBe(200);
    expect(withRedis.json()).toMatchObject({
      status: 'ready',
      checks: { postgres: { ok: true }, temporal: { ok: true }, redis: { ok: true } },
    });
  });

  it('has no development routes in production mode', async () => {
    const { app } = await api({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1' });
    for (const [method, url] of [
      ['POST', '/v1/dev/workers/sign-in'],
      ['POST', '/v1/dev/admins/sign-in'],
      ['GET', '/v1/dev/mailbox'],
      ['GET', '/dev/mailbox'],
    ] as const) {
      const response = await app.inject({
        method,
        url,
        payload: method === 'POST' ? { phone: '+919876543210' } : undefined,
      });
      expect(response.statusCode).toBe(404);
    }
    // No SMS gateway in production yet: a phone sign-in is refused plainly, and nothing is stored.
    const sms = await app.inject({ method: 'POST', url: '/v1/auth/codes', payload: { phone: '+919876543210' } });
    expect(sms.statusCode).toBe(503);
    expect(sms.json()).toMatchObject({
      error: { code: 'DEPENDENCY_UNAVAILABLE', message: expect.stringMatching(/email/) },
    });
  });

  it('is not ready, naming the failing dependency, when Temporal does not answer', async () => {
    // A closed port: the API still boots (lazy connection) and explains itself.
    const { app } = await api({ TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'not_ready',
      checks: { postgres: { ok: true }, temporal: { ok: false, error: expect.any(String) } },
    });
  });
});

describe('route access rules', () => {
  it('refuses to boot when a route declares no access rule', async () => {
    const app = Fastify();
    // The check runs at registration: these dependencies are never called.
    const sessions = { authenticate: () => Promise.resolve(undefined) } as unknown as SessionService;
    await app.register(authPlugin, { sessions, audit: {} as AuditRepository });
    expect(() => app.get('/v1/forgotten', async () => ({}))).toThrow('GET /v1/forgotten declares no valid access rule');
    expect(() => app.get('/v1/typo', { config: { access: 'admin' as 'public' } }, async () => ({}))).toThrow(
      'declares no valid access rule',
    );
    await app.close();
  });
});

describe('OpenAPI document', () => {
  let database: TestDatabase;
  let instance: ApiInstance;
  beforeAll(async () => {
    database = await createTestDatabase();
    instance = await startApi(testConfig(database), database);
  });
  afterAll(async () => {
    await instance.close();
    await database.drop();
  });

  it('documents every route with its error shape and serves a browsable UI', async () => {
    const document = await instance.app.inject({ method: 'GET', url: '/docs/json' });
    expect(document.statusCode).toBe(200);
    const spec = document.json<{
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/withdrawals',
        '/v1/withdrawals/{id}',
        '/v1/admin/withdrawals/{id}/decision',
        '/readyz',
      ]),
    );
    expect(Object.keys(spec.paths['/v1/withdrawals']!.post!.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '422']),
    );

    const ui = await instance.app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    // Served by @fastify/static (pinned in package.json overrides): the UI's own assets must load too.
    const asset = await instance.app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/text\/css/);
  });
});
