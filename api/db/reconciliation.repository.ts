import type { Knex } from 'knex';
import type { Db } from './knex';

export interface DriftFinding {
  check:
    | 'journal_unbalanced'
    | 'postings_do_not_sum_to_zero'
    | 'cached_balance_drift'
    | 'held_amount_drift'
    | 'wallet_negative'
    | 'payout_state_mismatch'
    | 'payout_amount_mismatch'
    | 'payout_missing_at_rail';
  subject: string;
  detail: Record<string, number | string>;
}

export interface Reconciliation {
  id: string;
  runKey: string;
  status: 'clean' | 'drift';
  findings: DriftFinding[];
  counts: { journals: number; postings: number; accounts: number; pendingHolds: number };
  checkedAt: Date;
}

interface Row {
  id: string;
  run_key: string;
  status: 'clean' | 'drift';
  findings: DriftFinding[];
  counts: Reconciliation['counts'];
  checked_at: Date;
}
const toReconciliation = (r: Row): Reconciliation => ({
  id: r.id,
  runKey: r.run_key,
  status: r.status,
  findings: r.findings,
  counts: r.counts,
  checkedAt: r.checked_at,
});

/** Finding limits keep one report readable even when something is badly wrong. */
const MAX_FINDINGS_PER_CHECK = 100;

