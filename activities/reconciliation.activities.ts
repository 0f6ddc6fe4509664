import type { Db } from '../api/db/knex';
import { createOutboxRepository } from '../api/db/outbox.repository';
import { createReconciliationRepository, type DriftFinding } from '../api/db/reconciliation.repository';
import { ledgerDriftDetected } from '../api/realtime/event-catalogue';
import { PayoutRefusedError, type PayoutRailClient } from '../api/services/payout-rail.client';
import type { ReconciliationSummary } from '../workflows/contracts';

/** How far back payouts are compared with the rail, and how many per pass at most. */
const PAYOUT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
const PAYOUTS_PER_PASS = 5_000;
/** A payout the workflow has not settled this long after the rail did is reported. */
const SETTLEMENT_GRACE_MS = 60 * 60 * 1000;

export function createReconciliationActivities(deps: { db: Db; rail: PayoutRailClient }) {
  const reconciliations = createReconciliationRepository(deps.db);
  const outbox = createOutboxRepository(deps.db);

  /** Every payout has exactly one terminal state, and the rail and GigBit agree on it and on the amount. */
  async function payoutDrift(now: Date): Promise<DriftFinding[]> {
    const findings: DriftFinding[] = [];
    const payouts = await reconciliations.payoutsToCheck(new Date(now.getTime() - PAYOUT_WINDOW_MS), PAYOUTS_PER_PASS);
    for (const w of payouts) {
      let railStatus: string;
      let railAmount: number;
      try {
        const payout = await deps.rail.getPayout(w.payoutId);
        railStatus = payout.status;
        railAmount = payout.amountPaise;
      } catch (err) {
        if (err instanceof PayoutRefusedError) {
          findings.push({
            check: 'payout_missing_at_rail',
            subject: w.id,
            detail: { payoutId: w.payoutId, status: w.status },
          });
          continue;
        }
        throw err;
      }
      if (railAmount !== w.netPaise) {
        findings.push({
          check: 'payout_amount_mismatch',
          subject: w.id,
          detail: { netPaise: w.netPaise, railPaise: railAmount },
        });
      }
      const settledHere = w.status === 'paid' ? 'succeeded' : w.status === 'failed' ? 'failed' : 'pending';
      const stale = settledHere === 'pending' && now.getTime() - w.updatedAt.getTime() > SETTLEMENT_GRACE_MS;
      if ((settledHere !== 'pending' && railStatus !== settledHere) || (stale && railStatus !== 'pending')) {
        findings.push({ check: 'payout_state_mismatch', subject: w.id, detail: { status: w.status, railStatus } });
      }
    }
    return findings;
  }

  return {
    /**
     * Checks every ledger invariant on one snapshot and stores the report (admins are told when there is drift).
     * Nothing is corrected here: a correction is a reviewed reversal journal, never a silent fix.
     */
    async reconcileLedger(input: { runKey: string }): Promise<ReconciliationSummary> {
      const ledger = await reconciliations.findDrift();
      const findings = [...ledger.findings, ...(await payoutDrift(new Date()))];
      const { counts } = ledger;
      return deps.db.transaction(async (trx) => {
        const { report, created } = await reconciliations.saveReport({ runKey: input.runKey, findings, counts }, trx);
        if (created && report.status === 'drift') await outbox.append(trx, ledgerDriftDetected(report));

        return { reconciliationId: report.id, status: report.status, findings: report.findings.length };
      });
    },
  };
}
