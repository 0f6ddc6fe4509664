import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AdminRole } from '../db/identity.repository';

/** Who is calling: derived from a verified token only, never from a body or path. */
export type Principal = { kind: 'worker'; workerId: string } | { kind: 'admin'; adminId: string; role: AdminRole };

interface Claims {
  sub: string;
  kind: Principal['kind'];
  role?: AdminRole;
  iat: number;
  exp: number;
}

const encode = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * Compact HMAC-SHA256 access tokens (`<claims>.<signature>`, both base64url). The identity issue adds rotating
 * refresh tokens on top; access tokens stay short-lived and stateless.
 */
export function createAccessTokenService(options: { secret: string; ttlSeconds: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const sign = (body: string) => createHmac('sha256', options.secret).update(body).digest();

  return {
    issue(principal: Principal): { token: string; expiresAt: Date } {
      const iat = Math.floor(now() / 1000);
      const claims: Claims =
        principal.kind === 'worker'
          ? { sub: principal.workerId, kind: 'worker', iat, exp: iat + options.ttlSeconds }
          : { sub: principal.adminId, kind: 'admin', role: principal.role, iat, exp: iat + options.ttlSeconds };
      const body = encode(JSON.stringify(claims));
      return { token: `${body}.${encode(sign(body))}`, expiresAt: new Date(claims.exp * 1000) };
    },

    /** Returns the principal for a valid, unexpired token and undefined for anything else. */
    verify(token: unknown): Principal | undefined {
      if (typeof token !== 'string' || token.length > 2048) return undefined;
      const [body, signature, extra] = token.split('.');
      if (!body || !signature || extra !== undefined) return undefined;
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      let claims: Partial<Claims>;
      try {
        claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Claims>;
      } catch {
        return undefined;
      }
      if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || claims.exp * 1000 <= now()) {
        return undefined;
      }
      if (claims.kind === 'worker') return { kind: 'worker', workerId: claims.sub };
      if (claims.kind === 'admin' && claims.role) return { kind: 'admin', adminId: claims.sub, role: claims.role };
      return undefined;
    },
  };
}

export type AccessTokenService = ReturnType<typeof createAccessTokenService>;
