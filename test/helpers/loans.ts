import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createLedgerRepository } from '../../api/db/ledger.repository';
import { createLedgerService } from '../../api/services/ledger.service';
import { bearer, fundWorker, type Harness } from './harness';

const DAY_MS = 86_400_000;

/** A tiny valid PDF header: the document service recognises files by their bytes. */
export const PDF_BYTES = Buffer.from('%PDF-1.4\n% GigBit test proof\n');

export async function uploadDocument(
  app: FastifyInstance,
  token: string,
  purpose: 'loan_proof' | 'claim_proof' = 'loan_proof',
  bytes: Buffer = PDF_BYTES,
  contentType = 'application/pdf',
): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: `/v1/documents?purpose=${purpose}`,
    headers: { ...bearer(token), 'content-type': contentType },
    payload: bytes,
  });
  if (response.statusCode !== 201) throw new Error(`upload failed: ${response.body}`);
  return response.json<{ id: string }>().id;
}

/** A loan application with a freshly uploaded proof, as the app sends it. */
export async function applyForLoan(app: FastifyInstance, token: string, amountPaise: number, key = randomUUID()) {
  const documentId = await uploadDocument(app, token);
  return app.inject({
    method: 'POST',
    url: '/v1/loans',
    headers: { ...bearer(token), 'idempotency-key': key },
    payload: { amountPaise, documentId },
  });
}

export function decideRequest(
  app: FastifyInstance,
  token: string,
  requestId: string,
  body: { decision: 'approve' | 'reject'; reason?: string; comment?: string },
) {
  return app.inject({
    method: 'POST',
    url: `/v1/admin/requests/${requestId}/decision`,
    headers: bearer(token),
    payload: body,
  });
}

/**
 * A worker with a history, the way syncs leave it: registered `registeredDaysAgo` days ago, a connected platform,
 * and one credited trip (ledger journal + trip row) on each of the given days. Returns nothing; eligibility reads
 * the trips.
 */
export async function seedEarningHistory(
  h: Pick<Harness, 'api' | 'database'>,
  worker: { token: string; workerId: string },
  options: { registeredDaysAgo: number; days: number; perDayPaise: number },
): Promise<void> {
  const { db } = h.database;
  // A Solo plan gives the platform its slot, paid by exactly its price so the wallet then holds only trip money.
  await fundWorker(h, worker, { earningsPaise: 2_500, plans: ['solo'] });
  const ledger = createLedgerService({ db, ledger: createLedgerRepository(db) });
  const platform: { id: string } = await db('platforms').where({ slug: 'zomato' }).first('id');
  const now = Date.now();
  await db('workers')
    .where({ id: worker.workerId })
    .update({ created_at: new Date(now - options.registeredDaysAgo * DAY_MS) });
  const purchase: { id: string } = await db('plan_purchases').where({ worker_id: worker.workerId }).first('id');
  const [connection] = await db('platform_connections')
    .insert({
      worker_id: worker.workerId,
      platform_id: platform.id,
      external_account_id: `seed-${randomUUID()}`,
      plan_purchase_id: purchase.id,
    })
    .returning<Array<{ id: string }>>('id');
  await db.transaction(async (trx) => {
    const wallet = await ledger.walletOf(worker.workerId, trx);
    const settlement = await ledger.platformSettlementOf(platform.id, trx);
    const trips = Array.from({ length: options.days }, (_, i) => ({
      key: `seed-trip-${randomUUID()}`,
      completedAt: new Date(now - (i + 1) * DAY_MS),
    }));
    const journals = await ledger.postJournals(
      trips.map((t) => ({
        idempotencyKey: t.key,
        kind: 'earning' as const,
        postings: [
          { accountId: settlement.id, amountPaise: -options.perDayPaise },
          { accountId: wallet.id, amountPaise: options.perDayPaise },
        ],
      })),
      trx,
    );
    await trx('platform_trips').insert(
      trips.map((t) => ({
        platform_id: platform.id,
        external_trip_id: t.key,
        connection_id: connection!.id,
        worker_id: worker.workerId,
        amount_paise: options.perDayPaise,
        completed_at: t.completedAt,
        journal_id: journals.get(t.key),
      })),
    );
  });
}

/** Polls until `check` holds (workflows act asynchronously after an API answer). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
