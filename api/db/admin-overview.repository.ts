import type { Db } from './knex';

export interface WithdrawalDay {
  day: string;
  requested: number;
  requestedPaise: number;
  paid: number;
  paidPaise: number;
}

export interface RequestSlaCounts {
  type: string;
  onTime: number;
  escalated: number;
  expired: number;
}

export interface SyncHealthRow {
  slug: string;
  name: string;
  enabled: boolean;
  connectedAccounts: number;
  lastSyncedAt: Date | null;
  staleAccounts: number;
  tripsLast24h: number;
}

/**
 * Read-only figures for the admin overview, straight from the tables the workflows write. Days are IST calendar
 * days (SPEC: day boundaries are Asia/Kolkata).
 */
export function createAdminOverviewRepository(db: Db) {
  return {
    /** Withdrawals requested and paid on each of the last `days` IST days, today included, zero days too. */
    async withdrawalsPerDay(now: Date, days: number): Promise<WithdrawalDay[]> {
      const result = await db.raw<{
        rows: Array<{ day: string; requested: number; requested_paise: number; paid: number; paid_paise: number }>;
      }>(
        `WITH days AS (
           SELECT generate_series(
             (timezone('Asia/Kolkata', ?::timestamptz))::date - (?::int - 1),
             (timezone('Asia/Kolkata', ?::timestamptz))::date,
             interval '1 day')::date AS day
         ),
         requested AS (
           SELECT (timezone('Asia/Kolkata', created_at))::date AS day, count(*)::int AS n, sum(amount_paise) AS paise
             FROM withdrawals GROUP BY 1
         ),
         paid AS (
           SELECT (timezone('Asia/Kolkata', paid_at))::date AS day, count(*)::int AS n, sum(amount_paise) AS paise
             FROM withdrawals WHERE status = 'paid' GROUP BY 1
         )
         SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
                coalesce(r.n, 0) AS requested, coalesce(r.paise, 0)::bigint AS requested_paise,
                coalesce(p.n, 0) AS paid, coalesce(p.paise, 0)::bigint AS paid_paise
           FROM days d LEFT JOIN requested r ON r.day = d.day LEFT JOIN paid p ON p.day = d.day
          ORDER BY d.day`,
        [now.toISOString(), days, now.toISOString()],
      );
      return result.rows.map((r) => ({
        day: r.day,
        requested: r.requested,
        requestedPaise: Number(r.requested_paise),
        paid: r.paid,
        paidPaise: Number(r.paid_paise),
      }));
    },

    /** Requests that need a person: waiting on time, waiting past their SLA, and expired since `expiredSince`. */
    async requestsBySla(expiredSince: Date): Promise<RequestSlaCounts[]> {
      const rows = await db('requests')
        .where('approvals_required', '>', 0)
        .groupBy('type')
        .select<Array<{ type: string; on_time: number; escalated: number; expired: number }>>(
          'type',
          db.raw(`count(*) FILTER (WHERE status = 'pending_approval' AND escalated_at IS NULL)::int AS on_time`),
          db.raw(`count(*) FILTER (WHERE status = 'pending_approval' AND escalated_at IS NOT NULL)::int AS escalated`),
          db.raw(`count(*) FILTER (WHERE status = 'expired' AND closed_at >= ?)::int AS expired`, [expiredSince]),
        );
      const byType = new Map(rows.map((r) => [r.type, r]));
      return ['withdrawal', 'loan', 'claim', 'deletion'].map((type) => ({
        type,
        onTime: byType.get(type)?.on_time ?? 0,
        escalated: byType.get(type)?.escalated ?? 0,
        expired: byType.get(type)?.expired ?? 0,
      }));
    },

    /** A system account's balance as the sum of its postings (unconstrained accounts keep no cached balance). */
    async systemAccountBalance(code: string): Promise<number> {
      const [row] = await db('ledger_postings as p')
        .join('ledger_accounts as a', 'a.id', 'p.account_id')
        .where('a.code', code)
        .select<Array<{ total: number | null }>>(db.raw('sum(p.amount_paise)::bigint AS total'));
      return Number(row?.total ?? 0);
    },

    /** Active loans and the principal still owed on them (instalments neither paid nor waived). */
    async loanBook(): Promise<{ activeLoans: number; outstandingPrincipalPaise: number; disbursedPaise: number }> {
      const [loans] = await db('loans')
        .where({ status: 'active' })
        .select<Array<{ n: number; disbursed: number | null }>>(
          db.raw('count(*)::int AS n'),
          db.raw('sum(amount_paise)::bigint AS disbursed'),
        );
      const [owed] = await db('loan_instalments as i')
        .join('loans as l', 'l.id', 'i.loan_id')
        .where('l.status', 'active')
        .whereIn('i.status', ['scheduled', 'overdue'])
        .select<Array<{ principal: number | null }>>(db.raw('sum(i.principal_paise)::bigint AS principal'));
      return {
        activeLoans: loans?.n ?? 0,
        outstandingPrincipalPaise: Number(owed?.principal ?? 0),
        disbursedPaise: Number(loans?.disbursed ?? 0),
      };
    },

    /**
     * Earnings sync per platform: connected accounts, the newest sync, accounts not synced since `staleBefore`
     * (the sweep failed for them or never reached them) and trips credited in the last day.
     */
    async syncHealth(staleBefore: Date, since: Date): Promise<SyncHealthRow[]> {
      const rows = await db('platforms as p')
        .leftJoin('platform_connections as c', function () {
          this.on('c.platform_id', '=', 'p.id').andOnVal('c.status', '=', 'connected');
        })
        .groupBy('p.id', 'p.slug', 'p.name', 'p.enabled', 'p.sort_order')
        .orderBy([{ column: 'p.sort_order' }, { column: 'p.slug' }])
        .select<
          Array<{
            slug: string;
            name: string;
            enabled: boolean;
            connected: number;
            last_synced_at: Date | null;
            stale: number;
            trips: number;
          }>
        >(
          'p.slug',
          'p.name',
          'p.enabled',
          db.raw('count(c.id)::int AS connected'),
          db.raw('max(c.last_synced_at) AS last_synced_at'),
          db.raw('count(c.id) FILTER (WHERE c.last_synced_at IS NULL OR c.last_synced_at < ?)::int AS stale', [
            staleBefore,
          ]),
          db.raw(
            '(SELECT count(*) FROM platform_trips t WHERE t.platform_id = p.id AND t.credited_at >= ?)::int AS trips',
            [since],
          ),
        );
      return rows.map((r) => ({
        slug: r.slug,
        name: r.name,
        enabled: r.enabled,
        connectedAccounts: r.connected,
        lastSyncedAt: r.last_synced_at,
        staleAccounts: r.stale,
        tripsLast24h: r.trips,
      }));
    },

    async latestReconciliation(): Promise<{ status: string; checkedAt: Date } | null> {
      const row = await db('ledger_reconciliations')
        .orderBy('checked_at', 'desc')
        .first<{ status: string; checked_at: Date } | undefined>('status', 'checked_at');
      return row ? { status: row.status, checkedAt: row.checked_at } : null;
    },
  };
}

export type AdminOverviewRepository = ReturnType<typeof createAdminOverviewRepository>;
