import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import {
  bearer,
  createAdminAccount,
  createHarness,
  signInAdmin,
  signInAs,
  signInFundedWorker,
  signInWorker,
  type Harness,
} from '../helpers/harness';
import { seedEarningHistory, uploadDocument } from '../helpers/loans';

type Who = 'anonymous' | 'workerA' | 'workerB' | 'viewer' | 'approver' | 'senior_approver' | 'superadmin';
const everyone: Who[] = ['anonymous', 'workerB', 'viewer', 'approver', 'senior_approver', 'superadmin', 'workerA'];
const adminRoles = ['viewer', 'approver', 'senior_approver', 'superadmin'] as const;

type Rule = 'public' | 'signed-in' | 'worker' | `admin:${(typeof adminRoles)[number]}`;

/**
 * Who may call what, written down independently of the routes' own declarations. Every registered route must
 * appear here: a new route without a row fails this test. `owned`: the path names worker A's resource, so worker
 * B must get 404 (it is not theirs, and its existence is not revealed).
 */
const RULES: Record<string, { rule: Rule; owned?: true }> = {
  'GET /healthz': { rule: 'public' },
  'GET /readyz': { rule: 'public' },
  // Public to the session layer; METRICS_TOKEN (when set) is the plugin's own check (test/api/metrics.test.ts).
  'GET /metrics': { rule: 'public' },
  'GET /v1/dev/mailbox': { rule: 'public' },
  'GET /dev/mailbox': { rule: 'public' },
  'POST /v1/auth/codes': { rule: 'public' },
  'POST /v1/auth/sign-in': { rule: 'public' },
  'POST /v1/auth/refresh': { rule: 'public' },
  'POST /v1/admin/auth/sign-in': { rule: 'public' },
  'POST /v1/admin/auth/second-factor': { rule: 'public' },
  'GET /v1/plans': { rule: 'public' },
  // The configured product rules: the same for everyone, nothing about any worker.
  'GET /v1/rules': { rule: 'public' },
  'GET /v1/platforms': { rule: 'public' },
  'GET /v1/platforms/:slug/logo': { rule: 'public' },
  'GET /v1/events/catalogue': { rule: 'public' },
  // The built fronts (landing, portal, worker app): pages are public, their data comes from the API.
  'GET /': { rule: 'public' },
  'GET /*': { rule: 'public' },
  'POST /v1/webhooks/payout-rail': { rule: 'public' },
  'GET /v1/me/plans': { rule: 'worker' },
  'POST /v1/plans/:code/purchases': { rule: 'worker' },
  'GET /v1/me/platforms': { rule: 'worker' },
  'POST /v1/me/platforms/:slug/code': { rule: 'worker' },
  'POST /v1/me/platforms/:slug/connect': { rule: 'worker' },
  'DELETE /v1/me/platforms/:slug': { rule: 'worker' },
  'POST /v1/me/sync': { rule: 'worker' },
  'GET /v1/me/sync': { rule: 'worker' },
  'GET /v1/me/balance': { rule: 'worker' },
  'GET /v1/withdrawals/preview': { rule: 'worker' },
  'POST /v1/withdrawals': { rule: 'worker' },
  'GET /v1/withdrawals/:id': { rule: 'worker', owned: true },
  'POST /v1/withdrawals/:id/cancel': { rule: 'worker', owned: true },
  'POST /v1/documents': { rule: 'worker' },
  'GET /v1/documents/:id': { rule: 'worker', owned: true },
  'GET /v1/insurance': { rule: 'worker' },
  'POST /v1/insurance/opt-in': { rule: 'worker' },
  'POST /v1/insurance/opt-out': { rule: 'worker' },
  'GET /v1/insurance/contributions': { rule: 'worker' },
  'POST /v1/insurance/claims': { rule: 'worker' },
  'GET /v1/insurance/claims': { rule: 'worker' },
  'GET /v1/insurance/claims/:id': { rule: 'worker', owned: true },
  'POST /v1/insurance/claims/:id/cancel': { rule: 'worker', owned: true },
  'GET /v1/loans/eligibility': { rule: 'worker' },
  'GET /v1/loans/quote': { rule: 'worker' },
  'POST /v1/loans': { rule: 'worker' },
  'GET /v1/loans': { rule: 'worker' },
  'GET /v1/loans/:id': { rule: 'worker', owned: true },
  'POST /v1/loans/:id/prepay': { rule: 'worker', owned: true },
  'POST /v1/loans/:id/cancel': { rule: 'worker', owned: true },
  // Always the caller's own deletion request: no id in the path, so worker B simply has none (tested in depth in
  // test/workflows/account-deletion.test.ts).
  'GET /v1/account/deletion': { rule: 'worker' },
  'POST /v1/account/deletion': { rule: 'worker' },
  'POST /v1/account/deletion/cancel': { rule: 'worker' },
  'POST /v1/me/devices': { rule: 'worker' },
  'GET /v1/me/devices': { rule: 'worker' },
  'DELETE /v1/me/devices/:id': { rule: 'worker', owned: true },
  'GET /v1/me/notifications': { rule: 'worker' },
  'GET /v1/me/notifications/unread-count': { rule: 'worker' },
  'POST /v1/me/notifications/:id/read': { rule: 'worker', owned: true },
  'POST /v1/me/notifications/read-all': { rule: 'worker' },
  'GET /v1/web-push/public-key': { rule: 'public' },
  'POST /v1/me/web-push/subscriptions': { rule: 'worker' },
  'GET /v1/me/web-push/subscriptions': { rule: 'worker' },
  'DELETE /v1/me/web-push/subscriptions/:id': { rule: 'worker' },
  'GET /v1/me/history': { rule: 'worker' },
  'GET /v1/admin/me': { rule: 'admin:viewer' },
  'POST /v1/admin/me/password': { rule: 'admin:viewer' },
  'GET /v1/admin/audit': { rule: 'admin:viewer' },
  'GET /v1/admin/withdrawals/:id': { rule: 'admin:viewer' },
  'GET /v1/admin/ledger/reconciliations': { rule: 'admin:viewer' },
  'GET /v1/admin/commission': { rule: 'admin:viewer' },
  'GET /v1/admin/commission/months': { rule: 'admin:viewer' },
  'GET /v1/admin/commission/export.csv': { rule: 'admin:viewer' },
  'GET /v1/admin/overview': { rule: 'admin:viewer' },
  'GET /v1/admin/workers': { rule: 'admin:viewer' },
  'GET /v1/admin/workers/:id': { rule: 'admin:viewer' },
  'GET /v1/admin/earnings-sync/:workflowId': { rule: 'admin:viewer' },
  'GET /v1/admin/platforms': { rule: 'admin:viewer' },
  'GET /v1/admin/documents/:id': { rule: 'admin:viewer' },
  'GET /v1/admin/loans/arrears': { rule: 'admin:viewer' },
  'GET /v1/admin/requests': { rule: 'admin:viewer' },
  'GET /v1/admin/requests/:id': { rule: 'admin:viewer' },
  'POST /v1/admin/requests/:id/claim': { rule: 'admin:approver' },
  'DELETE /v1/admin/requests/:id/claim': { rule: 'admin:approver' },
  'POST /v1/admin/requests/:id/decision': { rule: 'admin:approver' },
  'POST /v1/admin/requests/bulk-decision': { rule: 'admin:approver' },
  'POST /v1/admin/withdrawals/:id/decision': { rule: 'admin:approver' },
  'POST /v1/admin/earnings-sync': { rule: 'admin:approver' },
  'POST /v1/admin/platforms': { rule: 'admin:senior_approver' },
  'PATCH /v1/admin/platforms/:id': { rule: 'admin:senior_approver' },
  'PUT /v1/admin/platforms/:id/logo': { rule: 'admin:senior_approver' },
  'GET /v1/admin/admins': { rule: 'admin:superadmin' },
  'POST /v1/admin/admins': { rule: 'admin:superadmin' },
  'PATCH /v1/admin/admins/:id': { rule: 'admin:superadmin' },
  // They end the caller's session, so they run last, each with fresh sessions.
  'POST /v1/auth/sign-out-everywhere': { rule: 'signed-in' },
  'POST /v1/auth/sign-out': { rule: 'signed-in' },
};

