import { randomBytes } from 'node:crypto';
import { createAccessTokenService } from '../../api/services/access-token.service';

const secret = randomBytes(32).toString('hex');

describe('access tokens', () => {
  let now = Date.UTC(2026, 10, 25, 10, 0, 0);
  const tokens = createAccessTokenService({ secret, ttlSeconds: 900, now: () => now });

  it('round-trips worker and admin claims with their session', () => {
    const worker = tokens.issue({ kind: 'worker', sub: 'w-1', sid: 's-1' });
    expect(tokens.verify(worker.token)).toEqual({ kind: 'worker', sub: 'w-1', sid: 's-1' });
    expect(worker.expiresAt.getTime()).toBe(now + 900_000);
    const admin = tokens.issue({ kind: 'admin', sub: 'a-1', sid: 's-2' });
    expect(tokens.verify(admin.token)).toEqual({ kind: 'admin', sub: 'a-1', sid: 's-2' });
  });

  it('refuses an expired token', () => {
    const { token } = tokens.issue({ kind: 'worker', sub: 'w-1', sid: 's-1' });
    now += 900_000;
    expect(tokens.verify(token)).toBeUndefined();
  });

  it('refuses tampered claims, a foreign signature and junk', () => {
    const { token } = tokens.issue({ kind: 'worker', sub: 'w-1', sid: 's-1' });
    const [body, signature] = token.split('.') as [string, string];
    const forgedBody = Buffer.from(
      JSON.stringify({ sub: 'a-1', kind: 'admin', sid: 's-1', iat: 0, exp: 9e9 }),
    ).toString('base64url');
    const noSession = createAccessTokenService({ secret, ttlSeconds: 900, now: () => now });
    const unsigned = Buffer.from(JSON.stringify({ sub: 'w-1', kind: 'worker', iat: 0, exp: 9e9 })).toString(
      'base64url',
    );
    const other = createAccessTokenService({ secret: `${secret}-other`, ttlSeconds: 900, now: () => now });
    for (const candidate of [
      `${forgedBody}.${signature}`,
      other.issue({ kind: 'worker', sub: 'w-1', sid: 's-1' }).token,
      `${unsigned}.${noSession.issue({ kind: 'worker', sub: 'w-1', sid: 's-1' }).token.split('.')[1]}`,
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
