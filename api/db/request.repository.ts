import type { Knex } from 'knex';
import type { AdminRoleName, RequestType } from '../../workflows/contracts';
import type { Db } from './knex';

/** One row per request of any type (SPEC §9): what the admin inbox lists and the timeline hangs from. */
export interface RequestRecord {
  id: string;
  type: RequestType;
  workerId: string;
  amountPaise: number | null;
  status: string;
  workflowId: string;
  approvalsRequired: number;
  seniorRequired: boolean;
  approvalsGiven: number;
  slaDueAt: Date | null;
  expiresAt: Date | null;
  escalatedAt: Date | null;
  assignedTo: string | null;
  assignedToUsername: string | null;
  assignedAt: Date | null;
  workerName: string | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

export interface RequestDecision {
  adminId: string;
  adminUsername: string;
  adminRole: AdminRoleName;
  decision: 'approve' | 'reject';
  reason: string | null;
  comment: string | null;
  decidedAt: Date;
}

export interface TimelineEntry {
  id: number;
  at: Date;
  kind: string;
  status: string | null;
  actorKind: 'worker' | 'admin' | 'system';
  actorId: string | null;
  detail: Record<string, unknown>;
}

export interface Actor {
  actorKind: 'worker' | 'admin' | 'system';
  actorId?: string | null;
}

export interface NewRequest {
  id: string;
  type: RequestType;
  workerId: string;
  amountPaise: number | null;
  status: string;
  workflowId: string;
  approvalsRequired: number;
  seniorRequired?: boolean;
  /** Absent when nobody needs to decide (a withdrawal below the threshold). */
  slaMs?: number;
  expiryMs?: number;
}

export type SlaState = 'on_time' | 'escalated';

export interface InboxQuery {
  types?: RequestType[];
  statuses?: string[];
  sla?: SlaState;
  /** Requests at least / at most this old. */
  minAgeMs?: number;
  maxAgeMs?: number;
  /** An admin id, or 'nobody' for unclaimed items. */
  assignedTo?: string;
  workerId?: string;
  /** Oldest first (the queue order); continue after this request (compared in the database, at full precision). */
  afterId?: string;
  limit: number;
}

interface RequestRow {
  id: string;
  type: RequestType;
  worker_id: string;
  amount_paise: number | null;
  status: string;
  workflow_id: string;
  approvals_required: number;
  senior_required: boolean;
  approvals_given: number;
  sla_due_at: Date | null;
  expires_at: Date | null;
  escalated_at: Date | null;
  assigned_to: string | null;
  assigned_username: string | null;
  assigned_at: Date | null;
  worker_name: string | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

const toRequest = (row: RequestRow): RequestRecord => ({
  id: row.id,
  type: row.type,
  workerId: row.worker_id,
  amountPaise: row.amount_paise,
  status: row.status,
  workflowId: row.workflow_id,
  approvalsRequired: row.approvals_required,
  seniorRequired: row.senior_required,
  approvalsGiven: row.approvals_given,
  slaDueAt: row.sla_due_at,
  expiresAt: row.expires_at,
  escalatedAt: row.escalated_at,
  assignedTo: row.assigned_to,
  assignedToUsername: row.assigned_username,
  assignedAt: row.assigned_at,
  workerName: row.worker_name,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  closedAt: row.closed_at,
});

export function createRequestRepository(db: Db) {
  const q = (trx?: Knex | Knex.Transaction) => trx ?? db;

  const selectRequests = (trx?: Knex | Knex.Transaction) =>
    q(trx)('requests as r')
      .leftJoin('workers as w', 'w.id', 'r.worker_id')
      .leftJoin('admins as a', 'a.id', 'r.assigned_to')
      .select<RequestRow[]>(
        'r.*',
        'a.username as assigned_username',
        db.raw('coalesce(w.display_name, w.pseudonym) AS worker_name'),
        db.raw(
          `(SELECT count(*)::int FROM request_decisions d WHERE d.request_id = r.id AND d.decision = 'approve') AS approvals_given`,
        ),
      );

  async function timeline(
    trx: Knex | Knex.Transaction,
    requestId: string,
    kind: string,
    actor: Actor,
    fields: { status?: string; detail?: Record<string, unknown> } = {},
  ): Promise<void> {
    await trx('request_timeline').insert({
      request_id: requestId,
      kind,
      status: fields.status ?? null,
      actor_kind: actor.actorKind,
      actor_id: actor.actorId ?? null,
      detail: fields.detail ?? {},
    });
  }

  return {
    timeline,

    /** Stores the request with its first timeline entry; call in the transaction that creates the subject. */
    async insert(trx: Knex.Transaction, request: NewRequest, actor: Actor): Promise<void> {
      const now = Date.now();
      await trx('requests').insert({
        id: request.id,
        type: request.type,
        worker_id: request.workerId,
        amount_paise: request.amountPaise,
        status: request.status,
        workflow_id: request.workflowId,
        approvals_required: request.approvalsRequired,
        senior_required: request.seniorRequired ?? false,
        sla_due_at: request.slaMs === undefined ? null : new Date(now + request.slaMs),
        expires_at: request.expiryMs === undefined ? null : new Date(now + request.expiryMs),
      });
      await timeline(trx, request.id, 'created', actor, {
        status: request.status,
        detail: { approvalsRequired: request.approvalsRequired, amountPaise: request.amountPaise },
      });
    },

    /**
     * The request row of a withdrawal created before its API knew about requests (an old instance during a rolling
     * deploy): created on its next step, so the timeline's foreign key never blocks the money from moving.
     */
    async ensureWithdrawal(
      trx: Knex.Transaction,
      w: {
        id: string;
        workerId: string;
        amountPaise: number;
        status: string;
        workflowId: string;
        requiresApproval: boolean;
      },
    ): Promise<void> {
      await trx('requests')
        .insert({
          id: w.id,
          type: 'withdrawal',
          worker_id: w.workerId,
          amount_paise: w.amountPaise,
          status: w.status,
          workflow_id: w.workflowId,
          approvals_required: w.requiresApproval ? 1 : 0,
        })
        .onConflict('id')
        .ignore();
    },

    /** Mirrors the subject's new status; a closed request releases its assignment. */
    async recordStatus(
      trx: Knex.Transaction,
      requestId: string,
      status: string,
      actor: Actor,
      options: { closed: boolean; detail?: Record<string, unknown> },
    ): Promise<void> {
      await trx('requests')
        .where({ id: requestId })
        .update({
          status,
          updated_at: trx.fn.now(),
          ...(options.closed ? { closed_at: trx.fn.now(), assigned_to: null, assigned_at: null } : {}),
        });
      await timeline(trx, requestId, 'status', actor, { status, detail: options.detail });
    },

    async lock(trx: Knex.Transaction, requestId: string): Promise<RequestRecord | undefined> {
      await trx('requests').where({ id: requestId }).forUpdate().first('id');
      const [row] = await selectRequests(trx).where('r.id', requestId);
      return row && toRequest(row);
    },

    async findById(requestId: string, trx?: Knex.Transaction): Promise<RequestRecord | undefined> {
      const [row] = await selectRequests(trx).where('r.id', requestId);
      return row && toRequest(row);
    },

    async findByIds(ids: readonly string[]): Promise<RequestRecord[]> {
      const rows = await selectRequests().whereIn('r.id', ids);
      return rows.map(toRequest);
    },

    /** One decision per admin per request: the unique key refuses a second one (four-eyes). */
    async addDecision(
      trx: Knex.Transaction,
      requestId: string,
      decision: {
        adminId: string;
        adminRole: AdminRoleName;
        decision: 'approve' | 'reject';
        reason?: string;
        comment?: string;
        decidedAt: Date;
      },
    ): Promise<void> {
      await trx('request_decisions').insert({
        request_id: requestId,
        admin_id: decision.adminId,
        admin_role: decision.adminRole,
        decision: decision.decision,
        reason: decision.reason ?? null,
        comment: decision.comment ?? null,
        decided_at: decision.decidedAt,
      });
      // Whoever held the item has done their part; a second approver may now claim it.
      await trx('requests')
        .where({ id: requestId })
        .update({ assigned_to: null, assigned_at: null, updated_at: trx.fn.now() });
      await timeline(
        trx,
        requestId,
        'decision',
        { actorKind: 'admin', actorId: decision.adminId },
        {
          detail: {
            decision: decision.decision,
            reason: decision.reason ?? null,
            comment: decision.comment ?? null,
            adminRole: decision.adminRole,
          },
        },
      );
    },

    async decisionsOf(requestId: string): Promise<RequestDecision[]> {
      const rows: Array<{
        admin_id: string;
        username: string;
        admin_role: AdminRoleName;
        decision: 'approve' | 'reject';
        reason: string | null;
        comment: string | null;
        decided_at: Date;
      }> = await db('request_decisions as d')
        .join('admins as a', 'a.id', 'd.admin_id')
        .where('d.request_id', requestId)
        .orderBy('d.decided_at')
        .select('d.*', 'a.username');
      return rows.map((r) => ({
        adminId: r.admin_id,
        adminUsername: r.username,
        adminRole: r.admin_role,
        decision: r.decision,
        reason: r.reason,
        comment: r.comment,
        decidedAt: r.decided_at,
      }));
    },

    async timelineOf(requestId: string): Promise<TimelineEntry[]> {
      const rows = await db<{
        request_id: string;
        id: string;
        at: Date;
        kind: string;
        status: string | null;
        actor_kind: TimelineEntry['actorKind'];
        actor_id: string | null;
        detail: Record<string, unknown>;
      }>('request_timeline')
        .where('request_id', requestId)
        .orderBy('id');
      return rows.map((r) => ({
        id: Number(r.id),
        at: r.at,
        kind: r.kind,
        status: r.status,
        actorKind: r.actor_kind,
        actorId: r.actor_id,
        detail: r.detail,
      }));
    },

    async markWorkflowStarted(requestId: string): Promise<void> {
      await db('requests').where({ id: requestId }).whereNull('workflow_started_at').update({
        workflow_started_at: db.fn.now(),
      });
    },

    /**
     * Open requests whose workflow start was never acknowledged (the API died or Temporal was down between the
     * commit and the start), older than `createdBefore`, oldest first.
     */
    async unstarted(createdBefore: Date, limit: number): Promise<Array<{ id: string; type: RequestType }>> {
      return db('requests')
        .whereNull('workflow_started_at')
        .whereNull('closed_at')
        .where('created_at', '<', createdBefore)
        .orderBy('created_at')
        .limit(limit)
        .select<Array<{ id: string; type: RequestType }>>('id', 'type');
    },

    /** Marks the SLA as missed once; returns false when it already was. */
    async escalate(trx: Knex.Transaction, requestId: string): Promise<boolean> {
      const changed = await trx('requests')
        .where({ id: requestId })
        .whereNull('escalated_at')
        .whereNull('closed_at')
        .update({ escalated_at: trx.fn.now(), updated_at: trx.fn.now() });
      if (changed === 0) return false;
      await timeline(trx, requestId, 'escalated', { actorKind: 'system' });
      return true;
    },

    /**
     * Takes the item for `adminId` when nobody holds it or the hold is older than `staleBefore`. Returns the
     * request as it is now (whoever holds it).
     */
    async claim(requestId: string, adminId: string, staleBefore: Date): Promise<boolean> {
      return db.transaction(async (trx) => {
        const changed = await trx('requests')
          .where({ id: requestId })
          .whereNull('closed_at')
          .andWhere((w) => {
            void w.whereNull('assigned_to').orWhere('assigned_to', adminId).orWhere('assigned_at', '<', staleBefore);
          })
          .update({ assigned_to: adminId, assigned_at: trx.fn.now() });
        if (changed > 0) await timeline(trx, requestId, 'claimed', { actorKind: 'admin', actorId: adminId });
        return changed > 0;
      });
    },

    async release(requestId: string, adminId: string): Promise<boolean> {
      return db.transaction(async (trx) => {
        const changed = await trx('requests')
          .where({ id: requestId, assigned_to: adminId })
          .update({ assigned_to: null, assigned_at: null });
        if (changed > 0) await timeline(trx, requestId, 'released', { actorKind: 'admin', actorId: adminId });
        return changed > 0;
      });
    },

    async inbox(query: InboxQuery): Promise<RequestRecord[]> {
      const now = Date.now();
      // A withdrawal below the threshold is approved by its workflow within moments: never an item to decide.
      const b = selectRequests().whereRaw(`NOT (r.status = 'pending_approval' AND r.approvals_required = 0)`);
      if (query.types?.length) void b.whereIn('r.type', query.types);
      if (query.statuses?.length) void b.whereIn('r.status', query.statuses);
      if (query.sla === 'escalated') void b.whereNotNull('r.escalated_at');
      if (query.sla === 'on_time') void b.whereNull('r.escalated_at');
      if (query.minAgeMs !== undefined) void b.where('r.created_at', '<=', new Date(now - query.minAgeMs));
      if (query.maxAgeMs !== undefined) void b.where('r.created_at', '>=', new Date(now - query.maxAgeMs));
      if (query.assignedTo === 'nobody') void b.whereNull('r.assigned_to');
      else if (query.assignedTo) void b.where('r.assigned_to', query.assignedTo);
      if (query.workerId) void b.where('r.worker_id', query.workerId);
      if (query.afterId) {
        void b.whereRaw('(r.created_at, r.id) > (SELECT created_at, id FROM requests WHERE id = ?)', [query.afterId]);
      }
      const rows = await b
        .orderBy([
          { column: 'r.created_at', order: 'asc' },
          { column: 'r.id', order: 'asc' },
        ])
        .limit(query.limit);
      return rows.map(toRequest);
    },
  };
}

export type RequestRepository = ReturnType<typeof createRequestRepository>;
