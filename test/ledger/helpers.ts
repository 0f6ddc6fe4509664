import { randomUUID } from 'node:crypto';
import { createIdentityRepository } from '../../api/db/identity.repository';
import type { Db } from '../../api/db/knex';
import { createLedgerRepository } from '../../api/db/ledger.repository';
import { createLedgerService, type LedgerService } from '../../api/services/ledger.service';

export function ledgerFor(db: Db): LedgerService {
  return createLedgerService({ db, ledger: createLedgerRepository(db) });
}

let counter = 0;

/** A worker with an open wallet, and (optionally) earnings credited from a platform settlement account. */
export async function workerWithWallet(db: Db, ledger: LedgerService, earningsPaise = 0) {
  const phone = `+9180${String(process.pid % 10000).padStart(4, '0')}${String(++counter).padStart(5, '0')}`;
  const worker = await createIdentityRepository(db).upsertWorkerByPhone(phone);
  const wallet = await ledger.walletOf(worker.id);
  const platform = await ledger.platformSettlementOf(randomUUID());
  if (earningsPaise > 0) await credit(ledger, platform.id, wallet.id, earningsPaise);
  return { workerId: worker.id, wallet, platform };
}

export function credit(
  ledger: LedgerService,
  fromAccountId: string,
  toAccountId: string,
  amountPaise: number,
  key = `earning-${randomUUID()}`,
) {
  return ledger.postJournal({
    idempotencyKey: key,
    kind: 'earning',
    postings: [
      { accountId: fromAccountId, amountPaise: -amountPaise },
      { accountId: toAccountId, amountPaise },
    ],
  });
}

export async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return 'resolved';
}

/** Whole-ledger invariants, straight from SQL (no service code involved). */
export async function ledgerInvariants(db: Db) {
  const unbalanced = await db.raw<{ rows: unknown[] }>(
    `SELECT journal_id FROM ledger_postings GROUP BY journal_id HAVING sum(amount_paise) <> 0 OR count(*) < 2`,
  );
  const total = await db.raw<{ rows: Array<{ total: string | null }> }>(
    `SELECT sum(amount_paise) AS total FROM ledger_postings`,
  );
  const drift = await db.raw<{ rows: unknown[] }>(`
    SELECT a.id FROM ledger_accounts a
    LEFT JOIN (SELECT account_id, sum(amount_paise) AS s FROM ledger_postings GROUP BY account_id) p ON p.account_id = a.id
    LEFT JOIN (SELECT account_id, sum(amount_paise) AS h FROM ledger_holds WHERE status = 'pending' GROUP BY account_id) h
      ON h.account_id = a.id
    WHERE a.constrained AND (a.balance_paise <> coalesce(p.s, 0) OR a.held_paise <> coalesce(h.h, 0))`);
  const negative = await db.raw<{ rows: unknown[] }>(
    `SELECT id FROM ledger_accounts WHERE constrained AND balance_paise - held_paise < 0`,
  );
  return {
    unbalancedJournals: unbalanced.rows.length,
    sumOfAllPostings: Number(total.rows[0]?.total ?? 0),
    cachedBalanceDrift: drift.rows.length,
    negativeWallets: negative.rows.length,
  };
}

export const healthy = { unbalancedJournals: 0, sumOfAllPostings: 0, cachedBalanceDrift: 0, negativeWallets: 0 };
