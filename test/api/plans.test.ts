import { randomUUID } from 'node:crypto';
import { createLedgerRepository } from '../../api/db/ledger.repository';
import { createLedgerService, type LedgerService } from '../../api/services/ledger.service';
import { bearer, createHarness, signInWorker, type Harness } from '../helpers/harness';
import { credit } from '../ledger/helpers';

describe('plans', () => {
  let h: Harness;
  let ledger: LedgerService;
  beforeAll(async () => {
    h = await createHarness();
    ledger = createLedgerService({ db: h.database.db, ledger: createLedgerRepository(h.database.db) });
  });
  afterAll(() => h.close());

  async function workerWith(walletPaise: number) {
    const worker = await signInWorker(h.api.app);
    const wallet = await ledger.walletOf(worker.workerId);
    if (walletPaise > 0) {
      await credit(ledger, (await ledger.platformSettlementOf(randomUUID())).id, wallet.id, walletPaise);
    }
    return { ...worker, wallet };
  }
  const buy = (token: string, code: string, key = randomUUID()) =>
    h.api.app.inject({
      method: 'POST',
      url: `/v1/plans/${code}/purchases`,
      headers: { ...bearer(token), 'idempotency-key': key },
    });
  const spendable = async (walletId: string) => (await ledger.balanceOf(walletId)).spendablePaise;

  it('lists Solo, Duo and Trio with caps from the catalog size (4 platforms)', async () => {
    const response = await h.api.app.inject({ method: 'GET', url: '/v1/plans' });
    expect(response.json<{ items: unknown[] }>().items).toEqual([
      expect.objectContaining({ code: 'solo', pricePaise: 2_500, slots: 1, monthlyCap: 4 }),
      expect.objectContaining({ code: 'duo', pricePaise: 5_000, slots: 2, monthlyCap: 2 }),
      expect.objectContaining({ code: 'trio', pricePaise: 7_500, slots: 3, monthlyCap: 1 }),
    ]);
  });

  it('buys a plan from the wallet, once per key', async () => {
    const worker = await workerWith(10_000);
    const key = randomUUID();
    const first = await buy(worker.token, 'duo', key);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ planCode: 'duo', pricePaise: 5_000, slots: 2, active: true });
    const again = await buy(worker.token, 'duo', key);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await spendable(worker.wallet.id)).toBe(5_000);
    const mine = await h.api.app.inject({ method: 'GET', url: '/v1/me/plans', headers: bearer(worker.token) });
    expect(mine.json<{ items: unknown[] }>().items).toHaveLength(1);
  });

  it.each([
    ['a wallet that cannot pay', 2_000, [], 'solo', 'INSUFFICIENT_FUNDS'],
    ['Trio twice in one month (cap 1)', 100_000, ['trio'], 'trio', 'PLAN_CAP_REACHED'],
    ['a fifth slot (4 platforms): Trio then Duo', 100_000, ['trio'], 'duo', 'SLOT_LIMIT_REACHED'],
  ])('refuses %s with the rule, changing nothing', async (_name, wallet, before, code, rule) => {
    const worker = await workerWith(wallet);
    for (const earlier of before) expect((await buy(worker.token, earlier)).statusCode).toBe(201);
    const balance = await spendable(worker.wallet.id);
    const response = await buy(worker.token, code);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ error: { code: rule, message: expect.any(String) } });
    expect(await spendable(worker.wallet.id)).toBe(balance);
    const mine = await h.api.app.inject({ method: 'GET', url: '/v1/me/plans', headers: bearer(worker.token) });
    expect(mine.json<{ items: unknown[] }>().items).toHaveLength(before.length);
  });

  it('ten simultaneous Trio purchases: exactly one succeeds (monthly cap under concurrency)', async () => {
    const worker = await workerWith(100_000);
    const responses = await Promise.all(Array.from({ length: 10 }, () => buy(worker.token, 'trio')));
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(
      responses
        .filter((r) => r.statusCode === 422)
        .every((r) => r.json<{ error: { code: string } }>().error.code === 'PLAN_CAP_REACHED'),
    ).toBe(true);
    expect(await spendable(worker.wallet.id)).toBe(100_000 - 7_500);
  });
});
