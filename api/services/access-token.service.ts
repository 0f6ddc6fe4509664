import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AdminRole } from '../db/identity.repository';

/**
 * Who is calling: derived from a verified token and its live session only, never from a body or path.
 * An admin's role is read from the database with the session, so a role change applies to the next request.
 */
export type Principal =
  | { kind: 'worker'; workerId: string; sessionId: string }
  | { kind: 'admin'; adminId: string; role: AdminRole; sessionId: string };

/** What an access token asserts; the session it names must still be live (see session.service). */
export interface TokenClaims {
  sub: string;
  kind: Principal['kind'];
  sid: string;
}

interface Claims extends TokenClaims {
  iat: number;
  exp: number;
}

const encode = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * Compact HMAC-SHA256 access tokens (`<claims>.<signature>`, both base64url), 15 minutes by default. They name
 * their session; rotating refresh tokens (session.service) renew them.
 */
export function createAccessTokenService(options: { secret: string; ttlSeconds: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const sign = (body: string) => createHmac('sha256', options.secret).update(body).digest();

  return {
    issue(subject: TokenClaims): { token: string; expiresAt: Date } {
      const iat = Math.floor(now() / 1000);
      const claims: Claims = {
        sub: subject.sub,
        kind: subject.kind,
        sid: subject.sid,
        iat,
        exp: iat + options.ttlSeconds,
      };
      const body = encode(JSON.stringify(claims));
      return { token: `${body}.${encode(sign(body))}`, expiresAt: new Date(claims.exp * 1000) };
    },

    /** Returns the claims of a validly signed, unexpired token and undefined for anything else. */
    verify(token: unknown): TokenClaims | undefined {
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
      if (typeof claims.sid !== 'string' || (claims.kind !== 'worker' && claims.kind !== 'admin')) return undefined;
      return { sub: claims.sub, kind: claims.kind, sid: claims.sid };
    },
  };
}

export type AccessTokenService = ReturnType<typeof createAccessTokenService>;
