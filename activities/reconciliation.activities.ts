import type { Db } from '../api/db/knex';
import { createOutboxRepository } from '../api/db/outbox.repository';
import { createReconciliationRepository } from '../api/db/reconciliation.repository';
import { ledgerDriftDetected } from '../api/realtime/event-catalogue';
import type { ReconciliationSummary } from '../workflows/contracts';

export function createReconciliationActivities(deps: { db: Db }) {
  const reconciliations = createReconciliationRepository(deps.db);
  const outbox = createOutboxRepository(deps.db);

  return {
    /**
     * Checks every ledger invariant on one snapshot and stores the report (admins are told when there is drift).
     * Nothing is corrected here: a correction is a reviewed reversal journal, never a silent fix.
     */
    async reconcileLedger(input: { runKey: string }): Promise<ReconciliationSummary> {
      const { findings, counts } = await reconciliations.findDrift();
      return deps.db.transaction(async (trx) => {
        const { report, created } = await reconciliations.saveReport({ runKey: input.runKey, findings, counts }, trx);
        if (created && report.status === 'drift') await outbox.append(trx, ledgerDriftDetected(report));
        return { reconciliationId: report.id, status: report.status, findings: report.findings.length };
      });
    },
  };
}
