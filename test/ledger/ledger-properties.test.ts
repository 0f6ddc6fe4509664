import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { LedgerService } from '../../api/services/ledger.service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { errorCodeOf, healthy, ledgerFor, ledgerInvariants, workerWithWallet } from './helpers';

/**
 * Property-based: random sequences of earnings, holds, posts, voids, plan purchases, reversals and retries run
 * against the real ledger on PostgreSQL and against a tiny in-memory model. After every step the database must
 * agree with the model, every journal must balance, all postings must sum to zero and no wallet may be negative.
 */
type Op =
  | { op: 'earn'; worker: number; amount: number }
  | { op: 'hold'; worker: number; amount: number }
  | { op: 'post'; hold: number; fee: number }
  | { op: 'void'; hold: number }
  | { op: 'buyPlan'; worker: number; price: number }
  | { op: 'reverse'; journal: number }
  | { op: 'retry'; step: number };

const WORKERS = 2;
const ops: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('earn' as const),
    worker: fc.nat(WORKERS - 1),
    amount: fc.integer({ min: 1, max: 50_000 }),
  }),
  fc.record({
    op: fc.constant('hold' as const),
    worker: fc.nat(WORKERS - 1),
    amount: fc.integer({ min: 1, max: 60_000 }),
  }),
  fc.record({ op: fc.constant('post' as const), hold: fc.nat(20), fee: fc.integer({ min: 0, max: 400 }) }),
  fc.record({ op: fc.constant('void' as const), hold: fc.nat(20) }),
  fc.record({
    op: fc.constant('buyPlan' as const),
    worker: fc.nat(WORKERS - 1),
    price: fc.constantFrom(2_500, 5_000, 7_500),
  }),
  fc.record({ op: fc.constant('reverse' as const), journal: fc.nat(20) }),
  fc.record({ op: fc.constant('retry' as const), step: fc.nat(30) }),
);

interface ModelAccount {
  balance: number;
  held: number;
}

