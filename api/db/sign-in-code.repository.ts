import type { Knex } from 'knex';
import type { Db } from './knex';

export type CodeChannel = 'email' | 'sms';

export interface SignInCode {
  id: string;
  codeHash: string;
  failedAttempts: number;
  expiresAt: Date;
}

export function createSignInCodeRepository(db: Db) {
  return {
    async create(
      input: {
        channel: CodeChannel;
        identity: string;
        codeHash: string;
        expiresAt: Date;
        ip?: string;
      },
      trx: Knex | Knex.Transaction = db,
    ): Promise<void> {
      await trx('sign_in_codes').insert({
        channel: input.channel,
        identity: input.identity,
        code_hash: input.codeHash,
        expires_at: input.expiresAt,
        requested_from: input.ip ?? null,
      });
    },

    /** Codes sent to an identity since a moment, and when the last one went out. */
    async sentSince(
      identity: string,
      since: Date,
      trx: Knex | Knex.Transaction = db,
    ): Promise<{ count: number; last?: Date }> {
      const row: { count: number; last: Date | null } = await trx('sign_in_codes')
        .where({ identity })
        .where('created_at', '>=', since)
        .first(trx.raw('count(*)::int AS count'), trx.raw('max(created_at) AS last'));
      return { count: row.count, last: row.last ?? undefined };
    },

    /** Serialises sends for one identity, so the per-identity limit holds under concurrent requests. */
    async lockIdentity(identity: string, trx: Knex.Transaction): Promise<void> {
      await trx.raw(`SELECT pg_advisory_xact_lock(hashtextextended(?, 42))`, [`sign-in:${identity}`]);
    },

    /** The newest live code for an identity, locked for this transaction (attempts are counted exactly). */
    async latestLive(identity: string, trx: Knex.Transaction): Promise<SignInCode | undefined> {
      const row: { id: string; code_hash: string; failed_attempts: number; expires_at: Date } | undefined = await trx(
        'sign_in_codes',
      )
        .where({ identity })
        .whereNull('consumed_at')
        .where('expires_at', '>', trx.fn.now())
        .orderBy('created_at', 'desc')
        .forUpdate()
        .first('id', 'code_hash', 'failed_attempts', 'expires_at');
      return (
        row && { id: row.id, codeHash: row.code_hash, failedAttempts: row.failed_attempts, expiresAt: row.expires_at }
      );
    },

    async recordFailure(id: string, burn: boolean, trx: Knex.Transaction): Promise<void> {
      await trx('sign_in_codes')
        .where({ id })
        .update({ failed_attempts: trx.raw('failed_attempts + 1'), ...(burn ? { consumed_at: trx.fn.now() } : {}) });
    },

    async consume(id: string, trx: Knex.Transaction): Promise<void> {
      await trx('sign_in_codes').where({ id }).update({ consumed_at: trx.fn.now() });
    },

    /** Older live codes die when a new one is sent: only the latest code works. */
    async retireLive(identity: string, trx: Knex.Transaction): Promise<void> {
      await trx('sign_in_codes').where({ identity }).whereNull('consumed_at').update({ consumed_at: trx.fn.now() });
    },
  };
}

export type SignInCodeRepository = ReturnType<typeof createSignInCodeRepository>;
