import type { Knex } from 'knex';
import type { DeletionStatus } from '../../workflows/contracts';
import type { Db } from './knex';

export type DeletionReason = 'privacy' | 'not_using' | 'switching' | 'support' | 'other';
export const deletionReasons: readonly DeletionReason[] = ['privacy', 'not_using', 'switching', 'support', 'other'];

/** Statuses in which a request is still open: one at most per worker (a partial unique index holds it). */
export const openDeletionStatuses: readonly DeletionStatus[] = ['pending_approval', 'grace'];

export interface AccountDeletion {
  id: string;
  workerId: string;
  reason: DeletionReason;
  reasonText: string | null;
  status: DeletionStatus;
  workflowId: string;
  graceEndsAt: Date | null;
  erasedAt: Date | null;
  decisionReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface DeletionRow {
  id: string;
  worker_id: string;
  reason: DeletionReason;
  reason_text: string | null;
  status: DeletionStatus;
  workflow_id: string;
  grace_ends_at: Date | null;
  erased_at: Date | null;
  decision_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

const toDeletion = (row: DeletionRow): AccountDeletion => ({
  id: row.id,
  workerId: row.worker_id,
  reason: row.reason,
  reasonText: row.reason_text,
  status: row.status,
  workflowId: row.workflow_id,
  graceEndsAt: row.grace_ends_at,
  erasedAt: row.erased_at,
  decisionReason: row.decision_reason,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** What stands between a worker and the erasure of their account right now (SPEC §8), as the database has it. */
export interface DeletionObstacles {
  openLoans: Array<{ id: string; status: 'pending_approval' | 'active' }>;
  withdrawalsInFlight: Array<{ id: string; status: 'pending_approval' | 'approved' | 'paying'; amountPaise: number }>;
  claimsInFlight: Array<{ id: string }>;
}

export interface ErasureCounts {
  sessionsRevoked: number;
  refreshTokensDeleted: number;
  signInCodesDeleted: number;
  platformsDisconnected: number;
  deviceTokensDeleted: number;
}

export function createAccountDeletionRepository(db: Db) {
  const table = (trx?: Knex | Knex.Transaction) => (trx ?? db)<DeletionRow>('account_deletions');

  return {
    async insert(
      trx: Knex.Transaction,
      input: { id: string; workerId: string; reason: DeletionReason; reasonText: string | null; workflowId: string },
    ): Promise<AccountDeletion> {
      const [row] = await table(trx)
        .insert({
          id: input.id,
          worker_id: input.workerId,
          reason: input.reason,
          reason_text: input.reasonText,
          workflow_id: input.workflowId,
        })
        .returning<DeletionRow[]>('*');
      return toDeletion(row!);
    },

    async findById(id: string, trx?: Knex.Transaction): Promise<AccountDeletion | undefined> {
      const row = await table(trx).where({ id }).first();
      return row ? toDeletion(row) : undefined;
    },

    /** The row, locked for the rest of the transaction (activities change a deletion one step at a time). */
    async lock(id: string, trx: Knex.Transaction): Promise<AccountDeletion | undefined> {
      const row = await table(trx).where({ id }).forUpdate().first();
      return row ? toDeletion(row) : undefined;
    },

    async findOpen(workerId: string, trx?: Knex.Transaction): Promise<AccountDeletion | undefined> {
      const row = await table(trx).where({ worker_id: workerId }).whereIn('status', openDeletionStatuses).first();
      return row ? toDeletion(row) : undefined;
    },

    /** The open request if there is one, else the most recent closed one (what the settings screen shows). */
    async currentFor(workerId: string): Promise<AccountDeletion | undefined> {
      const row = await table()
        .where({ worker_id: workerId })
        .orderByRaw(`(status IN ('pending_approval', 'grace')) DESC, created_at DESC, id DESC`)
        .first();
      return row ? toDeletion(row) : undefined;
    },

    /** Moves the row from one of `from` to `to`; undefined when it was not in `from`. */
    async transition(
      id: string,
      from: readonly DeletionStatus[],
      to: DeletionStatus,
      fields: Partial<Pick<DeletionRow, 'grace_ends_at' | 'erased_at' | 'decision_reason' | 'reason_text'>>,
      trx: Knex.Transaction,
    ): Promise<AccountDeletion | undefined> {
      const [row] = await table(trx)
        .where({ id })
        .whereIn('status', from)
        .update({ ...fields, status: to, updated_at: trx.fn.now() as unknown as Date })
        .returning<DeletionRow[]>('*');
      return row ? toDeletion(row) : undefined;
    },

    /** Loans, withdrawals and claims that are not finished. Call under the worker's row lock for a stable answer. */
    async obstaclesOf(workerId: string, trx?: Knex.Transaction): Promise<DeletionObstacles> {
      // One after another: inside a transaction they share one connection (pg deprecates overlapping queries).
      const q = trx ?? db;
      const openLoans = await q<{
        id: string;
        status: 'pending_approval' | 'active';
        worker_id: string;
        created_at: Date;
      }>('loans')
        .where({ worker_id: workerId })
        .whereIn('status', ['pending_approval', 'active'])
        .orderBy('created_at')
        .select('id', 'status');
      const withdrawalsInFlight = await q<{
        id: string;
        status: 'pending_approval' | 'approved' | 'paying';
        amount_paise: number;
        worker_id: string;
        created_at: Date;
      }>('withdrawals')
        .where({ worker_id: workerId })
        .whereIn('status', ['pending_approval', 'approved', 'paying'])
        .orderBy('created_at')
        .select('id', 'status', 'amount_paise');
      const claimsInFlight = await q<{ id: string; worker_id: string; status: string; created_at: Date }>(
        'insurance_claims',
      )
        .where({ worker_id: workerId, status: 'pending_approval' })
        .orderBy('created_at')
        .select('id');
      return {
        openLoans: openLoans.map((l) => ({ id: l.id, status: l.status })),
        withdrawalsInFlight: withdrawalsInFlight.map((w) => ({
          id: w.id,
          status: w.status,
          amountPaise: w.amount_paise,
        })),
        claimsInFlight: claimsInFlight.map((c) => ({ id: c.id })),
      };
    },

    /**
     * Removes the worker's personal data from the rows that hold it, keeping the rows (ledger, audit, requests and
     * trips point at the worker id): contact details and name go, a pseudonym takes their place; every session is
     * revoked and its refresh tokens deleted; the sign-in codes sent to the old phone or email are deleted; live
     * platform links are disconnected. Documents are the document service's (files on disk). Run in the erasure's
     * transaction, with the worker row locked.
     */
    async eraseWorker(
      trx: Knex.Transaction,
      workerId: string,
      pseudonym: string,
      revokeSessions: (trx: Knex.Transaction) => Promise<number>,
    ): Promise<ErasureCounts> {
      const contact: { phone: string | null; email: string | null } | undefined = await trx('workers')
        .where({ id: workerId })
        .first('phone', 'email');
      // Sign-in codes are looked up by the identity in clear (`phone:+91…`, `email:…`): they go with it.
      const identities = [
        ...(contact?.phone ? [`phone:${contact.phone}`] : []),
        ...(contact?.email ? [`email:${contact.email.toLowerCase()}`] : []),
      ];
      const signInCodesDeleted = identities.length
        ? await trx('sign_in_codes').whereIn('identity', identities).delete()
        : 0;
      await trx('workers').where({ id: workerId }).update({
        phone: null,
        email: null,
        display_name: null,
        pseudonym,
        erased_at: trx.fn.now(),
        updated_at: trx.fn.now(),
      });
      const sessionsRevoked = await revokeSessions(trx);
      // A revoked session already refuses its refresh tokens; deleting them also keeps a late refresh attempt from
      // being logged as token reuse.
      const refreshTokensDeleted = await trx('refresh_tokens')
        .whereIn('session_id', trx('sessions').where({ worker_id: workerId }).select('id'))
        .delete();
      // Where and on what a device signed in is personal data too; the session rows stay as revoked stubs.
      await trx('sessions').where({ worker_id: workerId }).update({ ip: null, user_agent: null });
      // Push registrations name the worker's phones, and nothing may be pushed to an erased account.
      const deviceTokensDeleted = await trx('device_tokens').where({ worker_id: workerId }).delete();
      const platformsDisconnected = await trx('platform_connections')
        .where({ worker_id: workerId, status: 'connected' })
        .update({ status: 'disconnected', disconnected_at: trx.fn.now() });
      // Claim descriptions are the worker's own words (they may name people and places); type, dates and amounts stay.
      await trx('insurance_claims').where({ worker_id: workerId }).update({ description: '[erased]' });
      // Notification texts tell amounts and decline reasons about this person: the centre goes with the account.
      await trx('notifications').where({ worker_id: workerId }).delete();
      // Cover ends with the account: no more premiums are billed to an erased worker (the period closes today, IST).
      await trx('insurance_coverages')
        .where({ worker_id: workerId })
        .whereNot({ status: 'opted_out' })
        .update({ status: 'opted_out', updated_at: trx.fn.now() });
      await trx('insurance_coverage_periods')
        .where({ worker_id: workerId })
        .whereNull('ends_on')
        .update({ ends_on: trx.raw(`(now() AT TIME ZONE 'Asia/Kolkata')::date`) });
      return { sessionsRevoked, refreshTokensDeleted, signInCodesDeleted, platformsDisconnected, deviceTokensDeleted };
    },

    /** The pseudonym of an erased worker, if erased. */
    async erasureOf(workerId: string, trx?: Knex.Transaction): Promise<{ pseudonym: string; erasedAt: Date } | null> {
      const row: { pseudonym: string | null; erased_at: Date | null } | undefined = await (trx ?? db)('workers')
        .where({ id: workerId })
        .first('pseudonym', 'erased_at');
      return row?.pseudonym && row.erased_at ? { pseudonym: row.pseudonym, erasedAt: row.erased_at } : null;
    },
  };
}

export type AccountDeletionRepository = ReturnType<typeof createAccountDeletionRepository>;
