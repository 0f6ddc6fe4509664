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

export interface PoolDay {
  day: string;
  /** Postings into the pool that day: premiums, 1% withdrawal shares. */
  inPaise: number;
  /** Postings out of the pool that day, as a positive figure: claim payouts. */
  outPaise: number;
  /** The pool's balance at the end of that IST day (today: so far). */
  balancePaise: number;
}

export interface LoanBookFigures {
  activeLoans: number;
  disbursedPaise: number;
  outstandingPrincipalPaise: number;
  /**
   * The same outstanding principal split by whole days overdue at `now` (`null`: not overdue, i.e. scheduled,
   * including an instalment past its due date still inside its retry days).
   */
  principalByDaysOverdue: Array<{ daysOverdue: number | null; principalPaise: number }>;
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

    /**
     * The insurance pool per IST day over the last `days` days, today included: what went in, what went out and
     * the balance at the end of each day, all from the pool's ledger postings (the opening balance is every
     * posting before the first day).
     */
    async insurancePoolPerDay(now: Date, days: number): Promise<PoolDay[]> {
      const result = await db.raw<{
        rows: Array<{ day: string; in_paise: string; out_paise: string; balance_paise: string }>;
      }>(
        `WITH pool AS (SELECT id FROM ledger_accounts WHERE code = 'insurance_pool'),
         span AS (
           SELECT (timezone('Asia/Kolkata', ?::timestamptz))::date - (?::int - 1) AS first_day,
                  (timezone('Asia/Kolkata', ?::timestamptz))::date AS last_day
         ),
         days AS (SELECT generate_series(first_day, last_day, interval '1 day')::date AS day FROM span),
         opening AS (
           SELECT coalesce(sum(p.amount_paise), 0) AS paise
             FROM ledger_postings p, pool, span
            WHERE p.account_id = pool.id AND p.created_at < span.first_day::timestamp AT TIME ZONE 'Asia/Kolkata'
         ),
         moves AS (
           SELECT (timezone('Asia/Kolkata', p.created_at))::date AS day,
                  coalesce(sum(p.amount_paise) FILTER (WHERE p.amount_paise > 0), 0) AS in_paise,
                  coalesce(-sum(p.amount_paise) FILTER (WHERE p.amount_paise < 0), 0) AS out_paise
             FROM ledger_postings p, pool, span
            WHERE p.account_id = pool.id AND p.created_at >= span.first_day::timestamp AT TIME ZONE 'Asia/Kolkata'
            GROUP BY 1
         )
         SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
                coalesce(m.in_paise, 0)::bigint AS in_paise,
                coalesce(m.out_paise, 0)::bigint AS out_paise,
                (o.paise + sum(coalesce(m.in_paise, 0) - coalesce(m.out_paise, 0)) OVER (ORDER BY d.day))::bigint
                  AS balance_paise
           FROM days d CROSS JOIN opening o LEFT JOIN moves m ON m.day = d.day
          ORDER BY d.day`,
        [now.toISOString(), days, now.toISOString()],
      );
      return result.rows.map((r) => ({
        day: r.day,
        inPaise: Number(r.in_paise),
        outPaise: Number(r.out_paise),
        balancePaise: Number(r.balance_paise),
      }));
    },

    /**
     * Active loans and the principal still owed on them (instalments neither paid nor waived), that principal
     * grouped by whole days overdue at `now` as the arrears report counts them (from the due time, at least 1).
     */
    async loanBook(now: Date): Promise<LoanBookFigures> {
      const [loans] = await db('loans')
        .where({ status: 'active' })
        .select<Array<{ n: number; disbursed: number | null }>>(
          db.raw('count(*)::int AS n'),
          db.raw('sum(amount_paise)::bigint AS disbursed'),
        );
      const owed = await db('loan_instalments as i')
        .join('loans as l', 'l.id', 'i.loan_id')
        .where('l.status', 'active')
        .whereIn('i.status', ['scheduled', 'overdue'])
        .groupByRaw('1')
        .orderByRaw('1 NULLS FIRST')
        .select<Array<{ days_overdue: number | null; principal: string }>>(
          db.raw(
            `CASE WHEN i.status = 'overdue'
               THEN greatest(1, floor(extract(epoch FROM (?::timestamptz - i.due_at)) / 86400))::int END AS days_overdue`,
            [now.toISOString()],
          ),
          db.raw('sum(i.principal_paise)::bigint AS principal'),
        );
      const principalByDaysOverdue = owed.map((r) => ({
        daysOverdue: r.days_overdue,
        principalPaise: Number(r.principal),
      }));
      return {
        activeLoans: loans?.n ?? 0,
        disbursedPaise: Number(loans?.disbursed ?? 0),
        outstandingPrincipalPaise: principalByDaysOverdue.reduce((sum, r) => sum + r.principalPaise, 0),
        principalByDaysOverdue,
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
