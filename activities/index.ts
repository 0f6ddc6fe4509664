import type { Config } from '../api/config';
import type { Db } from '../api/db/knex';
import type { PayoutRailClient } from '../api/services/payout-rail.client';
import { createEarningsSyncActivities } from './earnings-sync.activities';
import { createReconciliationActivities } from './reconciliation.activities';
import { createWithdrawalActivities } from './withdrawal.activities';
import { createRequestActivities } from './request.activities';
import { createAccountDeletionActivities } from './account-deletion.activities';
import { createLoanActivities } from './loan.activities';
import { createInsuranceActivities } from './insurance.activities';

export interface ActivityDeps {
  db: Db;
  rail: PayoutRailClient;
  config: Config;
}

/** Every activity the GigBit worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRequestActivities(deps),
    ...createLoanActivities(deps),
    ...createWithdrawalActivities(deps),
    ...createReconciliationActivities(deps),
    ...createEarningsSyncActivities(deps),
    ...createAccountDeletionActivities(deps),
    ...createInsuranceActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
