import type { Knex } from 'knex';
import type { AdminRole } from './identity.repository';
import type { Db } from './knex';

export type SessionSubject = { workerId: string } | { adminId: string };

export interface ActiveSession {
  id: string;
  workerId: string | null;
  adminId: string | null;
  /** The admin's current role, read on every request so a role change or disablement applies at once. */
  adminRole: AdminRole | null;
}

export type RevocationReason =
  'signed_out' | 'refresh_reused' | 'account_deleted' | 'admin_disabled' | 'signed_out_everywhere';

export function createSessionRepository(db: Db) {
  return {
    async create(
      subject: SessionSubject,
      meta: { expiresAt: Date; userAgent?: string; ip?: string },
      trx: Knex | Knex.Transaction = db,
    ): Promise<string> {
      const [row]: Array<{ id: string }> = await trx('sessions')
        .insert({
          worker_id: 'workerId' in subject ? subject.workerId : null,
          admin_id: 'adminId' in subject ? subject.adminId : null,
          expires_at: meta.expiresAt,
          user_agent: meta.userAgent?.slice(0, 300) ?? null,
          ip: meta.ip ?? null,
        })
        .returning('id');
      return row!.id;
    },

    async addRefreshToken(sessionId: string, tokenHash: string, trx: Knex | Knex.Transaction = db): Promise<void> {
      await trx('refresh_tokens').insert({ token_hash: tokenHash, session_id: sessionId });
    },

    /**
     * Marks a refresh token used, atomically: of two concurrent exchanges of one token exactly one gets
     * `fresh`; the other sees `reused`.
     */
    async useRefreshToken(
      tokenHash: string,
      trx: Knex.Transaction,
    ): Promise<{ outcome: 'fresh' | 'reused'; sessionId: string } | undefined> {
      const used: Array<{ session_id: string }> = await trx('refresh_tokens')
        .where({ token_hash: tokenHash })
        .whereNull('used_at')
        .update({ used_at: trx.fn.now() })
        .returning('session_id');
      if (used[0]) return { outcome: 'fresh', sessionId: used[0].session_id };
      const known: { session_id: string } | undefined = await trx('refresh_tokens')
        .where({ token_hash: tokenHash })
        .first('session_id');
      return known ? { outcome: 'reused', sessionId: known.session_id } : undefined;
    },

    /** A session that is neither revoked nor expired, with its subject still allowed in. */
    async findActive(id: string, trx: Knex | Knex.Transaction = db): Promise<ActiveSession | undefined> {
      const row: { id: string; worker_id: string | null; admin_id: string | null; role: AdminRole | null } | undefined =
        await trx('sessions as s')
          .leftJoin('admins as a', 'a.id', 's.admin_id')
          .where('s.id', id)
          .whereNull('s.revoked_at')
          .where('s.expires_at', '>', trx.fn.now())
          .whereNull('a.disabled_at')
          .first('s.id', 's.worker_id', 's.admin_id', 'a.role');
      return row && { id: row.id, workerId: row.worker_id, adminId: row.admin_id, adminRole: row.role };
    },

    async extend(id: string, expiresAt: Date, trx: Knex | Knex.Transaction = db): Promise<void> {
      await trx('sessions').where({ id }).update({ expires_at: expiresAt, last_refreshed_at: trx.fn.now() });
    },

    async revoke(id: string, reason: RevocationReason, trx: Knex | Knex.Transaction = db): Promise<boolean> {
      const updated = await trx('sessions')
        .where({ id })
        .whereNull('revoked_at')
        .update({ revoked_at: trx.fn.now(), revoked_reason: reason });
      return updated > 0;
    },

    /** Every live session of a subject (sign-out everywhere, account deletion, admin disabled). */
    async revokeAll(
      subject: SessionSubject,
      reason: RevocationReason,
      trx: Knex | Knex.Transaction = db,
    ): Promise<number> {
      return trx('sessions')
        .where('workerId' in subject ? { worker_id: subject.workerId } : { admin_id: subject.adminId })
        .whereNull('revoked_at')
        .update({ revoked_at: trx.fn.now(), revoked_reason: reason });
    },
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
