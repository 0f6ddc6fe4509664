import type { Knex } from 'knex';
import type { Db } from './knex';

export type AuditActorKind = 'admin' | 'worker' | 'anonymous' | 'system';
export type AuditOutcome = 'succeeded' | 'refused' | 'failed';

export interface AuditEntry {
  actorKind: AuditActorKind;
  actorId?: string | null;
  action: string;
  outcome: AuditOutcome;
  targetKind?: string;
  targetId?: string;
  ip?: string;
  requestId?: string;
  /** Never personal data in clear: identities are recorded as hashes (see identityDigest). */
  details?: Record<string, unknown>;
}

export interface AuditRecord extends Required<
  Omit<AuditEntry, 'actorId' | 'targetKind' | 'targetId' | 'ip' | 'requestId'>
> {
  id: number;
  occurredAt: Date;
  actorId: string | null;
  targetKind: string | null;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
}

export interface AuditQuery {
  action?: string;
  actorId?: string;
  targetId?: string;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
  /** Entries older than this id (newest first). */
  before?: number;
  limit: number;
}

interface AuditRow {
  id: number;
  occurred_at: Date;
  actor_kind: AuditActorKind;
  actor_id: string | null;
  action: string;
  outcome: AuditOutcome;
  target_kind: string | null;
  target_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

const toRecord = (row: AuditRow): AuditRecord => ({
  id: row.id,
  occurredAt: row.occurred_at,
  actorKind: row.actor_kind,
  actorId: row.actor_id,
  action: row.action,
  outcome: row.outcome,
  targetKind: row.target_kind,
  targetId: row.target_id,
  ip: row.ip,
  requestId: row.request_id,
  details: row.details,
});

/** The append-only audit log (the table refuses UPDATE, DELETE and TRUNCATE). */
export function createAuditRepository(db: Db) {
  return {
    async record(entry: AuditEntry, trx: Knex | Knex.Transaction = db): Promise<void> {
      await trx('audit_log').insert({
        actor_kind: entry.actorKind,
        actor_id: entry.actorId ?? null,
        action: entry.action,
        outcome: entry.outcome,
        target_kind: entry.targetKind ?? null,
        target_id: entry.targetId ?? null,
        ip: entry.ip ?? null,
        request_id: entry.requestId ?? null,
        details: JSON.stringify(entry.details ?? {}),
      });
    },

    async search(query: AuditQuery): Promise<AuditRecord[]> {
      const q = db<AuditRow>('audit_log').orderBy('id', 'desc').limit(query.limit);
      if (query.action) void q.where('action', query.action);
      if (query.actorId) void q.where('actor_id', query.actorId);
      if (query.targetId) void q.where('target_id', query.targetId);
      if (query.outcome) void q.where('outcome', query.outcome);
      if (query.from) void q.where('occurred_at', '>=', query.from);
      if (query.to) void q.where('occurred_at', '<', query.to);
      if (query.before !== undefined) void q.where('id', '<', query.before);
      return (await q).map(toRecord);
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
