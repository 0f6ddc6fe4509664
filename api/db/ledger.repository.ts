import type { Knex } from 'knex';
import type { PostingInput } from '../domain/journal';
import type { Db } from './knex';

export type AccountKind =
  | 'wallet'
  | 'loan'
  | 'platform_settlement'
  | 'commission_payable'
  | 'payout_clearing'
  | 'fee_revenue'
  | 'subscription_revenue'
  | 'insurance_pool'
  | 'loan_funding';

export type SystemAccountKind =
  'payout_clearing' | 'fee_revenue' | 'subscription_revenue' | 'insurance_pool' | 'loan_funding';

export interface LedgerAccount {
  id: string;
  code: string;
  kind: AccountKind;
  workerId: string | null;
  platformId: string | null;
  constrained: boolean;
}

export interface Journal {
  id: string;
  kind: string;
  idempotencyKey: string;
  requestFingerprint: string;
  reversesJournalId: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  postings: PostingInput[];
}

export type HoldStatus = 'pending' | 'posted' | 'voided';

export interface Hold {
  id: string;
  accountId: string;
  amountPaise: number;
  status: HoldStatus;
  idempotencyKey: string;
  requestFingerprint: string;
  journalId: string | null;
  description: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
}

export interface FailedRequest {
  idempotencyKey: string;
  requestFingerprint: string;
  errorCode: string;
  message: string;
}

interface AccountRow {
  id: string;
  code: string;
  kind: AccountKind;
  worker_id: string | null;
  platform_id: string | null;
  constrained: boolean;
}
interface JournalRow {
  id: string;
  kind: string;
  idempotency_key: string;
  request_fingerprint: string;
  reverses_journal_id: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
}
interface HoldRow {
  id: string;
  account_id: string;
  amount_paise: number;
  status: HoldStatus;
  idempotency_key: string;
  request_fingerprint: string;
  journal_id: string | null;
  description: string | null;
  created_at: Date;
  resolved_at: Date | null;
}

const toAccount = (r: AccountRow): LedgerAccount => ({
  id: r.id,
  code: r.code,
  kind: r.kind,
  workerId: r.worker_id,
  platformId: r.platform_id,
  constrained: r.constrained,
});
const toHold = (r: HoldRow): Hold => ({
  id: r.id,
  accountId: r.account_id,
  amountPaise: r.amount_paise,
  status: r.status,
  idempotencyKey: r.idempotency_key,
  requestFingerprint: r.request_fingerprint,
  journalId: r.journal_id,
  description: r.description,
  createdAt: r.created_at,
  resolvedAt: r.resolved_at,
});

export interface NewJournal {
  kind: string;
  idempotencyKey: string;
  requestFingerprint: string;
  reversesJournalId?: string;
  description?: string;
  metadata?: Record<string, unknown>;
  postings: PostingInput[];
}