describe('ledger properties', () => {
  let database: TestDatabase;
  let ledger: LedgerService;
  beforeAll(async () => {
    database = await createTestDatabase();
    ledger = ledgerFor(database.db);
  });
  afterAll(() => database.drop());

  it('keeps every invariant and matches the model under random operation sequences', async () => {
    const clearing = await ledger.systemAccount('payout_clearing');
    const fees = await ledger.systemAccount('fee_revenue');
    const revenue = await ledger.systemAccount('subscription_revenue');

    await fc.assert(
      fc.asyncProperty(fc.array(ops, { minLength: 1, maxLength: 40 }), async (sequence) => {
        const workers = await Promise.all(Array.from({ length: WORKERS }, () => workerWithWallet(database.db, ledger)));
        const model = new Map<string, ModelAccount>(workers.map((w) => [w.wallet.id, { balance: 0, held: 0 }]));
        const holds: Array<{ id: string; accountId: string; amount: number; status: 'pending' | 'posted' | 'voided' }> =
          [];
        const journals: Array<{ id: string; deltas: Map<string, number>; reversed: boolean }> = [];
        const done: Array<{ run: () => Promise<unknown>; outcome: string }> = [];

        const spendable = (accountId: string) => model.get(accountId)!.balance - model.get(accountId)!.held;
        const applyJournal = (id: string, postings: Array<{ accountId: string; amountPaise: number }>) => {
          const deltas = new Map(postings.map((p) => [p.accountId, p.amountPaise]));
          for (const [accountId, delta] of deltas) {
            const account = model.get(accountId);
            if (account) account.balance += delta;
          }
          journals.push({ id, deltas, reversed: false });
        };
        const outcomeOf = async (run: () => Promise<unknown>): Promise<string> => {
          const code = await errorCodeOf(run());
          done.push({ run, outcome: code });
          return code;
        };

        for (const step of sequence) {
          switch (step.op) {
            case 'earn': {
              const w = workers[step.worker]!;
              const postings = [
                { accountId: w.platform.id, amountPaise: -step.amount },
                { accountId: w.wallet.id, amountPaise: step.amount },
              ];
              const key = randomUUID();
              let journalId = '';
              const run = () =>
                ledger
                  .postJournal({ idempotencyKey: key, kind: 'earning', postings })
                  .then((r) => (journalId = r.journal.id));
              expect(await outcomeOf(run)).toBe('resolved');
              applyJournal(journalId, postings);
              break;
            }
            case 'hold': {
              const w = workers[step.worker]!;
              const expected = spendable(w.wallet.id) >= step.amount ? 'resolved' : 'INSUFFICIENT_FUNDS';
              const key = randomUUID();
              let holdId = '';
              const run = () =>
                ledger
                  .placeHold({ idempotencyKey: key, accountId: w.wallet.id, amountPaise: step.amount })
                  .then((r) => (holdId = r.hold.id));
              expect(await outcomeOf(run)).toBe(expected);
              if (expected === 'resolved') {
                model.get(w.wallet.id)!.held += step.amount;
                holds.push({ id: holdId, accountId: w.wallet.id, amount: step.amount, status: 'pending' });
              }
              break;
            }
            case 'post': {
              const hold = holds[step.hold % Math.max(holds.length, 1)];
              if (!hold) break;
              const fee = Math.min(step.fee, hold.amount - 1);
              const credits =
                fee > 0
                  ? [
                      { accountId: clearing.id, amountPaise: hold.amount - fee },
                      { accountId: fees.id, amountPaise: fee },
                    ]
                  : [{ accountId: clearing.id, amountPaise: hold.amount }];
              const expected = hold.status === 'pending' ? 'resolved' : 'HOLD_ALREADY_RESOLVED';
              const key = randomUUID();
              let journalId = '';
              const run = () =>
                ledger
                  .postHold({ holdId: hold.id, idempotencyKey: key, kind: 'withdrawal', credits })
                  .then((r) => (journalId = r.journal.id));
              expect(await outcomeOf(run)).toBe(expected);
              if (expected === 'resolved') {
                hold.status = 'posted';
                model.get(hold.accountId)!.held -= hold.amount;
                applyJournal(journalId, [{ accountId: hold.accountId, amountPaise: -hold.amount }, ...credits]);
              }
              break;
            }
            case 'void': {
              const hold = holds[step.hold % Math.max(holds.length, 1)];
              if (!hold) break;
              const expected = hold.status === 'posted' ? 'HOLD_ALREADY_RESOLVED' : 'resolved';
              expect(await outcomeOf(() => ledger.voidHold(hold.id))).toBe(expected);
              if (hold.status === 'pending') {
                hold.status = 'voided';
                model.get(hold.accountId)!.held -= hold.amount;
              }
              break;
            }
            case 'buyPlan': {
              const w = workers[step.worker]!;
              const postings = [
                { accountId: w.wallet.id, amountPaise: -step.price },
                { accountId: revenue.id, amountPaise: step.price },
              ];
              const expected = spendable(w.wallet.id) >= step.price ? 'resolved' : 'INSUFFICIENT_FUNDS';
              const key = randomUUID();
              let journalId = '';
              const run = () =>
                ledger
                  .postJournal({ idempotencyKey: key, kind: 'plan_purchase', postings })
                  .then((r) => (journalId = r.journal.id));
              expect(await outcomeOf(run)).toBe(expected);
              if (expected === 'resolved') applyJournal(journalId, postings);
              break;
            }
            case 'reverse': {
              const original = journals[step.journal % Math.max(journals.length, 1)];
              if (!original) break;
              const fits = [...original.deltas].every(([accountId, delta]) => {
                const account = model.get(accountId);
                return !account || (account.balance - delta >= 0 && account.balance - delta - account.held >= 0);
              });
              const expected = original.reversed ? 'ALREADY_REVERSED' : fits ? 'resolved' : 'INSUFFICIENT_FUNDS';
              const key = randomUUID();
              let journalId = '';
              const run = () =>
                ledger
                  .reverseJournal({ journalId: original.id, idempotencyKey: key })
                  .then((r) => (journalId = r.journal.id));
              expect(await outcomeOf(run)).toBe(expected);
              if (expected === 'resolved') {
                original.reversed = true;
                applyJournal(
                  journalId,
                  [...original.deltas].map(([accountId, delta]) => ({ accountId, amountPaise: -delta })),
                );
              }
              break;
            }
            case 'retry': {
              // Same key, same request: the same outcome, whatever happened since (failures stay failures).
              const earlier = done[step.step % Math.max(done.length, 1)];
              if (!earlier) break;
              const again = await errorCodeOf(earlier.run());
              expect(again).toBe(earlier.outcome);
              break;
            }
          }

          for (const [accountId, expected] of model) {
            const actual = await ledger.balanceOf(accountId);
            expect({ balance: actual.balancePaise, held: actual.heldPaise }).toEqual(expected);
          }
          expect(await ledgerInvariants(database.db)).toEqual(healthy);
        }
      }),
      { numRuns: 60 },
    );
  });
});
