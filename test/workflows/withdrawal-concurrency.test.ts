import { createLedgerRepository } from '../../api/db/ledger.repository';
import { createLedgerService } from '../../api/services/ledger.service';
import { withdrawalWorkflowId } from '../../workflows/contracts';
import { createHarness, fundWorker, postWithdrawal, signInWorker, startWorker, type Harness } from '../helpers/harness';
import { healthy, ledgerInvariants } from '../ledger/helpers';

/**
 * 50 simultaneous withdrawal requests from one worker, on real PostgreSQL and real workflows through to the rail.
 * Whatever the interleaving, the accepted ones never exceed the allowance or the balance, every refusal names its
 * rule, and the money adds up to the paisa afterwards.
 */
describe('50 simultaneous withdrawals by one worker', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ listen: true, worker: true });
  });
  afterAll(async () => {
    expect(await ledgerInvariants(h.database.db)).toEqual(healthy);
    await h.close();
  });

  const ledger = () => createLedgerService({ db: h.database.db, ledger: createLedgerRepository(h.database.db) });

  it.each([
    // Trio + Solo give 4 withdrawals today; ₹50,000 covers all of them: the allowance is the limit.
    ['the allowance is the limit', 5_000_000, 300_000, 4, 'ALLOWANCE_USED_UP'],
    // ₹10,000 covers three ₹3,000 withdrawals: the balance is the limit.
    ['the balance is the limit', 1_000_000, 300_000, 3, 'INSUFFICIENT_FUNDS'],
  ])('%s', async (_name, earnings, amount, expectedAccepted, expectedRule) => {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: earnings, plans: ['trio', 'solo'] });
    const wallet = await ledger().walletOf(worker.workerId);
    const start = await ledger().balanceOf(wallet.id);

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        postWithdrawal(h.api.app, worker.token, `concurrent-${i}-${expectedAccepted}`, { amountPaise: amount }),
      ),
    );
    const accepted = responses.filter((r) => r.statusCode === 201);
    const refused = responses.filter((r) => r.statusCode === 422);
    expect(accepted).toHaveLength(expectedAccepted);
    expect(accepted.length + refused.length).toBe(50);
    expect(new Set(refused.map((r) => r.json<{ error: { code: string } }>().error.code))).toEqual(
      new Set([expectedRule]),
    );

    // Every accepted withdrawal runs to the end (auto-approved below ₹5,000, paid through the rail).
    const ids = accepted.map((r) => r.json<{ id: string }>().id);
    const results = await Promise.all(
      ids.map((id) => h.api.temporal.workflow.getHandle(withdrawalWorkflowId(id)).result()),
    );
    expect(results.every((r) => (r as { status: string }).status === 'paid')).toBe(true);

    const end = await ledger().balanceOf(wallet.id);
    expect(end).toEqual({
      balancePaise: start.balancePaise - expectedAccepted * amount,
      heldPaise: 0,
      spendablePaise: start.balancePaise - expectedAccepted * amount,
    });
    const journals = await h.database
      .db('ledger_journals')
      .where({ kind: 'withdrawal' })
      .whereRaw(`metadata->>'withdrawalId' = ANY(?)`, [ids]);
    expect(journals).toHaveLength(expectedAccepted);
    const rail = [...h.rail.payouts.values()].filter((p) => ids.includes(p.reference));
    expect(rail.map((p) => p.amountPaise)).toEqual(ids.map(() => amount - 400));
  });
});

describe('a worker process stopping mid-payout', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ listen: true, worker: true });
  });
  afterAll(() => h.close());

  // Up to the old worker's 10 s drain plus the sticky task queue's timeout before the new worker takes over.
  it('another worker finishes the withdrawal: paid once, posted once', async () => {
    // The rail takes a while, so the first worker is gone while the payout is in flight.
    h.rail.setBehaviour({ delayMs: 1_500 });
    const rider = await signInWorker(h.api.app);
    await fundWorker(h, rider, { earningsPaise: 1_000_000 });
    const created = await postWithdrawal(h.api.app, rider.token, 'crash-key-01', { amountPaise: 300_000 });
    const { id } = created.json<{ id: string }>();
    const handle = h.api.temporal.workflow.getHandle(withdrawalWorkflowId(id));
    const deadline = Date.now() + 10_000;
    while (((await h.database.db('withdrawals').where({ id }).first()) as { status: string }).status !== 'paying') {
      if (Date.now() > deadline) throw new Error('never reached paying');
      await new Promise((r) => setTimeout(r, 50));
    }
    await h.worker!.stop();
    const replacement = await startWorker(h.config, h.database);
    try {
      expect(await handle.result()).toMatchObject({ status: 'paid' });
    } finally {
      await replacement.stop();
    }
    expect([...h.rail.payouts.values()].filter((p) => p.reference === id)).toHaveLength(1);
    const journals = await h.database.db('ledger_journals').whereRaw(`metadata->>'withdrawalId' = ?`, [id]);
    expect(journals).toHaveLength(1);
    const wallet = await ledger().balanceOf((await ledger().walletOf(rider.workerId)).id);
    expect(wallet).toEqual({
      balancePaise: 1_000_000 - 7_500 - 300_000,
      heldPaise: 0,
      spendablePaise: 1_000_000 - 7_500 - 300_000,
    });
  }, 60_000);

  const ledger = () => createLedgerService({ db: h.database.db, ledger: createLedgerRepository(h.database.db) });
});
