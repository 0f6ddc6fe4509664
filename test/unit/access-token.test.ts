import { createAccessTokenService } from '../../api/services/access-token.service';

const secret = 'unit-test-secret-unit-test-secret-0123';

describe('access tokens', () => {
  let now = Date.UTC(2026, 10, 25, 10, 0, 0);
  const tokens = createAccessTokenService({ secret, ttlSeconds: 900, now: () => now });

  it('round-trips worker and admin principals', () => {
    const worker = tokens.issue({ kind: 'worker', workerId: 'w-1' });
    expect(tokens.verify(worker.token)).toEqual({ kind: 'worker', workerId: 'w-1' });
    expect(worker.expiresAt.getTime()).toBe(now + 900_000);
    const admin = tokens.issue({ kind: 'admin', adminId: 'a-1', role: 'approver' });
    expect(tokens.verify(admin.token)).toEqual({ kind: 'admin', adminId: 'a-1', role: 'approver' });
  });

  it('refuses an expired token', () => {
    const { token } = tokens.issue({ kind: 'worker', workerId: 'w-1' });
    now += 900_000;
    expect(tokens.verify(token)).toBeUndefined();
  });

  it('refuses tampered claims, a foreign signature and junk', () => {
    const { token } = tokens.issue({ kind: 'worker', workerId: 'w-1' });
    const [body, signature] = token.split('.') as [string, string];
    const forgedBody = Buffer.from(
      JSON.stringify({ sub: 'a-1', kind: 'admin', role: 'superadmin', iat: 0, exp: 9e9 }),
    ).toString('base64url');
    const other = createAccessTokenService({ secret: `${secret}-other`, ttlSeconds: 900, now: () => now });
    for (const candidate of [
      `${forgedBody}.${signature}`,
      other.issue({ kind: 'worker', workerId: 'w-1' }).token,
      `${body}.`,
      `${body}.${signature}.extra`,
      '',
      'x'.repeat(5000),
      42,
      undefined,
    ]) {
      expect(tokens.verify(candidate)).toBeUndefined();
    }
  });
});
