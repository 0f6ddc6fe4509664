import { randomUUID } from 'node:crypto';
import { bearer, createHarness, fundWorker, postWithdrawal, signInWorker, type Harness } from '../helpers/harness';
import { eventually } from '../helpers/loans';

interface Item {
  kind: string;
  amountPaise: number;
  reference: Record<string, string | null>;
}

/** GET /v1/me/history: the worker's money movements straight from the ledger, in the worker's terms. */
describe('money history', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ listen: true, worker: true, env: { OUTBOX_POLL_INTERVAL_MS: '100' } });
  });
  afterAll(() => h.close());

  const history = (token: string, query = '') =>
    h.api.app.inject({ method: 'GET', url: `/v1/me/history${query}`, headers: bearer(token) });

  it('lists earnings, the plan, and a paid withdrawal split into payout and fee, newest first, paged', async () => {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 300_000, plans: ['trio'] });
    const created = await postWithdrawal(h.api.app, worker.token, `hist-${randomUUID()}`, { amountPaise: 100_000 });
    expect(created.statusCode).toBe(201);
    const withdrawalId = created.json<{ id: string }>().id;
    await eventually(
      async () =>
        (
          await h.api.app.inject({
            method: 'GET',
            url: `/v1/withdrawals/${withdrawalId}`,
            headers: bearer(worker.token),
          })
        ).json<{ status: string }>().status,
      (status) => status === 'paid',
      30_000,
    );

    const response = await history(worker.token);
    expect(response.statusCode).toBe(200);
    const body = response.json<{ items: Item[]; nextCursor: string | null }>();
    expect(body.nextCursor).toBeNull();
    expect(body.items.map((i) => [i.kind, i.amountPaise])).toEqual([
      ['withdrawal', -99_600],
      ['fee', -400],
      ['plan', -7_500],
      ['earning', 300_000],
    ]);
    expect(body.items[0]!.reference.withdrawalId).toBe(withdrawalId);
    expect(body.items[2]!.reference.planCode).toBe('trio');
    // The lines add up to the wallet balance: nothing is missing.
    const balance = (
      await h.api.app.inject({ method: 'GET', url: '/v1/me/balance', headers: bearer(worker.token) })
    ).json<{ balancePaise: number }>().balancePaise;
    expect(body.items.reduce((sum, i) => sum + i.amountPaise, 0)).toBe(balance);

    // Pages follow wallet postings: the withdrawal's two lines stay together on one page.
    const first = (await history(worker.token, '?limit=1')).json<{ items: Item[]; nextCursor: string }>();
    expect(first.items.map((i) => i.kind)).toEqual(['withdrawal', 'fee']);
    const second = (await history(worker.token, `?limit=2&cursor=${first.nextCursor}`)).json<{
      items: Item[];
      nextCursor: string | null;
    }>();
    expect(second.items.map((i) => i.kind)).toEqual(['plan', 'earning']);
    expect(second.nextCursor).toBeNull();
  });

  it('shows a worker only their own wallet, and refuses a cursor it did not issue', async () => {
    const other = await signInWorker(h.api.app);
    const response = await history(other.token);
    expect(response.json()).toEqual({ items: [], nextCursor: null });
    expect((await history(other.token, '?cursor=abc')).statusCode).toBe(400);
  });

  it('is in the OpenAPI document a native client is generated from, with the web push routes', async () => {
    const doc = (await h.api.app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(Object.keys(doc.paths['/v1/me/history'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/v1/me/web-push/subscriptions'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1/web-push/public-key'] ?? {})).toEqual(['get']);
  });
});
