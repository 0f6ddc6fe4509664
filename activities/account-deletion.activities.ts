import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { Config } from '../api/config';
import { createAccountDeletionRepository, type AccountDeletion } from '../api/db/account-deletion.repository';
import { createAuditRepository } from '../api/db/audit.repository';
import type { Db } from '../api/db/knex';
import { createLedgerRepository } from '../api/db/ledger.repository';
import { createOutboxRepository } from '../api/db/outbox.repository';
import { createRequestRepository, type Actor } from '../api/db/request.repository';
import { createSessionRepository } from '../api/db/session.repository';
import { requestStatusChanged } from '../api/realtime/event-catalogue';
import {
  createDeletionPreconditionCheck,
  type DeletionPreconditionCode,
} from '../api/services/account-deletion.service';
import { createDocumentService } from '../api/services/document.service';
import { createLedgerService } from '../api/services/ledger.service';
import { BusinessErrorType, type DeletionStatus } from '../workflows/contracts';

export interface DeletionResult {
  deletionId: string;
  status: DeletionStatus;
}

export type ErasureOutcome =
  | { outcome: 'erased'; deletionId: string }
  /** A precondition came back during the grace period (money arrived, a loan opened): nothing was erased. */
  | { outcome: 'blocked'; deletionId: string; preconditions: DeletionPreconditionCode[]; blockers: string };

export interface CloseDeletionInput {
  deletionId: string;
  status: 'rejected' | 'cancelled' | 'expired';
  reason: string;
  /** Who closed it: the deciding admin, the worker (cancel), or the system (expiry, erasure blocked too long). */
  actor: Actor;
}

const terminal: readonly DeletionStatus[] = ['erased', 'rejected', 'cancelled', 'expired'];

