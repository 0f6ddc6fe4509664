import { randomBytes } from 'node:crypto';
import { authenticator } from 'otplib';
import {
  bearer,
  codeFromMailbox,
  createAdminAccount,
  createHarness,
  signInAdmin,
  signInAs,
  signInWorker,
  startApi,
  testConfig,
  uniquePhone,
  type ApiInstance,
  type Harness,
} from '../helpers/harness';
import { redisUrl } from '../helpers/environment';

/** SPEC §10 on a real database: one-time codes, sessions, admin second factor, roles, audit, abuse limits. */
describe('identity and access', () => {
  let h: Harness;
  const extraApis: ApiInstance[] = [];
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await Promise.all(extraApis.map((api) => api.close()));
    await h.close();
  });

  const post = (url: string, payload: unknown, token?: string, app = h.api.app) =>
    app.inject({ method: 'POST', url, payload: payload as object, headers: token ? bearer(token) : {} });
  const get = (url: string, token: string) => h.api.app.inject({ method: 'GET', url, headers: bearer(token) });
  const auditActions = async (since: number) =>
    (await h.database.db('audit_log').where('id', '>', since).orderBy('id').select('action')).map(
      (r: { action: string }) => r.action,
    );
  const lastAuditId = async () =>
    ((await h.database.db('audit_log').max('id as id').first()) as { id: number | null }).id ?? 0;

  async function otherApi(env: Record<string, string>): Promise<ApiInstance> {
    const api = await startApi(testConfig(h.database, env), h.database);
    extraApis.push(api);
    return api;
  }

  describe('worker one-time codes', () => {
    it('signs in with a code that is stored only as a keyed hash, and registers the worker once', async () => {
      const phone = uniquePhone();
      expect((await post('/v1/auth/codes', { phone })).statusCode).toBe(202);
      const code = await codeFromMailbox(h.api.app, phone);
      const stored: { code_hash: string } = await h.database
        .db('sign_in_codes')
        .where({ identity: `phone:${phone}` })
        .first();
      expect(stored.code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(code);

      const signedIn = await post('/v1/auth/sign-in', { phone, code });
      expect(signedIn.statusCode).toBe(200);
      const session = signedIn.json<{ accessToken: string; subjectId: string; refreshToken: string }>();
      expect((await get('/v1/me/balance', session.accessToken)).statusCode).toBe(200);
      // The same code never works twice.
      expect((await post('/v1/auth/sign-in', { phone, code })).json()).toMatchObject({ error: { code: 'WRONG_CODE' } });
      // A later sign-in (after the 30 s resend wait) reaches the same account.
      await h.database
        .db('sign_in_codes')
        .where({ identity: `phone:${phone}` })
        .update({ created_at: new Date(0) });
      const again = await signInWorker(h.api.app, phone);
      expect(again.workerId).toBe(session.subjectId);
    });

    it('accepts an Indian 10-digit number as +91 and email addresses in any case', async () => {
      const digits = uniquePhone().slice(3);
      expect((await post('/v1/auth/codes', { phone: digits })).statusCode).toBe(202);
      const code = await codeFromMailbox(h.api.app, `+91${digits}`);
      expect((await post('/v1/auth/sign-in', { phone: `+91${digits}`, code })).statusCode).toBe(200);

      const email = `Rider.${Date.now()}@Example.in`;
      expect((await post('/v1/auth/codes', { email })).statusCode).toBe(202);
      const emailed = await codeFromMailbox(h.api.app, email.toLowerCase());
      expect((await post('/v1/auth/sign-in', { email: email.toUpperCase(), code: emailed })).statusCode).toBe(200);
    });

    it('locks a code out after 5 wrong tries: even the right code is refused afterwards', async () => {
      const phone = uniquePhone();
      await post('/v1/auth/codes', { phone });
      const code = await codeFromMailbox(h.api.app, phone);
      const wrong = code === '000000' ? '111111' : '000000';
      const since = await lastAuditId();
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push((await post('/v1/auth/sign-in', { phone, code: wrong })).json());
      expect(answers.slice(0, 4).map((a: { error: { details: { attemptsLeft: number } } }) => a.error.details)).toEqual(
        [{ attemptsLeft: 4 }, { attemptsLeft: 3 }, { attemptsLeft: 2 }, { attemptsLeft: 1 }],
      );
      expect(answers[4]).toMatchObject({ error: { code: 'TOO_MANY_ATTEMPTS' } });
      const late = await post('/v1/auth/sign-in', { phone, code });
      expect(late.statusCode).toBe(422);
      expect(late.json()).toMatchObject({ error: { code: 'WRONG_CODE', message: expect.stringMatching(/new code/) } });
      expect(await auditActions(since)).toEqual([
        ...Array<string>(4).fill('worker.code_failed'),
        'worker.code_locked',
        'worker.code_failed',
      ]);
      expect(
        await h.database.db('sessions').whereIn('worker_id', h.database.db('workers').where({ phone }).select('id')),
      ).toEqual([]);
    });

    it('refuses an expired code', async () => {
      const phone = uniquePhone();
      await post('/v1/auth/codes', { phone });
      const code = await codeFromMailbox(h.api.app, phone);
      // Ten minutes pass.
      await h.database
        .db('sign_in_codes')
        .where({ identity: `phone:${phone}` })
        .update({ expires_at: new Date(Date.now() - 1000) });
      expect((await post('/v1/auth/sign-in', { phone, code })).json()).toMatchObject({ error: { code: 'WRONG_CODE' } });
    });

    it('sends one code when five requests for the same number race, and then asks the caller to wait', async () => {
      const phone = uniquePhone();
      const answers = await Promise.all(Array.from({ length: 5 }, () => post('/v1/auth/codes', { phone })));
      expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 429, 429, 429, 429]);
      expect(answers.find((a) => a.statusCode === 429)!.json()).toMatchObject({
        error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Wait \d+ seconds/) },
      });
      expect(
        await h.database
          .db('sign_in_codes')
          .where({ identity: `phone:${phone}` })
          .count('* as n'),
      ).toEqual([{ n: 1 }]);
    });

    it('caps codes per number per hour', async () => {
      const api = await otherApi({ SIGN_IN_CODE_SENDS_PER_HOUR: '2', SIGN_IN_CODE_RESEND_SECONDS: '0' });
      const phone = uniquePhone();
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await post('/v1/auth/codes', { phone }, undefined, api.app)).statusCode);
      }
      expect(statuses).toEqual([202, 202, 429]);
      // Only the newest code works.
      const codes = (await api.app.inject({ method: 'GET', url: `/v1/dev/mailbox?to=${encodeURIComponent(phone)}` }))
        .json<{
          messages: Array<{ text: string }>;
        }>()
        .messages.map((m) => /\d{6}/.exec(m.text)![0]);
      if (codes[0] !== codes[1]) {
        expect((await post('/v1/auth/sign-in', { phone, code: codes[1] }, undefined, api.app)).statusCode).toBe(422);
      }
      expect((await post('/v1/auth/sign-in', { phone, code: codes[0] }, undefined, api.app)).statusCode).toBe(200);
    });

    it('limits sign-in requests per IP across API instances through Redis', async () => {
      const env = { RATE_LIMIT_SIGN_IN_PER_IP: '3', REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `rl-${Date.now()}` };
      const [a, b] = [await otherApi(env), await otherApi(env)];
      const statuses = [];
      for (const api of [a, b, a, b]) {
        statuses.push((await post('/v1/auth/codes', { phone: uniquePhone() }, undefined, api.app)).statusCode);
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
      const refused = await post('/v1/auth/codes', { phone: uniquePhone() }, undefined, a.app);
      expect(refused.headers['retry-after']).toBeDefined();
      expect(refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    });

    it('behind one load balancer (TRUST_PROXY) limits and audits the address the proxy appended, not a forged one', async () => {
      const api = await otherApi({ RATE_LIMIT_SIGN_IN_PER_IP: '2', TRUST_PROXY: 'loopback' });
      // What nginx's $proxy_add_x_forwarded_for sends: whatever the client claimed, then the address it really saw.
      const codeFrom = async (forwardedFor: string) =>
        (
          await api.app.inject({
            method: 'POST',
            url: '/v1/auth/codes',
            payload: { phone: uniquePhone() },
            headers: { 'x-forwarded-for': forwardedFor },
          })
        ).statusCode;
      expect([await codeFrom('203.0.113.7'), await codeFrom('203.0.113.7')]).toEqual([202, 202]);
      // The same client cannot get a fresh bucket by claiming another address in front of the real one.
      expect(await codeFrom('198.51.100.1, 203.0.113.7')).toBe(429);
      expect(await codeFrom('203.0.113.8')).toBe(202);

      const since = await lastAuditId();
      const refusal = await api.app.inject({
        method: 'POST',
        url: '/v1/admin/auth/sign-in',
        payload: { username: 'nobody.here', password: randomBytes(9).toString('hex') },
        headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' },
      });
      expect(refusal.statusCode).toBe(401);
      // Without TRUST_PROXY the same header is ignored: the audit keeps the socket peer.
      await h.api.app.inject({
        method: 'POST',
        url: '/v1/admin/auth/sign-in',
        payload: { username: 'nobody.here', password: randomBytes(9).toString('hex') },
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      const ips = await h.database
        .db('audit_log')
        .where('id', '>', since)
        .orderBy('id')
        .select(h.database.db.raw('host(ip) as ip'));
      expect(ips.map((r: { ip: string }) => r.ip)).toEqual(['203.0.113.9', '127.0.0.1']);
    });
  });

  describe('sessions', () => {
    it('rotates refresh tokens; replaying an old one revokes the whole session', async () => {
      const worker = await signInWorker(h.api.app);
      const first = await post('/v1/auth/refresh', { refreshToken: worker.refreshToken });
      expect(first.statusCode).toBe(200);
      const rotated = first.json<{ accessToken: string; refreshToken: string; subjectId: string }>();
      expect(rotated.subjectId).toBe(worker.workerId);
      expect(rotated.refreshToken).not.toBe(worker.refreshToken);
      expect((await get('/v1/me/balance', rotated.accessToken)).statusCode).toBe(200);

      const since = await lastAuditId();
      const replay = await post('/v1/auth/refresh', { refreshToken: worker.refreshToken });
      expect(replay.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
      // The thief's copy and the owner's current tokens are all dead now.
      expect((await get('/v1/me/balance', rotated.accessToken)).statusCode).toBe(401);
      expect((await get('/v1/me/balance', worker.token)).statusCode).toBe(401);
      expect((await post('/v1/auth/refresh', { refreshToken: rotated.refreshToken })).statusCode).toBe(401);
      expect(await auditActions(since)).toEqual(['session.refresh_reused']);
    });

    it('lets exactly one of two concurrent refreshes with the same token through', async () => {
      const worker = await signInWorker(h.api.app);
      const answers = await Promise.all(
        [1, 2].map(() => post('/v1/auth/refresh', { refreshToken: worker.refreshToken })),
      );
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401]);
    });

    it('signs out one session at once, or every session of the account', async () => {
      const phone = uniquePhone();
      const laptop = await signInWorker(h.api.app, phone);
      await h.database
        .db('sign_in_codes')
        .where({ identity: `phone:${phone}` })
        .update({ created_at: new Date(0) });
      const phoneSession = await signInWorker(h.api.app, phone);
      expect((await post('/v1/auth/sign-out', undefined, laptop.token)).statusCode).toBe(204);
      expect((await get('/v1/me/balance', laptop.token)).statusCode).toBe(401);
      expect((await post('/v1/auth/refresh', { refreshToken: laptop.refreshToken })).statusCode).toBe(401);
      expect((await get('/v1/me/balance', phoneSession.token)).statusCode).toBe(200);

      await h.database
        .db('sign_in_codes')
        .where({ identity: `phone:${phone}` })
        .update({ created_at: new Date(0) });
      const third = await signInWorker(h.api.app, phone);
      const everywhere = await post('/v1/auth/sign-out-everywhere', undefined, third.token);
      expect(everywhere.json()).toEqual({ sessionsEnded: 2 });
      for (const token of [phoneSession.token, third.token]) {
        expect((await get('/v1/me/balance', token)).statusCode).toBe(401);
      }
    });
  });

  describe('admins', () => {
    it('signs in with password and authenticator code; wrong factors are refused and audited', async () => {
      const account = await createAdminAccount(h.api.app, 'viewer');
      const since = await lastAuditId();
      const wrongPassword = await post('/v1/admin/auth/sign-in', {
        username: account.username,
        password: randomBytes(9).toString('hex'),
      });
      const unknown = await post('/v1/admin/auth/sign-in', {
        username: 'nobody.here',
        password: randomBytes(9).toString('hex'),
      });
      expect(wrongPassword.statusCode).toBe(401);
      // An unknown username reads exactly like a wrong password.
      expect(unknown.json<{ error: { message: string } }>().error.message).toBe(
        wrongPassword.json<{ error: { message: string } }>().error.message,
      );

      const challenge = (
        await post('/v1/admin/auth/sign-in', { username: account.username, password: account.password })
      ).json<{ challengeToken: string; secondFactor: string }>();
      expect(challenge.secondFactor).toBe('totp');
      const code = authenticator.generate(account.totpSecret);
      const wrongCode = String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
      const refused = await post('/v1/admin/auth/second-factor', {
        challengeToken: challenge.challengeToken,
        code: wrongCode,
      });
      expect(refused.json()).toMatchObject({ error: { code: 'WRONG_CODE' } });
      const accepted = await post('/v1/admin/auth/second-factor', { challengeToken: challenge.challengeToken, code });
      expect(accepted.statusCode).toBe(200);
      expect(accepted.json()).toMatchObject({ admin: { username: account.username, role: 'viewer' } });

      // The same authenticator code cannot start a second session.
      const replay = (
        await post('/v1/admin/auth/sign-in', { username: account.username, password: account.password })
      ).json<{ challengeToken: string }>();
      const reused = await post('/v1/admin/auth/second-factor', { challengeToken: replay.challengeToken, code });
      expect(reused.json()).toMatchObject({
        error: { code: 'WRONG_CODE', message: expect.stringMatching(/already used/) },
      });

      expect(await auditActions(since)).toEqual([
        'admin.sign_in_failed',
        'admin.sign_in_failed',
        'admin.second_factor_failed',
        'admin.signed_in',
        'admin.second_factor_failed',
      ]);
    });

    it('locks the account after 5 failures, even against the right password', async () => {
      const account = await createAdminAccount(h.api.app, 'approver');
      const since = await lastAuditId();
      for (let i = 0; i < 5; i++) {
        await post('/v1/admin/auth/sign-in', { username: account.username, password: `wrong-password-${i}` });
      }
      const locked = await post('/v1/admin/auth/sign-in', { username: account.username, password: account.password });
      expect(locked.statusCode).toBe(423);
      expect(locked.json()).toMatchObject({ error: { code: 'ACCOUNT_LOCKED' } });
      expect(await auditActions(since)).toContain('admin.locked_out');
    });

    it('enforces roles: a viewer cannot decide, an approver cannot manage platforms or admins', async () => {
      const viewer = await signInAdmin(h.api.app, 'viewer');
      const approver = await signInAdmin(h.api.app, 'approver');
      const someId = '00000000-0000-4000-8000-000000000000';
      const decide = await post(`/v1/admin/withdrawals/${someId}/decision`, { decision: 'approve' }, viewer.token);
      expect(decide.json()).toMatchObject({
        error: { code: 'FORBIDDEN', message: 'This needs the approver role or higher' },
      });
      expect((await post('/v1/admin/platforms', { slug: 'x', name: 'X' }, approver.token)).statusCode).toBe(403);
      expect((await get('/v1/admin/admins', approver.token)).statusCode).toBe(403);
      expect((await get('/v1/admin/audit', viewer.token)).statusCode).toBe(200);
    });

    it('lets a superadmin create admins and change roles, audited and effective on the next request', async () => {
      const superadmin = await signInAdmin(h.api.app, 'superadmin');
      const created = await post(
        '/v1/admin/admins',
        { username: `ops.new${Date.now() % 100000}`, role: 'viewer', password: 'a long passphrase here' },
        superadmin.token,
      );
      expect(created.statusCode).toBe(201);
      const { admin, enrolment } = created.json<{
        admin: { id: string; username: string };
        enrolment: { totpSecret: string; otpauthUri: string };
      }>();
      expect(enrolment.otpauthUri).toMatch(/^otpauth:\/\/totp\/GigBit:/);
      expect(JSON.stringify(await h.database.db('admins').where({ id: admin.id }).first())).not.toContain(
        enrolment.totpSecret,
      );

      const newcomer = await signInAs(h.api.app, {
        adminId: admin.id,
        username: admin.username,
        password: 'a long passphrase here',
        totpSecret: enrolment.totpSecret,
      });
      expect((await get('/v1/admin/admins', newcomer.token)).statusCode).toBe(403);

      const since = await lastAuditId();
      const promoted = await h.api.app.inject({
        method: 'PATCH',
        url: `/v1/admin/admins/${admin.id}`,
        payload: { role: 'superadmin' },
        headers: bearer(superadmin.token),
      });
      expect(promoted.json()).toMatchObject({ role: 'superadmin' });
      // The newcomer's existing token carries the new role at once.
      expect((await get('/v1/admin/admins', newcomer.token)).statusCode).toBe(200);
      const audit = await get(`/v1/admin/audit?targetId=${admin.id}&action=admin.role_changed`, superadmin.token);
      expect(audit.json()).toMatchObject({
        entries: [{ actorId: superadmin.adminId, details: { from: 'viewer', to: 'superadmin' }, outcome: 'succeeded' }],
      });
      expect(await auditActions(since)).toEqual(['admin.role_changed', `http PATCH /v1/admin/admins/:id`]);

      const disabled = await h.api.app.inject({
        method: 'PATCH',
        url: `/v1/admin/admins/${admin.id}`,
        payload: { disabled: true },
        headers: bearer(superadmin.token),
      });
      expect(disabled.json()).toMatchObject({ disabled: true });
      expect((await get('/v1/admin/me', newcomer.token)).statusCode).toBe(401);
    });

    it('refuses changes to oneself, so a superadmin cannot lock the platform out alone', async () => {
      const superadmin = await signInAdmin(h.api.app, 'superadmin');
      const own = await h.api.app.inject({
        method: 'PATCH',
        url: `/v1/admin/admins/${superadmin.adminId}`,
        payload: { role: 'viewer' },
        headers: bearer(superadmin.token),
      });
      expect(own.statusCode).toBe(403);
      expect(own.json()).toMatchObject({
        error: { code: 'FORBIDDEN', message: expect.stringMatching(/another superadmin/) },
      });
      // Only another superadmin can act on a superadmin, so one active superadmin always remains.
    });

    it('lets an admin change their own password, refusing weak ones', async () => {
      const account = await createAdminAccount(h.api.app, 'viewer');
      const session = await signInAs(h.api.app, account);
      const weak = await post(
        '/v1/admin/me/password',
        { currentPassword: account.password, newPassword: `${account.username}12345` },
        session.token,
      );
      expect(weak.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      const wrongCurrent = await post(
        '/v1/admin/me/password',
        { currentPassword: randomBytes(9).toString('hex'), newPassword: 'a fresh long passphrase' },
        session.token,
      );
      expect(wrongCurrent.json()).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
      expect(
        (
          await post(
            '/v1/admin/me/password',
            { currentPassword: account.password, newPassword: 'a fresh long passphrase' },
            session.token,
          )
        ).statusCode,
      ).toBe(204);
    });
  });

  describe('audit log', () => {
    it('is append-only in the database itself', async () => {
      await expect(h.database.db('audit_log').update({ action: 'tampered' })).rejects.toThrow(/append-only/);
      await expect(h.database.db('audit_log').delete()).rejects.toThrow(/append-only/);
      await expect(h.database.db.raw('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    });

    it('pages newest first with a cursor and filters by action', async () => {
      const admin = await signInAdmin(h.api.app, 'viewer');
      const first = (await get('/v1/admin/audit?limit=2', admin.token)).json<{
        entries: Array<{ id: number }>;
        nextCursor: string;
      }>();
      expect(first.entries).toHaveLength(2);
      expect(first.entries[0]!.id).toBeGreaterThan(first.entries[1]!.id);
      const second = (await get(`/v1/admin/audit?limit=2&cursor=${first.nextCursor}`, admin.token)).json<{
        entries: Array<{ id: number }>;
      }>();
      expect(second.entries[0]!.id).toBeLessThan(first.entries[1]!.id);
      const signIns = (await get('/v1/admin/audit?action=admin.signed_in', admin.token)).json<{
        entries: Array<{ action: string }>;
      }>();
      expect(signIns.entries.length).toBeGreaterThan(0);
      expect(new Set(signIns.entries.map((e) => e.action))).toEqual(new Set(['admin.signed_in']));
      // Identities appear as digests, never as the phone number or email itself.
      const codes = await h.database.db('audit_log').where({ action: 'worker.code_sent' }).select('details');
      expect(JSON.stringify(codes)).not.toMatch(/\+91\d{10}|@example/i);
    });
  });

  describe('transport hardening', () => {
    it('sends security headers and answers CORS only for allowlisted origins', async () => {
      const api = await otherApi({ CORS_ORIGINS: 'https://admin.gigbit.in' });
      const health = await api.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringMatching(/max-age=/),
      });
      expect(health.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      const preflight = (origin: string) =>
        api.app.inject({
          method: 'OPTIONS',
          url: '/v1/withdrawals',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      expect((await preflight('https://admin.gigbit.in')).headers['access-control-allow-origin']).toBe(
        'https://admin.gigbit.in',
      );
      expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
