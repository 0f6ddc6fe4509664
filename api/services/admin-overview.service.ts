import type { AdminOverviewRepository } from '../db/admin-overview.repository';
import type { LoanService } from './loan.service';

const DAY_MS = 86_400_000;
export const OVERVIEW_DAYS = 14;

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
      const [withdrawalsPerDay, requests, insurancePoolPaise, loanBook, arrears, sync, reconciliation] =
        await Promise.all([
          deps.overview.withdrawalsPerDay(at, OVERVIEW_DAYS),
          deps.overview.requestsBySla(new Date(at.getTime() - OVERVIEW_DAYS * DAY_MS)),
          deps.overview.systemAccountBalance('insurance_pool'),
          deps.overview.loanBook(),
          deps.loans.arrears(),
          // Two missed sweeps in a row, not one late one, marks an account as stale.
          deps.overview.syncHealth(new Date(at.getTime() - 2 * deps.syncIntervalMs), new Date(at.getTime() - DAY_MS)),
          deps.overview.latestReconciliation(),
        ]);
      return {
        generatedAt: at.toISOString(),
        currency: 'INR' as const,
        withdrawalsPerDay,
        requestsBySla: requests,
        insurancePoolPaise,
        loanBook: { ...loanBook, arrears: arrears.buckets },
        syncHealth: sync.map((s) => ({ ...s, lastSyncedAt: s.lastSyncedAt?.toISOString() ?? null })),
        lastReconciliation: reconciliation
          ? { status: reconciliation.status, checkedAt: reconciliation.checkedAt.toISOString() }
          : null,
      };
    },
  };
}

export type AdminOverviewService = ReturnType<typeof createAdminOverviewService>;
