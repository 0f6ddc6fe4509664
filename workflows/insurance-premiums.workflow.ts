import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { createInsuranceActivities, PremiumRunTotals } from '../activities/insurance.activities';

type InsuranceActivities = ReturnType<typeof createInsuranceActivities>;

const { listInsuredWorkers } = proxyActivities<InsuranceActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});
const { settleInsurancePremiums } = proxyActivities<InsuranceActivities>({
  // A batch settles its workers one by one, heartbeating after each.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2, maximumAttempts: 10 },
});

/** Batches per run before continuing as new, so a run over many workers keeps its history small. */
const BATCHES_PER_RUN = 100;

export interface InsurancePremiumsInput {
  /** Workers per activity call. */
  batchSize: number;
  /** An input so tests can make runs short. */
  batchesPerRun?: number;
  afterWorkerId?: string;
  totals?: PremiumRunTotals;
}

/**
 * The premium run the `insurance-premiums` Schedule starts (SPEC §7): over every enrolled worker in id order, in
 * bounded batches, it applies due opt-outs, bills the current IST month (₹50 wallet → insurance pool, once per
 * worker and month), retries unpaid premiums, moves unpaid workers to grace and then lapsed, and reinstates lapsed
 * workers whose retry succeeds. Every step is idempotent, so an overlapping or repeated run changes nothing twice.
 */
export async function insurancePremiumsWorkflow(
  input: InsurancePremiumsInput = { batchSize: 100 },
): Promise<PremiumRunTotals> {
  const totals: PremiumRunTotals = input.totals ?? {
    workers: 0,
    premiumsPaid: 0,
    paidUp: 0,
    grace: 0,
    lapsed: 0,
    reinstated: 0,
    optedOut: 0,
    failed: 0,
  };
  let afterWorkerId = input.afterWorkerId;
  for (let batch = 0; batch < (input.batchesPerRun ?? BATCHES_PER_RUN); batch++) {
    const workerIds = await listInsuredWorkers({ afterWorkerId, limit: input.batchSize });
    if (workerIds.length === 0) return totals;
    const done = await settleInsurancePremiums({ workerIds });
    for (const key of Object.keys(totals) as Array<keyof PremiumRunTotals>) totals[key] += done[key];
    afterWorkerId = workerIds[workerIds.length - 1];
    if (workerIds.length < input.batchSize) return totals;
  }
  return continueAsNew<typeof insurancePremiumsWorkflow>({ ...input, afterWorkerId, totals });
}
