import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../api/db/knex';
import { createOutboxRepository } from '../api/db/outbox.repository';
import { createRequestRepository } from '../api/db/request.repository';
import { requestUpdated } from '../api/realtime/event-catalogue';
import { BusinessErrorType, type AdminRoleName, type RequestDecisionInput } from '../workflows/contracts';

const UNIQUE_VIOLATION = '23505';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const rank: Record<AdminRoleName, number> = { viewer: 0, approver: 1, senior_approver: 2, superadmin: 3 };

/** The approvals model's own steps, shared by every request workflow (SPEC §9). */
export function createRequestActivities(deps: { db: Db }) {
  const { db } = deps;
  const requests = createRequestRepository(db);
  const outbox = createOutboxRepository(db);

  const refuse = (message: string) => ApplicationFailure.nonRetryable(message, BusinessErrorType.DECISION_REFUSED);

  return {
    /**
     * Stores one admin's decision with its timeline entry. Re-checks what only the database knows: the admin is
     * still enabled and an approver, is not the requesting worker, and has not decided this request already.
     * Idempotent: a retry after a lost acknowledgement finds its own decision and succeeds.
     */
    async recordDecision(input: {
      requestId: string;
      decision: RequestDecisionInput;
      decidedAt: string;
      approvalsGiven: number;
      approvalsRequired: number;
    }): Promise<void> {
      const { decision } = input;
      // The validator checks the shape already; this guards a direct activity call from retrying a bad id forever.
      if (!UUID.test(decision.adminId)) throw refuse('adminId must be an admin’s id (a UUID)');
      await db.transaction(async (trx) => {
        const request = await requests.lock(trx, input.requestId);
        if (!request) throw ApplicationFailure.nonRetryable('No such request', BusinessErrorType.NOT_FOUND);
        const existing: { decided_at: Date } | undefined = await trx('request_decisions')
          .where({ request_id: input.requestId, admin_id: decision.adminId })
          .first('decided_at');
        if (existing) {
          if (existing.decided_at.toISOString() === input.decidedAt) return;
          throw refuse('four-eyes: you have already decided this request');
        }
        const admin:
          { role: AdminRoleName; disabled_at: Date | null; email: string | null; phone: string | null } | undefined =
          await trx('admins').where({ id: decision.adminId }).first('role', 'disabled_at', 'email', 'phone');
        if (!admin) throw refuse('no such admin');
        if (admin.disabled_at) throw refuse('this admin account is disabled');
        if (admin.role === 'viewer') throw refuse('only approvers may decide requests');
        // The role in the decision came from the caller (the API's live session, or an ops signal): the database's
        // role is the one that counts, for the record and for the senior-approver rule.
        if (rank[decision.adminRole] > rank[admin.role]) {
          throw refuse(`the decision claims the role ${decision.adminRole}, but this admin is ${admin.role}`);
        }
        if (decision.decision === 'approve' && request.seniorRequired) {
          const earlier: Array<{ admin_role: AdminRoleName }> = await trx('request_decisions')
            .where({ request_id: input.requestId, decision: 'approve' })
            .select('admin_role');
          const completes = earlier.length + 1 >= request.approvalsRequired;
          const senior = [...earlier.map((d) => d.admin_role), admin.role].some((r) => rank[r] >= rank.senior_approver);
          if (completes && !senior) {
            throw refuse('four-eyes: a loan from ₹25,000 needs a senior approver for one of its two approvals');
          }
        }
        const worker: { email: string | null; phone: string | null } | undefined = await trx('workers')
          .where({ id: request.workerId })
          .first('email', 'phone');
        const same = (a: string | null, b: string | null | undefined) =>
          a !== null && !!b && a.toLowerCase() === b.toLowerCase();
        if (worker && (same(admin.email, worker.email) || same(admin.phone, worker.phone))) {
          throw refuse('conflict of interest: the requester can never decide their own request');
        }
        try {
          await requests.addDecision(trx, input.requestId, {
            adminId: decision.adminId,
            adminRole: admin.role,
            decision: decision.decision,
            reason: decision.reason,
            comment: decision.comment,
            decidedAt: new Date(input.decidedAt),
          });
        } catch (err) {
          if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw refuse('four-eyes: one decision per admin');
          throw err;
        }
        await outbox.append(
          trx,
          requestUpdated({ requestId: request.id, requestType: request.type, change: 'decision' }),
        );
      });
    },

    /** The SLA passed without an outcome: mark it overdue in the inbox and tell the admins (senior approvers act). */
    async escalateRequest(input: { requestId: string }): Promise<void> {
      await db.transaction(async (trx) => {
        const request = await requests.lock(trx, input.requestId);
        if (!request || !(await requests.escalate(trx, input.requestId))) return;
        await outbox.append(
          trx,
          requestUpdated({ requestId: request.id, requestType: request.type, change: 'escalated' }),
        );
      });
    },
  };
}