const rank = { viewer: 0, approver: 1, senior_approver: 2, superadmin: 3 } as const;

/** The refusal each caller must get, or 'through' when authorization must let the request reach the route. */
function expectation(rule: Rule, owned: boolean, who: Who): 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'through' {
  if (rule === 'public') return 'through';
  if (who === 'anonymous') return 'UNAUTHENTICATED';
  if (rule === 'signed-in') return 'through';
  if (rule === 'worker') {
    if (who !== 'workerA' && who !== 'workerB') return 'FORBIDDEN';
    return owned && who === 'workerB' ? 'NOT_FOUND' : 'through';
  }
  if (who === 'workerA' || who === 'workerB') return 'FORBIDDEN';
  return rank[who] >= rank[rule.slice('admin:'.length) as keyof typeof rank] ? 'through' : 'FORBIDDEN';
}

const AUTH_REFUSALS = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);

describe('authorization matrix: every route × every kind of caller', () => {
  let h: Harness;
  const routes: Array<{ method: string; url: string }> = [];
  let tokens: Record<Exclude<Who, 'anonymous'>, string>;
  let workerA: { token: string; workerId: string; phone: string };
  let pendingWithdrawalId: string;
  let documentId: string;
  let claimId: string;
  let loanId: string;
  let deviceId: string;
  let notificationId: string;
  let otherAdminId: string;

  beforeAll(async () => {
    h = await createHarness({
      worker: true,
      beforeRegister: (app) =>
        app.addHook('onRoute', (route) => {
          const methods = Array.isArray(route.method) ? route.method : [route.method];
          for (const method of methods) {
            if (method === 'HEAD' || method === 'OPTIONS' || route.url.startsWith('/docs')) continue;
            routes.push({ method, url: route.url });
          }
        }),
    });
    const funded = await signInFundedWorker(h);
    workerA = {
      ...funded,
      phone: (await h.database.db('workers').where({ id: funded.workerId }).first<{ phone: string }>('phone')).phone,
    };
    const created = await h.api.app.inject({
      method: 'POST',
      url: '/v1/withdrawals',
      headers: { ...bearer(workerA.token), 'idempotency-key': `matrix-${randomUUID()}` },
      payload: { amountPaise: 600_000 },
    });
    expect(created.statusCode).toBe(201);
    pendingWithdrawalId = created.json<{ id: string }>().id;
    const uploaded = await h.api.app.inject({
      method: 'POST',
      url: '/v1/documents?purpose=loan_proof',
      headers: { ...bearer(workerA.token), 'content-type': 'application/pdf' },
      payload: Buffer.from('%PDF-1.4\n% matrix proof\n'),
    });
    expect(uploaded.statusCode).toBe(201);
    documentId = uploaded.json<{ id: string }>().id;
    // Worker A is insured and has a pending claim (its id stands in for the claim routes' :id).
    expect(
      (await h.api.app.inject({ method: 'POST', url: '/v1/insurance/opt-in', headers: bearer(workerA.token) }))
        .statusCode,
    ).toBe(200);
    const proof = await h.api.app.inject({
      method: 'POST',
      url: '/v1/documents?purpose=claim_proof',
      headers: { ...bearer(workerA.token), 'content-type': 'application/pdf' },
      payload: Buffer.from('%PDF-1.4\n% matrix claim proof\n'),
    });
    const claim = await h.api.app.inject({
      method: 'POST',
      url: '/v1/insurance/claims',
      headers: { ...bearer(workerA.token), 'idempotency-key': `matrix-${randomUUID()}` },
      payload: {
        type: 'product_damage_loss',
        incidentOn: new Date(Date.now() + 19_800_000).toISOString().slice(0, 10),
        description: 'Order spilled in the rain',
        documentIds: [proof.json<{ id: string }>().id],
      },
    });
    expect(claim.statusCode).toBe(201);
    claimId = claim.json<{ id: string }>().id;
    await seedEarningHistory(h, workerA, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
    const loan = await h.api.app.inject({
      method: 'POST',
      url: '/v1/loans',
      headers: { ...bearer(workerA.token), 'idempotency-key': `matrix-${randomUUID()}` },
      payload: { amountPaise: 500_000, documentId: await uploadDocument(h.api.app, workerA.token) },
    });
    expect(loan.statusCode).toBe(201);
    loanId = loan.json<{ id: string }>().id;
    // Worker A's push registration stands in for the device routes' :id (deleted last, by worker A itself).
    const device = await h.api.app.inject({
      method: 'POST',
      url: '/v1/me/devices',
      headers: bearer(workerA.token),
      payload: { token: `matrix-${randomUUID()}`, platform: 'android' },
    });
    expect(device.statusCode).toBe(201);
    deviceId = device.json<{ id: string }>().id;
    // Worker A's notification about the pending withdrawal (written with its event) stands in for :id/read.
    const notification: { id: number } = await h.database
      .db('notifications')
      .where({ worker_id: workerA.workerId })
      .whereRaw(`data->>'withdrawalId' = ?`, [pendingWithdrawalId])
      .first('id');
    notificationId = String(notification.id);
    otherAdminId = (await createAdminAccount(h.api.app, 'viewer')).adminId;
    tokens = await principals();
  });
  afterAll(() => h.close());

  /** Worker A's own session unless `fresh` (routes that end sessions get new callers throughout). */
  async function principals(fresh = false): Promise<Record<Exclude<Who, 'anonymous'>, string>> {
    const admins = await Promise.all(adminRoles.map((role) => signInAdmin(h.api.app, role)));
    return {
      workerA: fresh ? (await signInWorker(h.api.app)).token : workerA.token,
      workerB: (await signInWorker(h.api.app)).token,
      viewer: admins[0]!.token,
      approver: admins[1]!.token,
      senior_approver: admins[2]!.token,
      superadmin: admins[3]!.token,
    };
  }

  /** A request for the route: worker A's ids in the path; bodies need not be valid (validation runs after auth). */
  function requestFor(method: string, url: string): InjectOptions {
    const slug = 'swiggy';
    const path = url
      .replace('/insurance/claims/:id', `/insurance/claims/${claimId}`)
      .replace('/me/devices/:id', `/me/devices/${deviceId}`)
      .replace(
        ':id',
        url.includes('/admins/')
          ? otherAdminId
          : url.includes('/platforms/')
            ? randomUUID()
            : url.includes('/documents/')
              ? documentId
              : url.includes('/loans/')
                ? loanId
                : url.includes('/notifications/')
                  ? notificationId
                  : pendingWithdrawalId,
      )
      .replace(':slug', slug)
      .replace(':code', 'trio')
      .replace(':workflowId', 'sync-all-matrix');
    return {
      method: method as InjectOptions['method'],
      url: url === '/v1/withdrawals/preview' || url === '/v1/loans/quote' ? `${path}?amountPaise=500000` : path,
      headers: { 'idempotency-key': `matrix-${randomUUID()}` },
      ...(['POST', 'PUT', 'PATCH'].includes(method) ? { payload: {} } : {}),
    };
  }

  it('has a rule for every route the app registers, and no rule for a route that is gone', () => {
    const registered = routes.map((r) => `${r.method} ${r.url}`).sort();
    expect(registered).toEqual(Object.keys(RULES).sort());
  });

  it('refuses an admin deciding a request of their own worker account (conflict of interest)', async () => {
    const account = await createAdminAccount(h.api.app, 'superadmin', { phone: workerA.phone });
    const self = await signInAs(h.api.app, account);
    const decision = await h.api.app.inject({
      method: 'POST',
      url: `/v1/admin/withdrawals/${pendingWithdrawalId}/decision`,
      headers: bearer(self.token),
      payload: { decision: 'approve' },
    });
    expect(decision.statusCode).toBe(403);
    expect(decision.json()).toMatchObject({ error: { code: 'CONFLICT_OF_INTEREST' } });
    const withdrawal = await h.api.app.inject({
      method: 'GET',
      url: `/v1/withdrawals/${pendingWithdrawalId}`,
      headers: bearer(workerA.token),
    });
    expect(withdrawal.json()).toMatchObject({ status: 'pending_approval' });
  });

  it('gives every caller exactly the answer its rule says, and worker B nothing of worker A', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const [key, { rule, owned }] of Object.entries(RULES)) {
      const [method, url] = key.split(' ') as [string, string];
      const callers = rule === 'signed-in' ? await principals(true) : tokens;
      const anonymousCodes: string[] = [];
      for (const who of everyone) {
        const options = requestFor(method, url);
        if (who !== 'anonymous') options.headers = { ...options.headers, ...bearer(callers[who]) };
        const response = await h.api.app.inject(options);
        const code =
          response.statusCode >= 400 ? (response.json<{ error?: { code?: string } }>().error?.code ?? '?') : 'OK';
        if (who === 'anonymous') anonymousCodes.push(code);
        const expected = expectation(rule, owned === true, who);
        checked++;
        const ok =
          response.statusCode < 500 &&
          (expected === 'through'
            ? // Through authorization: any answer but an auth refusal, unless everyone gets it (public routes).
              !AUTH_REFUSALS.has(code) || (rule === 'public' && anonymousCodes.includes(code))
            : code === expected);
        const ownedLeak = expected === 'through' && owned && code === 'NOT_FOUND';
        if (!ok || ownedLeak) {
          mismatches.push(`${key} as ${who}: expected ${expected}, got ${response.statusCode} ${code}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(Object.keys(RULES).length * everyone.length);
  });
});
