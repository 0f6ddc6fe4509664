import type { AdminWorkersRepository, WorkerListRow } from '../db/admin-workers.repository';
import { AppError } from '../errors';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const toWorkerSummary = (w: WorkerListRow) => ({
  id: w.id,
  phone: w.phone,
  email: w.email,
  displayName: w.displayName,
  createdAt: w.createdAt.toISOString(),
  erased: w.erasedAt !== null,
  balancePaise: w.balancePaise,
  heldPaise: w.heldPaise,
  spendablePaise: w.balancePaise - w.heldPaise,
});

/** Worker lookup for operations: search, and one worker's balance, plans, platforms, loans, claims, withdrawals. */
export function createAdminWorkersService(deps: { workers: AdminWorkersRepository; now?: () => Date }) {
  const { workers } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    async search(input: { q?: string; afterId?: string; limit: number }) {
      return (await workers.search(input)).map(toWorkerSummary);
    },

    async detail(id: string) {
      const worker = await workers.find(id);
      if (!worker) throw AppError.notFound('Worker');
      const [insurance, plans, platforms, loans, claims, withdrawals] = await Promise.all([
        workers.insurance(id),
        workers.plans(id),
        workers.platforms(id),
        workers.loans(id),
        workers.claims(id),
        workers.withdrawals(id, 20),
      ]);
      const at = now().getTime();
      return {
        worker: toWorkerSummary(worker),
        currency: 'INR' as const,
        insurance: insurance ? { status: insurance.status, optedInAt: iso(insurance.optedInAt) } : null,
        plans: plans.map((p) => ({
          id: p.id,
          planCode: p.plan_code,
          name: p.name,
          pricePaise: Number(p.price_paise),
          slots: p.slots,
          purchasedAt: p.purchased_at.toISOString(),
          expiresAt: p.expires_at.toISOString(),
          active: p.expires_at.getTime() > at,
        })),
        platforms: platforms.map((c) => ({
          id: c.id,
          slug: c.slug,
          name: c.name,
          status: c.status,
          connectedAt: c.connected_at.toISOString(),
          disconnectedAt: iso(c.disconnected_at),
          lastSyncedAt: iso(c.last_synced_at),
          earnedPaise: Number(c.earned_paise),
        })),
        loans: loans.map((l) => ({
          id: l.id,
          amountPaise: Number(l.amount_paise),
          status: l.status,
          tenureMonths: l.tenure_months,
          emiPaise: Number(l.emi_paise),
          annualRateBps: l.annual_rate_bps,
          createdAt: l.created_at.toISOString(),
          outstandingPrincipalPaise: Number(l.outstanding_paise),
          overdueInstalments: l.overdue,
        })),
        claims: claims.map((c) => ({
          id: c.id,
          type: c.type,
          incidentOn: String(c.incident_on),
          description: c.description,
          payoutPaise: Number(c.payout_paise),
          status: c.status,
          createdAt: c.created_at.toISOString(),
        })),
        withdrawals: withdrawals.map((w) => ({
          id: w.id,
          amountPaise: Number(w.amount_paise),
          status: w.status,
          createdAt: w.created_at.toISOString(),
          paidAt: iso(w.paid_at),
        })),
      };
    },
  };
}

export type AdminWorkersService = ReturnType<typeof createAdminWorkersService>;
