/**
 * Ledger throughput: journals posted per second through the ledger service (idempotency lookup, balance check,
 * append-only and balanced-journal triggers, cached balance) against a plain INSERT of the same rows into tables
 * without constraints, both measured here in the same run, sequentially and with concurrent writers.
 *
 *   node --import tsx bench/ledger.ts [journals=3000] [concurrency=16] [wallets=300]
 *
 * Uses a scratch database on DATABASE_URL's server (default: the machine's PostgreSQL) and drops it afterwards.
 */
import { randomUUID } from 'node:crypto';
import { createLedgerRepository } from '../api/db/ledger.repository';
import { createLedgerService, type LedgerService } from '../api/services/ledger.service';
import { inParallel, range, serverUrl, withScratchDatabase } from './scratch-database';

const [journals = 3000, concurrency = 16, walletCount = 300] = process.argv.slice(2).map(Number);

async function main(): Promise<void> {
  await withScratchDatabase('ledger', concurrency, async (db) => {
    const ledger: LedgerService = createLedgerService({ db, ledger: createLedgerRepository(db) });
    const platform = await ledger.platformSettlementOf(randomUUID());
    const wallets: string[] = [];
    for (let i = 0; i < walletCount; i++) {
      const [worker] = await db('workers')
        .insert({ phone: `+91700${String(i).padStart(7, '0')}` })
        .returning<Array<{ id: string }>>('id');
      wallets.push((await ledger.walletOf(worker!.id)).id);
    }
    await db.raw(`
      CREATE TABLE plain_journals (id uuid PRIMARY KEY, kind text, idempotency_key text, request_fingerprint text, created_at timestamptz DEFAULT now());
      CREATE TABLE plain_postings (id bigserial PRIMARY KEY, journal_id uuid, account_id uuid, amount_paise bigint, created_at timestamptz DEFAULT now());`);

    const viaLedger = (i: number) =>
      ledger.postJournal({
        idempotencyKey: `bench-${i}-${randomUUID()}`,
        kind: 'earning',
        postings: [
          { accountId: platform.id, amountPaise: -(2_500 + (i % 2_500)) },
          { accountId: wallets[i % walletCount]!, amountPaise: 2_500 + (i % 2_500) },
        ],
      });
    const plain = (i: number) =>
      db.transaction(async (trx) => {
        const id = randomUUID();
        await trx('plain_journals').insert({
          id,
          kind: 'earning',
          idempotency_key: `bench-${i}`,
          request_fingerprint: 'x',
        });
        await trx('plain_postings').insert([
          { journal_id: id, account_id: platform.id, amount_paise: -(2_500 + (i % 2_500)) },
          { journal_id: id, account_id: wallets[i % walletCount]!, amount_paise: 2_500 + (i % 2_500) },
        ]);
      });

    // Warm up connections and plans, then alternate so neither side gets the warmer cache.
    await inParallel(range(200), concurrency, viaLedger);
    await inParallel(range(200), concurrency, plain);
    const rows: Array<[string, number, number]> = [];
    for (const [label, width] of [
      ['sequential', 1],
      [`${concurrency} concurrent`, concurrency],
    ] as const) {
      const count = width === 1 ? Math.min(journals, 1000) : journals;
      const plainMs = await inParallel(range(count), width, plain);
      const ledgerMs = await inParallel(range(count), width, viaLedger);
      rows.push([label, (count / ledgerMs) * 1000, (count / plainMs) * 1000]);
    }

    const { rows: check } = await db.raw<{ rows: Array<{ unbalanced: number; total: string }> }>(
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM ledger_postings GROUP BY journal_id HAVING sum(amount_paise) <> 0) u)::int AS unbalanced,
              (SELECT coalesce(sum(amount_paise), 0)::text FROM ledger_postings) AS total`,
    );
    console.log(
      `ledger benchmark: ${journals} journals of 2 postings over ${walletCount} wallets, PostgreSQL ${serverUrl.replace(/\/\/[^@]*@/, '//')}`,
    );
    console.log('mode            ledger journals/s   plain INSERT journals/s   ratio');
    for (const [label, ledgerRate, plainRate] of rows) {
      console.log(
        `${label.padEnd(16)}${ledgerRate.toFixed(0).padStart(17)}${plainRate.toFixed(0).padStart(26)}${(ledgerRate / plainRate).toFixed(2).padStart(8)}`,
      );
    }
    console.log(`after the run: ${check[0]!.unbalanced} unbalanced journals, sum of all postings ${check[0]!.total}`);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
