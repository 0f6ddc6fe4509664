import type { Db } from '../api/db/knex';
import type { PayoutRailClient } from '../api/services/payout-rail.client';
import { createReconciliationActivities } from './reconciliation.activities';
import { createWithdrawalActivities } from './withdrawal.activities';

export interface ActivityDeps {
  db: Db;
  rail: PayoutRailClient;
}

/** Every activity the GigBit worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createWithdrawalActivities(deps),
    ...createReconciliationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