export function createLedgerRepository(db: Db) {
  const q = (trx?: Knex.Transaction) => trx ?? db;

  async function postingsOf(journalId: string, trx?: Knex.Transaction): Promise<PostingInput[]> {
    const rows = await q(trx)<{ journal_id: string; account_id: string; amount_paise: number }>('ledger_postings')
      .where({ journal_id: journalId })
      .orderBy('id')
      .select('account_id', 'amount_paise');
    return rows.map((r) => ({ accountId: r.account_id, amountPaise: r.amount_paise }));
  }

  async function toJournal(row: JournalRow, trx?: Knex.Transaction): Promise<Journal> {
    return {
      id: row.id,
      kind: row.kind,
      idempotencyKey: row.idempotency_key,
      requestFingerprint: row.request_fingerprint,
      reversesJournalId: row.reverses_journal_id,
      description: row.description,
      metadata: row.metadata,
      createdAt: row.created_at,
      postings: await postingsOf(row.id, trx),
    };
  }

  return {
    async systemAccount(kind: SystemAccountKind, trx?: Knex.Transaction): Promise<LedgerAccount> {
      const row = await q(trx)<AccountRow>('ledger_accounts').where({ code: kind }).first();
      if (!row) throw new Error(`system account ${kind} is missing: run the migrations`);
      return toAccount(row);
    },

    async findAccount(id: string, trx?: Knex.Transaction): Promise<LedgerAccount | undefined> {
      const row = await q(trx)<AccountRow>('ledger_accounts').where({ id }).first();
      return row ? toAccount(row) : undefined;
    },

    /** Opens (or finds) an account by its unique code. */
    async ensureAccount(
      input: { code: string; kind: AccountKind; workerId?: string; platformId?: string; constrained: boolean },
      trx?: Knex.Transaction,
    ): Promise<LedgerAccount> {
      // Read first: accounts exist after their first use, and an upsert would write on every call.
      const existing = await q(trx)<AccountRow>('ledger_accounts').where({ code: input.code }).first();
      if (existing) return toAccount(existing);
      await q(trx)('ledger_accounts')
        .insert({
          code: input.code,
          kind: input.kind,
          worker_id: input.workerId ?? null,
          platform_id: input.platformId ?? null,
          constrained: input.constrained,
        })
        .onConflict('code')
        .ignore();
      return toAccount((await q(trx)<AccountRow>('ledger_accounts').where({ code: input.code }).first())!);
    },

    /**
     * Writes the journal, runs `beforePostings` (for work that must land between the header and the postings, such
     * as releasing a hold), then its postings. The balance check runs at commit.
     */
    async insertJournal(
      input: NewJournal,
      trx: Knex.Transaction,
      beforePostings?: (journalId: string) => Promise<void>,
    ): Promise<Journal> {
      const [row] = (await trx('ledger_journals')
        .insert({
          kind: input.kind,
          idempotency_key: input.idempotencyKey,
          request_fingerprint: input.requestFingerprint,
          reverses_journal_id: input.reversesJournalId ?? null,
          description: input.description ?? null,
          metadata: input.metadata ?? {},
        })
        .returning('*')) as JournalRow[];
      await beforePostings?.(row!.id);
      await trx('ledger_postings').insert(
        input.postings.map((p) => ({ journal_id: row!.id, account_id: p.accountId, amount_paise: p.amountPaise })),
      );
      // The postings just written are the input, in the same (lock) order: no need to read them back.
      return {
        id: row!.id,
        kind: row!.kind,
        idempotencyKey: row!.idempotency_key,
        requestFingerprint: row!.request_fingerprint,
        reversesJournalId: row!.reverses_journal_id,
        description: row!.description,
        metadata: row!.metadata,
        createdAt: row!.created_at,
        postings: input.postings.map(({ accountId, amountPaise }) => ({ accountId, amountPaise })),
      };
    },

    /**
     * Many journals in three statements (headers, then all postings) for bulk work such as crediting a page of trips.
     * Keys already used are skipped (ON CONFLICT DO NOTHING); the caller gets the ids of what it inserted, by key.
     * The database checks every invariant exactly as for single journals.
     */
    async insertJournals(inputs: NewJournal[], trx: Knex.Transaction): Promise<Map<string, string>> {
      if (inputs.length === 0) return new Map();
      const rows = await trx('ledger_journals')
        .insert(
          inputs.map((input) => ({
            kind: input.kind,
            idempotency_key: input.idempotencyKey,
            request_fingerprint: input.requestFingerprint,
            description: input.description ?? null,
            metadata: input.metadata ?? {},
          })),
        )
        .onConflict('idempotency_key')
        .ignore()
        .returning<Array<{ id: string; idempotency_key: string }>>(['id', 'idempotency_key']);
      const inserted = new Map(rows.map((r) => [r.idempotency_key, r.id]));
      const postings = inputs.flatMap((input) => {
        const journalId = inserted.get(input.idempotencyKey);
        return journalId
          ? input.postings.map((p) => ({ journal_id: journalId, account_id: p.accountId, amount_paise: p.amountPaise }))
          : [];
      });
      // Sorted by account so concurrent batches lock wallets in the same order.
      postings.sort((a, b) => (a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : 0));
      for (let i = 0; i < postings.length; i += 2000) await trx('ledger_postings').insert(postings.slice(i, i + 2000));
      return inserted;
    },

    async findJournalIdsByKeys(
      keys: string[],
      trx: Knex.Transaction,
    ): Promise<Map<string, { id: string; requestFingerprint: string }>> {
      if (keys.length === 0) return new Map();
      const rows = await trx('ledger_journals')
        .whereIn('idempotency_key', keys)
        .select<Array<{ id: string; idempotency_key: string; request_fingerprint: string }>>(
          'id',
          'idempotency_key',
          'request_fingerprint',
        );
      return new Map(rows.map((r) => [r.idempotency_key, { id: r.id, requestFingerprint: r.request_fingerprint }]));
    },

    async findJournal(id: string, trx?: Knex.Transaction): Promise<Journal | undefined> {
      const row = await q(trx)<JournalRow>('ledger_journals').where({ id }).first();
      return row ? toJournal(row, trx) : undefined;
    },

    async findJournalByKey(idempotencyKey: string, trx?: Knex.Transaction): Promise<Journal | undefined> {
      const row = await q(trx)<JournalRow>('ledger_journals').where({ idempotency_key: idempotencyKey }).first();
      return row ? toJournal(row, trx) : undefined;
    },

    async insertHold(
      input: {
        accountId: string;
        amountPaise: number;
        idempotencyKey: string;
        requestFingerprint: string;
        description?: string;
      },
      trx: Knex.Transaction,
    ): Promise<Hold> {
      const [row] = (await trx('ledger_holds')
        .insert({
          account_id: input.accountId,
          amount_paise: input.amountPaise,
          idempotency_key: input.idempotencyKey,
          request_fingerprint: input.requestFingerprint,
          description: input.description ?? null,
        })
        .returning('*')) as HoldRow[];
      return toHold(row!);
    },

    async findHold(id: string, trx?: Knex.Transaction): Promise<Hold | undefined> {
      const row = await q(trx)<HoldRow>('ledger_holds').where({ id }).first();
      return row ? toHold(row) : undefined;
    },

    async findHoldByKey(idempotencyKey: string, trx?: Knex.Transaction): Promise<Hold | undefined> {
      const row = await q(trx)<HoldRow>('ledger_holds').where({ idempotency_key: idempotencyKey }).first();
      return row ? toHold(row) : undefined;
    },

    /** Locks the hold row: the caller resolves it in the same transaction. */
    async lockHold(id: string, trx: Knex.Transaction): Promise<Hold | undefined> {
      const row = await trx<HoldRow>('ledger_holds').where({ id }).forUpdate().first();
      return row ? toHold(row) : undefined;
    },

    async resolveHold(
      id: string,
      status: 'posted' | 'voided',
      journalId: string | null,
      trx: Knex.Transaction,
    ): Promise<Hold> {
      const [row] = (await trx('ledger_holds')
        .where({ id })
        .update({ status, journal_id: journalId, resolved_at: trx.fn.now() })
        .returning('*')) as HoldRow[];
      return toHold(row!);
    },

    async findFailure(idempotencyKey: string, trx?: Knex.Transaction): Promise<FailedRequest | undefined> {
      const row = await q(trx)<{
        idempotency_key: string;
        request_fingerprint: string;
        error_code: string;
        message: string;
      }>('ledger_failed_requests')
        .where({ idempotency_key: idempotencyKey })
        .first();
      return row
        ? {
            idempotencyKey: row.idempotency_key,
            requestFingerprint: row.request_fingerprint,
            errorCode: row.error_code,
            message: row.message,
          }
        : undefined;
    },

    async recordFailure(failure: FailedRequest, trx?: Knex.Transaction): Promise<void> {
      await q(trx)('ledger_failed_requests')
        .insert({
          idempotency_key: failure.idempotencyKey,
          request_fingerprint: failure.requestFingerprint,
          error_code: failure.errorCode,
          message: failure.message,
        })
        .onConflict('idempotency_key')
        .ignore();
    },

    /** Posted balance and held amount. Constrained accounts read their cached row; others sum their postings. */
    async balance(
      accountId: string,
      trx?: Knex.Transaction,
    ): Promise<{ balancePaise: number; heldPaise: number } | undefined> {
      const account = await q(trx)<AccountRow & { balance_paise: number; held_paise: number }>('ledger_accounts')
        .where({ id: accountId })
        .first();
      if (!account) return undefined;
      if (account.constrained) return { balancePaise: account.balance_paise, heldPaise: account.held_paise };
      const [sum] = await q(trx)('ledger_postings')
        .where({ account_id: accountId })
        .sum<{ total: string | null }[]>('amount_paise as total');
      return { balancePaise: Number(sum?.total ?? 0), heldPaise: 0 };
    },
  };
}

export type LedgerRepository = ReturnType<typeof createLedgerRepository>;