/** Account deletion's steps (SPEC §8). Each is one transaction with its timeline entry and event; retries are safe. */
export function createAccountDeletionActivities(deps: {
  db: Db;
  config: Pick<Config, 'UPLOAD_DIR' | 'DOCUMENT_MAX_BYTES'>;
}) {
  const { db } = deps;
  const deletions = createAccountDeletionRepository(db);
  const requests = createRequestRepository(db);
  const outbox = createOutboxRepository(db);
  const audit = createAuditRepository(db);
  const sessions = createSessionRepository(db);
  const documents = createDocumentService({ db, config: deps.config });
  const ledger = createLedgerService({ db, ledger: createLedgerRepository(db) });
  const preconditionsOf = createDeletionPreconditionCheck({ deletions, ledger });

  const result = (d: AccountDeletion): DeletionResult => ({ deletionId: d.id, status: d.status });
  const missing = (id: string) =>
    ApplicationFailure.nonRetryable(`Account deletion ${id} does not exist`, BusinessErrorType.NOT_FOUND);
  const stale = (d: AccountDeletion, to: string) =>
    ApplicationFailure.nonRetryable(
      `Account deletion ${d.id} is ${d.status}, cannot become ${to}`,
      BusinessErrorType.STALE_STATE,
    );

  /** One state change with its approvals timeline entry and the worker's event. Idempotent when already in `to`. */
  async function step(
    deletionId: string,
    from: readonly DeletionStatus[],
    to: DeletionStatus,
    fields: Parameters<typeof deletions.transition>[3],
    actor: Actor,
    reason: string | null,
  ): Promise<AccountDeletion> {
    return db.transaction(async (trx) => {
      const current = await deletions.lock(deletionId, trx);
      if (!current) throw missing(deletionId);
      if (current.status === to) return current;
      if (!from.includes(current.status)) throw stale(current, to);
      const updated = await deletions.transition(deletionId, from, to, fields, trx);
      if (!updated) throw new Error(`Account deletion ${deletionId} changed during the transaction`);
      await requests.recordStatus(trx, deletionId, to, actor, {
        closed: terminal.includes(to),
        detail: { reason },
      });
      await outbox.append(trx, statusEvent(updated, reason));
      return updated;
    });
  }

  const statusEvent = (d: AccountDeletion, reason: string | null) =>
    requestStatusChanged(d.workerId, {
      requestId: d.id,
      requestType: 'deletion',
      status: d.status,
      amountPaise: null,
      reason,
    });

  /** Locks the worker row first (the order the API's request path takes), then the deletion row. */
  async function lockForErasure(trx: Knex.Transaction, deletionId: string): Promise<AccountDeletion> {
    const found = await deletions.findById(deletionId, trx);
    if (!found) throw missing(deletionId);
    await trx('workers').where({ id: found.workerId }).forUpdate().first('id');
    const locked = await deletions.lock(deletionId, trx);
    if (!locked) throw missing(deletionId);
    return locked;
  }

  return {
    /** Approved: the grace period starts; the worker is told until when they can still cancel. */
    async enterDeletionGrace(input: {
      deletionId: string;
      graceEndsAt: string;
      adminId?: string;
      comment?: string;
    }): Promise<DeletionResult> {
      const d = await step(
        input.deletionId,
        ['pending_approval'],
        'grace',
        { grace_ends_at: new Date(input.graceEndsAt) },
        input.adminId ? { actorKind: 'admin', actorId: input.adminId } : { actorKind: 'system' },
        input.comment ?? null,
      );
      return result(d);
    },

    /** Rejected, expired, or cancelled (by the worker, or by the system when erasure stayed blocked). */
    async closeDeletion(input: CloseDeletionInput): Promise<DeletionResult> {
      const from: readonly DeletionStatus[] =
        input.status === 'cancelled' ? ['pending_approval', 'grace'] : ['pending_approval'];
      const d = await step(
        input.deletionId,
        from,
        input.status,
        { decision_reason: input.reason },
        input.actor,
        input.reason,
      );
      return result(d);
    },

    /**
     * The erasure, after the grace period. Re-checks the preconditions under the worker's row lock; if one came
     * back, nothing is erased and the worker is told what blocks it. Otherwise, in one transaction: contact details
     * and name removed and a pseudonym set, documents erased (files deleted, rows kept), sessions revoked and
     * refresh tokens deleted, sign-in codes deleted, platform links disconnected, the request closed as erased and
     * the `worker.erased` audit record written. Ledger rows are not touched. A retry after the commit finds the
     * request erased and does nothing more.
     */
    async eraseAccount(input: { deletionId: string }): Promise<ErasureOutcome> {
      return db.transaction(async (trx): Promise<ErasureOutcome> => {
        const current = await lockForErasure(trx, input.deletionId);
        if (current.status === 'erased') return { outcome: 'erased', deletionId: current.id };
        if (current.status !== 'grace') throw stale(current, 'erased');
        const { workerId } = current;

        // Take the worker's platform links first: a sync crediting earnings right now holds them (share lock)
        // until it commits, so the balance checked below includes its money; a sync after this sees them
        // disconnected by the erasure and credits nothing. No money can land in an erased wallet.
        await trx('platform_connections').where({ worker_id: workerId, status: 'connected' }).forUpdate().select('id');
        const blockers = await preconditionsOf(workerId, trx);
        if (blockers.length > 0) {
          const messages = blockers.map((b) => b.message).join('. ');
          const reason = `Your account was not erased yet. ${messages}.`;
          await requests.timeline(
            trx,
            current.id,
            'erasure_postponed',
            { actorKind: 'system' },
            {
              status: current.status,
              detail: { preconditions: blockers.map((b) => b.code), reason },
            },
          );
          await outbox.append(trx, statusEvent(current, reason));
          return {
            outcome: 'blocked',
            deletionId: current.id,
            preconditions: blockers.map((b) => b.code),
            blockers: messages,
          };
        }

        const pseudonym = `erased-${randomBytes(6).toString('hex')}`;
        const counts = await deletions.eraseWorker(trx, workerId, pseudonym, (t) =>
          sessions.revokeAll({ workerId }, 'account_deleted', t),
        );
        const erased = await deletions.transition(
          current.id,
          ['grace'],
          'erased',
          {
            erased_at: new Date(),
            // The worker's own words may name them; the reason category stays for product analysis.
            ...(current.reasonText === null ? {} : { reason_text: '[erased]' }),
          },
          trx,
        );
        if (!erased) throw new Error(`Account deletion ${current.id} changed during the transaction`);
        // Files late, after the checks and the bulk of the writes: should the commit still fail, the retry finds
        // them gone (removal is forced) and marks the rows.
        const documentsErased = await documents.eraseAllOf(workerId, trx);
        const summary = { documentsErased, ...counts };
        await requests.recordStatus(
          trx,
          current.id,
          'erased',
          { actorKind: 'system' },
          { closed: true, detail: summary },
        );
        await audit.record(
          {
            actorKind: 'system',
            action: 'worker.erased',
            outcome: 'succeeded',
            targetKind: 'worker',
            targetId: workerId,
            details: { deletionId: current.id, pseudonym, ...summary },
          },
          trx,
        );
        await outbox.append(trx, statusEvent(erased, null));
        return { outcome: 'erased', deletionId: current.id };
      });
    },
  };
}