export function createReconciliationRepository(db: Db) {
  async function rows<T>(trx: Knex.Transaction, sql: string): Promise<T[]> {
    return (await trx.raw<{ rows: T[] }>(`${sql} LIMIT ${MAX_FINDINGS_PER_CHECK}`)).rows;
  }

  return {
    /** Every ledger invariant, checked on one consistent snapshot. */
    async findDrift(): Promise<{ findings: DriftFinding[]; counts: Reconciliation['counts'] }> {
      return db.transaction(
        async (trx) => {
          const findings: DriftFinding[] = [];
          for (const r of await rows<{ journal_id: string; total: string; legs: number }>(
            trx,
            `SELECT journal_id, sum(amount_paise)::text AS total, count(*)::int AS legs FROM ledger_postings
             GROUP BY journal_id HAVING sum(amount_paise) <> 0 OR count(*) < 2`,
          )) {
            findings.push({
              check: 'journal_unbalanced',
              subject: r.journal_id,
              detail: { sumPaise: r.total, postings: r.legs },
            });
          }
          const [total] = await rows<{ total: string | null }>(
            trx,
            `SELECT sum(amount_paise)::text AS total FROM ledger_postings`,
          );
          if (total?.total && total.total !== '0') {
            findings.push({
              check: 'postings_do_not_sum_to_zero',
              subject: 'ledger',
              detail: { sumPaise: total.total },
            });
          }
          for (const r of await rows<{ id: string; cached: string; actual: string }>(
            trx,
            `SELECT a.id, a.balance_paise::text AS cached, coalesce(p.s, 0)::text AS actual FROM ledger_accounts a
             LEFT JOIN (SELECT account_id, sum(amount_paise) AS s FROM ledger_postings GROUP BY account_id) p ON p.account_id = a.id
             WHERE a.constrained AND a.balance_paise <> coalesce(p.s, 0)`,
          )) {
            findings.push({
              check: 'cached_balance_drift',
              subject: r.id,
              detail: { cachedPaise: r.cached, postingsPaise: r.actual },
            });
          }
          for (const r of await rows<{ id: string; cached: string; actual: string }>(
            trx,
            `SELECT a.id, a.held_paise::text AS cached, coalesce(h.s, 0)::text AS actual FROM ledger_accounts a
             LEFT JOIN (SELECT account_id, sum(amount_paise) AS s FROM ledger_holds WHERE status = 'pending' GROUP BY account_id) h
               ON h.account_id = a.id
             WHERE a.constrained AND a.held_paise <> coalesce(h.s, 0)`,
          )) {
            findings.push({
              check: 'held_amount_drift',
              subject: r.id,
              detail: { cachedPaise: r.cached, pendingHoldsPaise: r.actual },
            });
          }
          for (const r of await rows<{ id: string; spendable: string }>(
            trx,
            `SELECT a.id, (coalesce(p.s, 0) - coalesce(h.s, 0))::text AS spendable FROM ledger_accounts a
             LEFT JOIN (SELECT account_id, sum(amount_paise) AS s FROM ledger_postings GROUP BY account_id) p ON p.account_id = a.id
             LEFT JOIN (SELECT account_id, sum(amount_paise) AS s FROM ledger_holds WHERE status = 'pending' GROUP BY account_id) h
               ON h.account_id = a.id
             WHERE a.constrained AND coalesce(p.s, 0) - coalesce(h.s, 0) < 0`,
          )) {
            findings.push({ check: 'wallet_negative', subject: r.id, detail: { spendablePaise: r.spendable } });
          }
          const [counts] = await rows<Reconciliation['counts']>(
            trx,
            `SELECT (SELECT count(*) FROM ledger_journals)::int AS journals, (SELECT count(*) FROM ledger_postings)::int AS postings,
                    (SELECT count(*) FROM ledger_accounts)::int AS accounts,
                    (SELECT count(*) FROM ledger_holds WHERE status = 'pending')::int AS "pendingHolds"`,
          );
          return { findings, counts: counts! };
        },
        { isolationLevel: 'repeatable read', readOnly: true },
      );
    },

    /** Withdrawals that reached the rail recently, to compare with the rail's own record. */
    async payoutsToCheck(
      since: Date,
      limit: number,
    ): Promise<Array<{ id: string; status: string; payoutId: string; netPaise: number; updatedAt: Date }>> {
      const rows = await db<{
        id: string;
        status: string;
        payout_id: string;
        amount_paise: number;
        service_fee_paise: number;
        insurance_contribution_paise: number;
        updated_at: Date;
      }>('withdrawals')
        .whereNotNull('payout_id')
        .andWhere('updated_at', '>=', since)
        .orderBy('updated_at', 'desc')
        .limit(limit)
        .select(
          'id',
          'status',
          'payout_id',
          'amount_paise',
          'service_fee_paise',
          'insurance_contribution_paise',
          'updated_at',
        );
      return rows.map((r) => ({
        id: r.id,
        status: r.status,
        payoutId: r.payout_id,
        netPaise: r.amount_paise - r.service_fee_paise - r.insurance_contribution_paise,
        updatedAt: r.updated_at,
      }));
    },

    /** Stores the report of one run; a retried activity finds its own report instead of writing a second one. */
    async saveReport(
      input: { runKey: string; findings: DriftFinding[]; counts: Reconciliation['counts'] },
      trx: Knex.Transaction,
    ): Promise<{ report: Reconciliation; created: boolean }> {
      const inserted = (await trx('ledger_reconciliations')
        .insert({
          run_key: input.runKey,
          status: input.findings.length ? 'drift' : 'clean',
          findings: JSON.stringify(input.findings),
          counts: input.counts,
        })
        .onConflict('run_key')
        .ignore()
        .returning('*')) as Row[];
      if (inserted[0]) return { report: toReconciliation(inserted[0]), created: true };
      const existing = await trx<Row>('ledger_reconciliations').where({ run_key: input.runKey }).first();
      return { report: toReconciliation(existing!), created: false };
    },

    /** Newest first; `before` is the checkedAt cursor of the previous page. */
    async list(limit: number, before?: Date): Promise<Reconciliation[]> {
      const query = db<Row>('ledger_reconciliations').orderBy('checked_at', 'desc').orderBy('id', 'desc').limit(limit);
      if (before) void query.where('checked_at', '<', before);
      return (await query).map(toReconciliation);
    },
  };
}

export type ReconciliationRepository = ReturnType<typeof createReconciliationRepository>;
