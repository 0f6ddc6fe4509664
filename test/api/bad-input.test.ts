import type { InjectOptions } from 'fastify';

// Fastify's route methods and light-my-request's inject methods are typed separately.
type InjectMethod = NonNullable<InjectOptions['method']>;
import { bearer, createHarness, signInAdmin, signInWorker, type Harness } from '../helpers/harness';

interface RouteInfo {
  method: InjectMethod;
  url: string;
  access: string;
  hasBody: boolean;
}

/**
 * Every route the app registers (collected, not listed by hand, so a new route is covered automatically) gets a
 * battery of malformed requests. Each must answer 4xx in the error shape and change nothing in the database.
 */
describe('bad input on every route', () => {
  let h: Harness;
  const routes: RouteInfo[] = [];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    h = await createHarness({
      beforeRegister: (app) =>
        app.addHook('onRoute', (route) => {
          const methods = Array.isArray(route.method) ? route.method : [route.method];
          for (const method of methods) {
            if (method === 'HEAD' || method === 'OPTIONS' || route.url.startsWith('/docs')) continue;
            routes.push({
              method: method as InjectMethod,
              url: route.url,
              access: route.config?.access ?? 'public',
              hasBody: Boolean(route.schema?.body),
            });
          }
        }),
    });
    tokens.worker = (await signInWorker(h.api.app)).token;
    tokens.admin = (await signInAdmin(h.api.app, 'superadmin')).token;
  });
  afterAll(() => h.close());

  async function tableCounts(): Promise<Record<string, number>> {
    const tables = ['workers', 'admins', 'withdrawals', 'outbox_events', 'sessions', 'sign_in_codes'];
    const counts = await Promise.all(tables.map((t) => h.database.db(t).count<{ count: number }[]>('* as count')));
    return Object.fromEntries(tables.map((t, i) => [t, Number(counts[i]![0]!.count)]));
  }

  const badPathValues = ['not-a-uuid', '%00', '..%2F..%2Fetc', 'x'.repeat(300), '12345', '%E2%82%B9', "1'%20OR%201=1"];
  const badBodies: unknown[] = [
    null,
    [],
    'text',
    42,
    {},
    { amountPaise: -1, decision: 'maybe', phone: 'abc', username: '!!' },
    { amountPaise: 1e308, decision: null, phone: 12, username: ['a'] },
    { amountPaise: 'NaN', decision: 'approve', reason: 'x'.repeat(10_000) },
    JSON.parse('{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"x": 1}}}'),
    { nested: { deeper: { deepest: Array.from({ length: 50 }, () => ({})) } } },
  ];

  function requestsFor(route: RouteInfo): Array<{ label: string; options: InjectOptions }> {
    const kind = route.access.startsWith('admin:') ? 'admin' : 'worker';
    const auth = route.access === 'public' ? {} : bearer(tokens[kind]!);
    const headers = { ...auth, 'idempotency-key': 'bad-input-key-1' };
    const validId = '00000000-0000-4000-8000-000000000000';
    const urlWith = (value: string) => route.url.replace(/:[A-Za-z]+/g, value);
    const out: Array<{ label: string; options: InjectOptions }> = [];

    if (route.url.includes(':')) {
      for (const value of badPathValues) {
        out.push({
          label: `path ${value.slice(0, 20)}`,
          options: { method: route.method, url: urlWith(value), headers },
        });
      }
    }
    const url = urlWith(validId);
    if (route.hasBody) {
      for (const body of badBodies) {
        out.push({
          label: `body ${JSON.stringify(body)?.slice(0, 40)}`,
          options: {
            method: route.method,
            url,
            payload: JSON.stringify(body),
            headers: { ...headers, 'content-type': 'application/json' },
          },
        });
      }
      out.push({
        label: 'broken JSON',
        options: {
          method: route.method,
          url,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: '{"amountPaise": 1',
        },
      });
      out.push({
        label: 'wrong content type',
        options: {
          method: route.method,
          url,
          headers: { ...headers, 'content-type': 'text/plain' },
          payload: 'amountPaise=1',
        },
      });
      out.push({
        label: 'oversized body',
        options: {
          method: route.method,
          url,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: JSON.stringify({ pad: 'x'.repeat(200_000) }),
        },
      });
    }
    if (route.access !== 'public' && route.access !== 'signed-in') {
      out.push({
        label: 'no token',
        options: { method: route.method, url, headers: { 'idempotency-key': 'bad-input-key-1' } },
      });
      out.push({
        label: 'forged token',
        options: {
          method: route.method,
          url,
          headers: { authorization: 'Bearer eyJzdWIiOiJ4Iiwia2luZCI6ImFkbWluIn0.AAAA' },
        },
      });
      out.push({
        label: 'wrong kind of token',
        options: {
          method: route.method,
          url,
          headers: bearer(tokens[kind === 'worker' ? 'admin' : 'worker']!),
        },
      });
    }
    return out;
  }

  it('collected the routes to sweep', () => {
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/withdrawals',
        'GET /v1/withdrawals/:id',
        'POST /v1/admin/withdrawals/:id/decision',
        'GET /readyz',
      ]),
    );
  });

  it('answers every malformed request with a 4xx in the error shape and no state change', async () => {
    const before = await tableCounts();
    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      for (const { label, options } of requestsFor(route)) {
        sent++;
        const response = await h.api.app.inject(options);
        const body = response.json<{ error?: { code?: string; message?: string; requestId?: string } }>();
        const shapeOk =
          typeof body.error?.code === 'string' &&
          typeof body.error.message === 'string' &&
          body.error.requestId === response.headers['x-request-id'];
        if (response.statusCode < 400 || response.statusCode >= 500 || !shapeOk) {
          failures.push(
            `${route.method} ${route.url} [${label}] → ${response.statusCode} ${response.body.slice(0, 120)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(50);
    expect(await tableCounts()).toEqual(before);
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const response = await h.api.app.inject({ method: 'GET', url: '/v1/nope?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route GET /v1/nope', requestId: response.headers['x-request-id'] },
    });
  });

  it("keeps a caller's well-formed request id and replaces a malformed one", async () => {
    const kept = await h.api.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'trace-abc-123' },
    });
    expect(kept.headers['x-request-id']).toBe('trace-abc-123');
    const replaced = await h.api.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\n<script>' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
