import { randomUUID } from 'node:crypto';
import type { LedgerService } from '../../api/services/ledger.service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { credit, errorCodeOf, healthy, ledgerFor, ledgerInvariants, workerWithWallet } from './helpers';

let database: TestDatabase;
let ledger: LedgerService;

beforeAll(async () => {
  database = await createTestDatabase();
  ledger = ledgerFor(database.db);
});
afterAll(async () => {
  expect(await ledgerInvariants(database.db)).toEqual(healthy);
  await database.drop();
});

const sqlError = async (sql: string, bindings: unknown[] = []) => {
  try {
    await database.db.transaction(async (trx) => {
      await trx.raw(sql, bindings as never[]);
    });
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('the database enforces the money invariants by itself', () => {
  it('refuses to change or remove a posting or a journal', async () => {
    const { wallet } = await workerWithWallet(database.db, ledger, 50_000);
    const { rows } = await database.db.raw<{ rows: Array<{ id: number; journal_id: string }> }>(
      'SELECT id, journal_id FROM ledger_postings WHERE account_id = ? LIMIT 1',
      [wallet.id],
    );
    const posting = rows[0]!;
    expect(await sqlError('UPDATE ledger_postings SET amount_paise = 1 WHERE id = ?', [posting.id])).toMatch(
      /append-only/,
    );
    expect(await sqlError('DELETE FROM ledger_postings WHERE id = ?', [posting.id])).toMatch(/append-only/);
    expect(await sqlError('TRUNCATE ledger_postings CASCADE')).toMatch(/append-only/);
    expect(await sqlError(`UPDATE ledger_journals SET kind = 'x' WHERE id = ?`, [posting.journal_id])).toMatch(
      /append-only/,
    );
    expect(await sqlError('DELETE FROM ledger_journals WHERE id = ?', [posting.journal_id])).toMatch(/append-only/);
  });

  it('refuses an unbalanced journal, a one-legged journal and an unbalancing late posting, at commit', async () => {
    const { wallet, platform } = await workerWithWallet(database.db, ledger);
    const journal = (key: string) =>
      `WITH j AS (INSERT INTO ledger_journals (kind, idempotency_key, request_fingerprint) VALUES ('adjustment', '${key}', 'x') RETURNING id)`;
    expect(
      await sqlError(
        `${journal(randomUUID())} INSERT INTO ledger_postings (journal_id, account_id, amount_paise)
         SELECT id, ?::uuid, -100 FROM j UNION ALL SELECT id, ?::uuid, 99 FROM j`,
        [platform.id, wallet.id],
      ),
    ).toMatch(/unbalanced/);
    expect(
      await sqlError(
        `${journal(randomUUID())} INSERT INTO ledger_postings (journal_id, account_id, amount_paise) SELECT id, ?::uuid, 100 FROM j`,
        [wallet.id],
      ),
    ).toMatch(/unbalanced/);
    expect(
      await sqlError(
        `INSERT INTO ledger_journals (kind, idempotency_key, request_fingerprint) VALUES ('adjustment', ?, 'x')`,
        [randomUUID()],
      ),
    ).toMatch(/unbalanced/);
    const { journal: balanced } = await credit(ledger, platform.id, wallet.id, 1_000);
    expect(
      await sqlError('INSERT INTO ledger_postings (journal_id, account_id, amount_paise) VALUES (?, ?, 5)', [
        balanced.id,
        wallet.id,
      ]),
    ).toMatch(/unbalanced/);
  });

  it('refuses to take a wallet below zero, holds included, even by hand-written SQL', async () => {
    const { wallet, platform } = await workerWithWallet(database.db, ledger, 10_000);
    const overdraw = `WITH j AS (INSERT INTO ledger_journals (kind, idempotency_key, request_fingerprint) VALUES ('adjustment', '${randomUUID()}', 'x') RETURNING id)
      INSERT INTO ledger_postings (journal_id, account_id, amount_paise) SELECT id, ?::uuid, -10001 FROM j UNION ALL SELECT id, ?::uuid, 10001 FROM j`;
    expect(await sqlError(overdraw, [wallet.id, platform.id])).toMatch(/ledger_accounts_spendable_not_negative/);
    await ledger.placeHold({ idempotencyKey: randomUUID(), accountId: wallet.id, amountPaise: 6_000 });
    const spendMoreThanUnheld = overdraw.replace(/10001/g, '4001');
    expect(await sqlError(spendMoreThanUnheld, [wallet.id, platform.id])).toMatch(
      /ledger_accounts_spendable_not_negative/,
    );
    expect(await sqlError('UPDATE ledger_accounts SET balance_paise = -1 WHERE id = ?', [wallet.id])).toMatch(
      /spendable_not_negative/,
    );
  });

  it('resolves a hold once, and never changes its amount', async () => {
    const { wallet } = await workerWithWallet(database.db, ledger, 10_000);
    const { hold } = await ledger.placeHold({ idempotencyKey: randomUUID(), accountId: wallet.id, amountPaise: 2_000 });
    expect(await sqlError('UPDATE ledger_holds SET amount_paise = 1 WHERE id = ?', [hold.id])).toMatch(/never change/);
    await ledger.voidHold(hold.id);
    expect(
      await sqlError(`UPDATE ledger_holds SET status = 'pending', resolved_at = NULL WHERE id = ?`, [hold.id]),
    ).toMatch(/already voided/);
    expect(await sqlError('DELETE FROM ledger_holds WHERE id = ?', [hold.id])).toMatch(/append-only/);
  });
});

describe('ledger service', () => {
  it('credits earnings, reserves with a hold, then posts it to its destinations', async () => {
    const { wallet } = await workerWithWallet(database.db, ledger, 100_000);
    const clearing = await ledger.systemAccount('payout_clearing');
    const fees = await ledger.systemAccount('fee_revenue');
    const before = { clearing: await ledger.balanceOf(clearing.id), fees: await ledger.balanceOf(fees.id) };

    const { hold } = await ledger.placeHold({
      idempotencyKey: randomUUID(),
      accountId: wallet.id,
      amountPaise: 30_000,
    });
    expect(await ledger.balanceOf(wallet.id)).toEqual({
      balancePaise: 100_000,
      heldPaise: 30_000,
      spendablePaise: 70_000,
    });

    const { journal } = await ledger.postHold({
      holdId: hold.id,
      idempotencyKey: randomUUID(),
      kind: 'withdrawal',
      credits: [
        { accountId: clearing.id, amountPaise: 29_600 },
        { accountId: fees.id, amountPaise: 400 },
      ],
    });
    expect(journal.postings).toHaveLength(3);
    expect(await ledger.balanceOf(wallet.id)).toEqual({ balancePaise: 70_000, heldPaise: 0, spendablePaise: 70_000 });
    expect((await ledger.balanceOf(clearing.id)).balancePaise - before.clearing.balancePaise).toBe(29_600);
    expect((await ledger.balanceOf(fees.id)).balancePaise - before.fees.balancePaise).toBe(400);
  });

  it('posts a hold that reserves the whole balance (the reservation is released before the debit)', async () => {
    const { wallet } = await workerWithWallet(database.db, ledger, 25_000);
    const clearing = await ledger.systemAccount('payout_clearing');
    const { hold } = await ledger.placeHold({
      idempotencyKey: randomUUID(),
      accountId: wallet.id,
      amountPaise: 25_000,
    });
    await ledger.postHold({
      holdId: hold.id,
      idempotencyKey: randomUUID(),
      kind: 'withdrawal',
      credits: [{ accountId: clearing.id, amountPaise: 25_000 }],
    });
    expect(await ledger.balanceOf(wallet.id)).toEqual({ balancePaise: 0, heldPaise: 0, spendablePaise: 0 });
  });

  it('voids a hold once; a voided hold cannot be posted, a posted one cannot be voided', async () => {
    const { wallet } = await workerWithWallet(database.db, ledger, 10_000);
    const clearing = await ledger.systemAccount('payout_clearing');
    const { hold } = await ledger.placeHold({ idempotencyKey: randomUUID(), accountId: wallet.id, amountPaise: 4_000 });
    expect((await ledger.voidHold(hold.id)).status).toBe('voided');
    expect((await ledger.voidHold(hold.id)).status).toBe('voided');
    const post = () =>
      ledger.postHold({
        holdId: hold.id,
        idempotencyKey: randomUUID(),
        kind: 'withdrawal',
        credits: [{ accountId: clearing.id, amountPaise: 4_000 }],
      });
    expect(await errorCodeOf(post())).toBe('HOLD_ALREADY_RESOLVED');
    expect(await ledger.balanceOf(wallet.id)).toEqual({ balancePaise: 10_000, heldPaise: 0, spendablePaise: 10_000 });

    const { hold: second } = await ledger.placeHold({
      idempotencyKey: randomUUID(),
      accountId: wallet.id,
      amountPaise: 4_000,
    });
    await ledger.postHold({
      holdId: second.id,
      idempotencyKey: randomUUID(),
      kind: 'withdrawal',
      credits: [{ accountId: clearing.id, amountPaise: 4_000 }],
    });
    expect(await errorCodeOf(ledger.voidHold(second.id))).toBe('HOLD_ALREADY_RESOLVED');
  });

  it('replays a request under the same key and refuses a different one', async () => {
    const { wallet, platform } = await workerWithWallet(database.db, ledger);
    const key = randomUUID();
    const first = await credit(ledger, platform.id, wallet.id, 7_000, key);
    const again = await credit(ledger, platform.id, wallet.id, 7_000, key);
    expect(again).toEqual({ journal: first.journal, replayed: true });
    expect(await errorCodeOf(credit(ledger, platform.id, wallet.id, 7_001, key))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await ledger.balanceOf(wallet.id)).balancePaise).toBe(7_000);
  });

  it('remembers a refusal: a retry never turns it into a success', async () => {
    const { wallet, platform } = await workerWithWallet(database.db, ledger, 1_000);
    const key = randomUUID();
    const hold = () => ledger.placeHold({ idempotencyKey: key, accountId: wallet.id, amountPaise: 5_000 });
    expect(await errorCodeOf(hold())).toBe('INSUFFICIENT_FUNDS');
    await credit(ledger, platform.id, wallet.id, 10_000);
    expect(await errorCodeOf(hold())).toBe('INSUFFICIENT_FUNDS');
    expect(await ledger.balanceOf(wallet.id)).toEqual({ balancePaise: 11_000, heldPaise: 0, spendablePaise: 11_000 });
    const other = await ledger.placeHold({ idempotencyKey: randomUUID(), accountId: wallet.id, amountPaise: 5_000 });
    expect(other.hold.status).toBe('pending');
  });

  it('refuses journals that do not balance before touching the database', async () => {
    const { wallet, platform } = await workerWithWallet(database.db, ledger);
    const bad = [
      [{ accountId: wallet.id, amountPaise: 100 }],
      [
        { accountId: wallet.id, amountPaise: 100 },
        { accountId: platform.id, amountPaise: -99 },
      ],
      [
        { accountId: wallet.id, amountPaise: 0.5 },
        { accountId: platform.id, amountPaise: -0.5 },
      ],
    ];
    for (const postings of bad) {
      expect(
        await errorCodeOf(ledger.postJournal({ idempotencyKey: randomUUID(), kind: 'adjustment', postings })),
      ).toBe('VALIDATION_FAILED');
    }
  });

  it('corrects with a reversal journal, once, and never into an overdraft', async () => {
    const { wallet, platform } = await workerWithWallet(database.db, ledger);
    const { journal } = await credit(ledger, platform.id, wallet.id, 8_000);
    const reversal = await ledger.reverseJournal({ journalId: journal.id, idempotencyKey: randomUUID() });
    expect(reversal.journal).toMatchObject({ kind: 'reversal', reversesJournalId: journal.id });
    expect((await ledger.balanceOf(wallet.id)).balancePaise).toBe(0);
    expect(await errorCodeOf(ledger.reverseJournal({ journalId: journal.id, idempotencyKey: randomUUID() }))).toBe(
      'ALREADY_REVERSED',
    );

    const spent = await credit(ledger, platform.id, wallet.id, 8_000);
    await ledger.placeHold({ idempotencyKey: randomUUID(), accountId: wallet.id, amountPaise: 5_000 });
    expect(
      await errorCodeOf(ledger.reverseJournal({ journalId: spent.journal.id, idempotencyKey: randomUUID() })),
    ).toBe('INSUFFICIENT_FUNDS');
  });

  it('leaves the caller transaction usable after a refusal (savepoint)', async () => {
    const { wallet, platform } = await workerWithWallet(database.db, ledger, 1_000);
    await database.db.transaction(async (trx) => {
      expect(
        await errorCodeOf(
          ledger.placeHold({ idempotencyKey: randomUUID(), accountId: wallet.id, amountPaise: 9_000 }, trx),
        ),
      ).toBe('INSUFFICIENT_FUNDS');
      await credit(ledger, platform.id, wallet.id, 500).then(() => undefined);
      await trx.raw('select 1');
    });
    expect((await ledger.balanceOf(wallet.id)).balancePaise).toBe(1_500);
  });
});

describe('concurrency on real PostgreSQL', () => {
  it('50 simultaneous holds never exceed the balance: survivors and refusals add up exactly', async () => {
    const { wallet } = await workerWithWallet(database.db, ledger, 200_000);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        ledger.placeHold({ idempotencyKey: randomUUID(), accountId: wallet.id, amountPaise: 30_000 }),
      ),
    );
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(accepted).toHaveLength(6);
    expect(refused.map((r) => r.reason as { code: string }).every((e) => e.code === 'INSUFFICIENT_FUNDS')).toBe(true);
    expect(await ledger.balanceOf(wallet.id)).toEqual({
      balancePaise: 200_000,
      heldPaise: 180_000,
      spendablePaise: 20_000,
    });
  });

  it('20 simultaneous requests under one key write one journal', async () => {
    const { wallet, platform } = await workerWithWallet(database.db, ledger);
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => credit(ledger, platform.id, wallet.id, 3_000, key)),
    );
    expect(new Set(results.map((r) => r.journal.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect((await ledger.balanceOf(wallet.id)).balancePaise).toBe(3_000);
  });

  it('a simultaneous post and void of one hold: exactly one wins', async () => {
    const { wallet } = await workerWithWallet(database.db, ledger, 10_000);
    const clearing = await ledger.systemAccount('payout_clearing');
    const { hold } = await ledger.placeHold({
      idempotencyKey: randomUUID(),
      accountId: wallet.id,
      amountPaise: 10_000,
    });
    const [posted, voided] = await Promise.allSettled([
      ledger.postHold({
        holdId: hold.id,
        idempotencyKey: randomUUID(),
        kind: 'withdrawal',
        credits: [{ accountId: clearing.id, amountPaise: 10_000 }],
      }),
      ledger.voidHold(hold.id),
    ]);
    expect([posted.status, voided.status].sort()).toEqual(['fulfilled', 'rejected']);
    const balance = await ledger.balanceOf(wallet.id);
    expect(balance.heldPaise).toBe(0);
    expect(balance.balancePaise).toBe(posted.status === 'fulfilled' ? 0 : 10_000);
  });
});
