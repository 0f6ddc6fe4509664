import { createHash, randomBytes } from 'node:crypto';
import type { AuditRepository } from '../db/audit.repository';
import type { Db } from '../db/knex';
import type { SessionRepository, SessionSubject } from '../db/session.repository';
import { AppError, ErrorCode } from '../errors';
import type { AccessTokenService, Principal } from './access-token.service';

export interface SessionTokens {
  accessToken: string;
  /** When the access token stops working; refresh before then. */
  expiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
  sessionId: string;
}

export interface ClientMeta {
  ip?: string;
  userAgent?: string;
  requestId?: string;
}

/** Refresh tokens are 256 random bits; only their SHA-256 is stored, so a database read cannot replay them. */
const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Sessions for workers and admins alike: a short-lived access token plus a rotating refresh token. Each refresh
 * returns a new pair and retires the old refresh token; presenting a retired one again means it leaked, so the
 * whole session (the token family) is revoked and the event audited.
 */
export function createSessionService(deps: {
  db: Db;
  sessions: SessionRepository;
  audit: AuditRepository;
  tokens: AccessTokenService;
  refreshTtlSeconds: number;
  now?: () => number;
}) {
  const { db, sessions, audit, tokens } = deps;
  const now = deps.now ?? Date.now;
  const refreshExpiry = () => new Date(now() + deps.refreshTtlSeconds * 1000);

  function accessFor(subject: SessionSubject, sessionId: string) {
    return 'workerId' in subject
      ? tokens.issue({ kind: 'worker', sub: subject.workerId, sid: sessionId })
      : tokens.issue({ kind: 'admin', sub: subject.adminId, sid: sessionId });
  }

  return {
    /**
     * Starts a session and audits the sign-in; call inside the sign-in transaction so a failed sign-in leaves no
     * session (and no sign-in record) behind.
     */
    async start(subject: SessionSubject, meta: ClientMeta, trx: Db = db): Promise<SessionTokens> {
      const refreshExpiresAt = refreshExpiry();
      const sessionId = await sessions.create(subject, { expiresAt: refreshExpiresAt, ...meta }, trx);
      const [actorKind, actorId] =
        'workerId' in subject ? (['worker', subject.workerId] as const) : (['admin', subject.adminId] as const);
      await audit.record(
        {
          actorKind,
          actorId,
          action: `${actorKind}.signed_in`,
          outcome: 'succeeded',
          targetKind: 'session',
          targetId: sessionId,
          ip: meta.ip,
          requestId: meta.requestId,
        },
        trx,
      );
      const refreshToken = randomBytes(32).toString('base64url');
      await sessions.addRefreshToken(sessionId, digest(refreshToken), trx);
      const access = accessFor(subject, sessionId);
      return { accessToken: access.token, expiresAt: access.expiresAt, refreshToken, refreshExpiresAt, sessionId };
    },

    async refresh(refreshToken: string, meta: ClientMeta): Promise<SessionTokens> {
      const refused = () => new AppError(ErrorCode.UNAUTHENTICATED, 'This session has ended: sign in again');
      if (!REFRESH_TOKEN.test(refreshToken)) throw refused();
      type Exchange =
        { reused: string; tokens?: undefined } | { reused?: undefined; tokens: SessionTokens } | undefined;
      const result = await db.transaction(async (trx): Promise<Exchange> => {
        const used = await sessions.useRefreshToken(digest(refreshToken), trx);
        if (!used) return undefined;
        if (used.outcome === 'reused') return { reused: used.sessionId };
        const session = await sessions.findActive(used.sessionId, trx);
        if (!session) return undefined;
        const subject: SessionSubject = session.workerId
          ? { workerId: session.workerId }
          : { adminId: session.adminId! };
        const next = randomBytes(32).toString('base64url');
        const refreshExpiresAt = refreshExpiry();
        await sessions.addRefreshToken(session.id, digest(next), trx);
        await sessions.extend(session.id, refreshExpiresAt, trx);
        const access = accessFor(subject, session.id);
        return {
          tokens: {
            accessToken: access.token,
            expiresAt: access.expiresAt,
            refreshToken: next,
            refreshExpiresAt,
            sessionId: session.id,
          },
        };
      });
      const reusedSession = result?.reused;
      if (reusedSession !== undefined) {
        // Outside the exchange's transaction: the revocation must stick even though this request is refused.
        await db.transaction(async (trx) => {
          const revoked = await sessions.revoke(reusedSession, 'refresh_reused', trx);
          await audit.record(
            {
              actorKind: 'anonymous',
              action: 'session.refresh_reused',
              outcome: 'refused',
              targetKind: 'session',
              targetId: reusedSession,
              ip: meta.ip,
              requestId: meta.requestId,
              details: { sessionRevoked: revoked },
            },
            trx,
          );
        });
        throw refused();
      }
      if (!result?.tokens) throw refused();
      return result.tokens;
    },

    /** The caller behind an access token, if its signature, expiry and session all hold. */
    async authenticate(accessToken: unknown): Promise<Principal | undefined> {
      const claims = tokens.verify(accessToken);
      if (!claims) return undefined;
      const session = await sessions.findActive(claims.sid);
      if (!session) return undefined;
      if (claims.kind === 'worker' && session.workerId === claims.sub) {
        return { kind: 'worker', workerId: claims.sub, sessionId: session.id };
      }
      if (claims.kind === 'admin' && session.adminId === claims.sub && session.adminRole) {
        return { kind: 'admin', adminId: claims.sub, role: session.adminRole, sessionId: session.id };
      }
      return undefined;
    },

    async signOut(principal: Principal, meta: ClientMeta): Promise<void> {
      await db.transaction(async (trx) => {
        await sessions.revoke(principal.sessionId, 'signed_out', trx);
        await audit.record(
          {
            actorKind: principal.kind,
            actorId: principal.kind === 'worker' ? principal.workerId : principal.adminId,
            action: 'session.signed_out',
            outcome: 'succeeded',
            targetKind: 'session',
            targetId: principal.sessionId,
            ip: meta.ip,
            requestId: meta.requestId,
          },
          trx,
        );
      });
    },

    /** Ends every session of the caller's account (lost phone), including this one. */
    async signOutEverywhere(principal: Principal, meta: ClientMeta): Promise<number> {
      const subject: SessionSubject =
        principal.kind === 'worker' ? { workerId: principal.workerId } : { adminId: principal.adminId };
      return db.transaction(async (trx) => {
        const count = await sessions.revokeAll(subject, 'signed_out_everywhere', trx);
        await audit.record(
          {
            actorKind: principal.kind,
            actorId: 'workerId' in subject ? subject.workerId : subject.adminId,
            action: 'session.signed_out_everywhere',
            outcome: 'succeeded',
            ip: meta.ip,
            requestId: meta.requestId,
            details: { sessionsRevoked: count },
          },
          trx,
        );
        return count;
      });
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
