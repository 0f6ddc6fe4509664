/**
 * Earnings sync throughput: trips credited per second through the real sync path (platform simulator over HTTP →
 * one ledger journal per trip + trip row + cursor per page) for N workers × 2 platforms, against a raw bulk INSERT
 * of the same trips into plain tables, measured in the same run.
 *
 *   node --import tsx bench/sync.ts [workers=2000] [historyDays=2] [concurrency=8]
 *
 * Uses a scratch database on DATABASE_URL's server (default: the machine's PostgreSQL) and drops it afterwards.
 */
import { createLedgerRepository } from '../api/db/ledger.repository';
import { createPlatformRepository } from '../api/db/platform.repository';
import { createEarningsSyncService } from '../api/services/earnings-sync.service';
import { createLedgerService } from '../api/services/ledger.service';
import { startPlatformSimulator, type Trip } from '../simulators/platform';
import { inParallel, range, withScratchDatabase } from './scratch-database';

const [workerCount = 2000, historyDays = 2, concurrency = 8] = process.argv.slice(2).map(Number);

async function main(): Promise<void> {
  const now = new Date();
  const simulator = await startPlatformSimulator({ seed: 'bench', historyDays, now: () => now });
  await withScratchDatabase('sync', concurrency + 2, async (db) => {
    const platforms = createPlatformRepository(db);
    const ledger = createLedgerService({ db, ledger: createLedgerRepository(db) });
    const sync = createEarningsSyncService({
      db,
      platforms,
      ledger,
      config: { PLATFORM_CONNECTOR_URL: simulator.url },
    });
    const [zomato, rapido] = await Promise.all([platforms.findBySlug('zomato'), platforms.findBySlug('rapido')]);

    // Set-up (not timed): workers, a Duo each, and two linked accounts each through the simulator's OTP flow.
    const connectionIds: string[] = [];
    const accounts: Array<{ slug: string; externalAccountId: string }> = [];
    const setupStarted = performance.now();
    await inParallel(range(workerCount), concurrency, async (i) => {
      const phone = `+9170${String(i).padStart(8, '0')}`;
      const [worker] = await db('workers').insert({ phone }).returning<Array<{ id: string }>>('id');
      const journal = await ledger.postJournal({
        idempotencyKey: `bench-plan-${i}`,
        kind: 'adjustment',
        postings: [
          { accountId: (await ledger.platformSettlementOf(zomato!.id)).id, amountPaise: -1 },
          { accountId: (await ledger.walletOf(worker!.id)).id, amountPaise: 1 },
        ],
      });
      const [purchase] = await db('plan_purchases')
        .insert({
          worker_id: worker!.id,
          plan_code: 'duo',
          price_paise: 5_000,
          slots: 2,
          valid_days: 30,
          withdrawals_per_day: 2,
          purchase_ist_day: 0,
          purchase_ist_month: '2026-11',
          purchased_at: now,
          expires_at: new Date(now.getTime() + 30 * 86_400_000),
          journal_id: journal.journal.id,
          idempotency_key: `bench-${i}`,
          request_fingerprint: 'bench',
          commission_per_platform_paise: 1_300,
        })
        .returning<Array<{ id: string }>>('id');
      for (const platform of [zomato!, rapido!]) {
        const base = simulator.baseUrl(platform.slug);
        await fetch(`${base}/otp`, { method: 'POST', body: JSON.stringify({ phone }) });
        const linked = (await (
          await fetch(`${base}/link`, {
            method: 'POST',
            body: JSON.stringify({ phone, otp: simulator.lastOtp(platform.slug, phone) }),
          })
        ).json()) as {
          externalAccountId: string;
        };
        const [connection] = await db('platform_connections')
          .insert({
            worker_id: worker!.id,
            platform_id: platform.id,
            external_account_id: linked.externalAccountId,
            plan_purchase_id: purchase!.id,
          })
          .returning<Array<{ id: string }>>('id');
        connectionIds.push(connection!.id);
        accounts.push({ slug: platform.slug, externalAccountId: linked.externalAccountId });
      }
    });
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    // The same trips, fetched once for the baseline.
    const allTrips: Array<Trip & { slug: string }> = [];
    for (const account of accounts) {
      const page = (await (
        await fetch(`${simulator.baseUrl(account.slug)}/accounts/${account.externalAccountId}/trips?limit=500`)
      ).json()) as { trips: Trip[] };
      allTrips.push(...page.trips.map((t) => ({ ...t, slug: account.slug })));
    }
    await db.raw(`CREATE TABLE plain_trips (platform text, external_trip_id text, amount_paise bigint, completed_at timestamptz, PRIMARY KEY (platform, external_trip_id));
      CREATE TABLE plain_postings (id bigserial PRIMARY KEY, trip text, account text, amount_paise bigint);`);
    const bulkStarted = performance.now();
    for (let i = 0; i < allTrips.length; i += 1000) {
      const chunk = allTrips.slice(i, i + 1000);
      await db.transaction(async (trx) => {
        await trx('plain_trips').insert(
          chunk.map((t) => ({
            platform: t.slug,
            external_trip_id: t.externalTripId,
            amount_paise: t.amountPaise,
            completed_at: t.completedAt,
          })),
        );
        await trx('plain_postings').insert(
          chunk.flatMap((t) => [
            { trip: t.externalTripId, account: 'settlement', amount_paise: -t.amountPaise },
            { trip: t.externalTripId, account: 'wallet', amount_paise: t.amountPaise },
          ]),
        );
      });
    }
    const bulkMs = performance.now() - bulkStarted;

    // The production path: batch activities of 50 accounts, each one transaction; `concurrency` batches in flight.
    const batches: string[][] = [];
    for (let i = 0; i < connectionIds.length; i += 50) batches.push(connectionIds.slice(i, i + 50));
    let credited = 0;
    const syncMs = await inParallel(batches, Math.max(1, Math.floor(concurrency / 2)), async (batch) => {
      // Read the result first: `credited += await …` would read `credited` before the await and lose updates.
      const { results, failed } = await sync.syncBatch(batch);
      if (failed.length) throw new Error(`${failed.length} accounts failed`);
      credited += results.reduce((sum, r) => sum + r.tripsCredited, 0);
    });
    const again = await inParallel(connectionIds.slice(0, 200), concurrency, async (id) => {
      if ((await sync.syncConnection(id)).tripsCredited !== 0) throw new Error('a second sync credited a trip again');
    });

    const syncRate = (credited / syncMs) * 1000;
    const bulkRate = (allTrips.length / bulkMs) * 1000;
    console.log(
      `sync benchmark: ${workerCount} workers × 2 platforms, ${historyDays} days of history, batches of 50 accounts, ${Math.max(1, Math.floor(concurrency / 2))} batches in flight (set-up ${setupSeconds.toFixed(1)} s)`,
    );
    console.log(`trips in the feeds: ${allTrips.length}; credited by the sync: ${credited}`);
    console.log(
      `sync (HTTP feed + journal per trip + cursor): ${syncRate.toFixed(0)} trips/s   raw bulk INSERT: ${bulkRate.toFixed(0)} trips/s   ratio ${(syncRate / bulkRate).toFixed(3)}`,
    );
    console.log(`re-sync of 200 accounts found nothing new in ${(again / 1000).toFixed(2)} s`);
  }).finally(() => simulator.close());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
