import type { AdminOverviewRepository } from '../db/admin-overview.repository';
import { arrearsBucket, type ArrearsBucket } from '../domain/loan';
import type { LoanService } from './loan.service';

const DAY_MS = 86_400_000;
export const OVERVIEW_DAYS = 14;
/** The insurance pool's history on the dashboard: the last 30 IST days. */
export const POOL_DAYS = 30;
/** Outstanding principal is split into "not overdue" and the arrears buckets of SPEC §6. */
export const LOAN_BOOK_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type LoanBookBucket = (typeof LOAN_BOOK_BUCKETS)[number];

/** The operations dashboard: one read that gathers every figure the overview page charts. */
export function createAdminOverviewService(deps: {
  overview: AdminOverviewRepository;
  loans: Pick<LoanService, 'arrears'>;
  syncIntervalMs: number;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  return {
    async overview() {
      const at = now();
      const [withdrawalsPerDay, requests, insurancePoolPaise, poolPerDay, loanBook, arrears, sync, reconciliation] =
        await Promise.all([
          deps.overview.withdrawalsPerDay(at, OVERVIEW_DAYS),
          deps.overview.requestsBySla(new Date(at.getTime() - OVERVIEW_DAYS * DAY_MS)),
          deps.overview.systemAccountBalance('insurance_pool'),
          deps.overview.insurancePoolPerDay(at, POOL_DAYS),
          deps.overview.loanBook(at),
          deps.loans.arrears(),
          // Two missed sweeps in a row, not one late one, marks an account as stale.
          deps.overview.syncHealth(new Date(at.getTime() - 2 * deps.syncIntervalMs), new Date(at.getTime() - DAY_MS)),
          deps.overview.latestReconciliation(),
        ]);
      const { principalByDaysOverdue, ...book } = loanBook;
      const principalIn = (bucket: LoanBookBucket) =>
        principalByDaysOverdue
          .filter((r) => (r.daysOverdue === null ? 'current' : bucketOf(r.daysOverdue)) === bucket)
          .reduce((sum, r) => sum + r.principalPaise, 0);
      return {
        generatedAt: at.toISOString(),
        currency: 'INR' as const,
        withdrawalsPerDay,
        requestsBySla: requests,
        insurancePoolPaise,
        insurancePoolPerDay: poolPerDay,
        loanBook: {
          ...book,
          principalByBucket: LOAN_BOOK_BUCKETS.map((bucket) => ({ bucket, principalPaise: principalIn(bucket) })),
          arrears: arrears.buckets,
        },
        syncHealth: sync.map((s) => ({ ...s, lastSyncedAt: s.lastSyncedAt?.toISOString() ?? null })),
        lastReconciliation: reconciliation
          ? { status: reconciliation.status, checkedAt: reconciliation.checkedAt.toISOString() }
          : null,
      };
    },
  };
}

/** An overdue instalment is at least one day overdue, as the arrears report counts it. */
function bucketOf(daysOverdue: number): ArrearsBucket {
  return arrearsBucket(Math.max(1, daysOverdue)) ?? '1-30';
}

export type AdminOverviewService = ReturnType<typeof createAdminOverviewService>;
