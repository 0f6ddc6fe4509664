import type { Knex } from 'knex';
import { inLockOrder, journalProblem, reversalOf, type PostingInput } from '../domain/journal';
import { AppError, ErrorCode } from '../errors';
import type { Db } from '../db/knex';
import type { Hold, Journal, LedgerAccount, LedgerRepository, SystemAccountKind } from '../db/ledger.repository';
import { fingerprintOf, replayOf } from './idempotency';

export type JournalKind =
  | 'earning'
  | 'withdrawal'
  | 'plan_purchase'
  | 'reversal'
  | 'adjustment'
  | 'loan_disbursal'
  | 'loan_repayment'
  | 'insurance_premium'
  | 'insurance_payout';

export interface PostJournalInput {
  idempotencyKey: string;
  kind: JournalKind;
  postings: PostingInput[];
  description?: string;
  metadata?: Record<string, unknown>;
}

export interface PlaceHoldInput {
  idempotencyKey: string;
  accountId: string;
  amountPaise: number;
  description?: string;
}

export interface PostHoldInput {
  holdId: string;
  idempotencyKey: string;
  kind: JournalKind;
  /** Where the held money goes: positive postings that sum to the hold's amount. */
  credits: PostingInput[];
  description?: string;
  metadata?: Record<string, unknown>;
}

export interface Balance {
  balancePaise: number;
  heldPaise: number;
  spendablePaise: number;
}

/** Business refusals a retry must see again; anything else (a lost connection) may be retried for real. */
const rememberedFailures = new Set<ErrorCode>([
  ErrorCode.INSUFFICIENT_FUNDS,
  ErrorCode.NOT_FOUND,
  ErrorCode.HOLD_ALREADY_RESOLVED,
  ErrorCode.ALREADY_REVERSED,
]);

const fingerprint = fingerprintOf;

interface PgError {
  code?: string;
  constraint?: string;
}

/** Turns the database's own refusals into business errors. */
function businessErrorFrom(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  const { code, constraint } = err as PgError;
  if (code === '23514' && constraint === 'ledger_accounts_spendable_not_negative') {
    return new AppError(ErrorCode.INSUFFICIENT_FUNDS, 'The spendable balance is too low for this amount');
  }
  if (code === '23514' && constraint === 'ledger_hold_resolved_once') {
    return new AppError(ErrorCode.HOLD_ALREADY_RESOLVED, 'The hold was already resolved');
  }
  if (code === '23505' && constraint === 'ledger_journals_reverses_journal_id_unique') {
    return new AppError(ErrorCode.ALREADY_REVERSED, 'This journal was already reversed');
  }
  if (code === '23503') return new AppError(ErrorCode.NOT_FOUND, 'Ledger account not found');
  return undefined;
}

const isKeyRace = (err: unknown) =>
  (err as PgError).code === '23505' &&
  ['ledger_journals_idempotency_key_unique', 'ledger_holds_idempotency_key_unique'].includes(
    (err as PgError).constraint ?? '',
  );

/**
 * The only way money moves. Every operation is idempotent by key: a replay with the same request returns the
 * original result, a different request under a used key is refused, and a business refusal is remembered so a
 * retry is refused the same way. Pass `trx` to make a ledger operation part of a larger transaction.
 */
export function createLedgerService(deps: { db: Db; ledger: LedgerRepository }) {
  const { db, ledger } = deps;

  async function idempotent<T extends { requestFingerprint: string }>(args: {
    key: string;
    fingerprint: string;
    trx?: Knex.Transaction;
    find: (trx?: Knex.Transaction) => Promise<T | undefined>;
    work: (trx: Knex.Transaction) => Promise<T>;
  }): Promise<{ result: T; replayed: boolean }> {
    const replay = async (): Promise<{ result: T; replayed: boolean } | undefined> => {
      const existing = replayOf(
        await args.find(args.trx),
        args.fingerprint,
        'This idempotency key was used for a different ledger request',
      );
      return existing && { result: existing, replayed: true };
    };
    const earlier = await replay();
    if (earlier) return earlier;
    // Inside the caller's transaction: a second pool connection here could deadlock a busy pool.
    const failure = replayOf(
      await ledger.findFailure(args.key, args.trx),
      args.fingerprint,
      'This idempotency key was used for a different ledger request',
    );
    if (failure) throw new AppError(failure.errorCode as ErrorCode, failure.message);
    try {
      // Nested in the caller's transaction this is a savepoint, so a refusal leaves the caller's work intact.
      const result = await (args.trx ? args.trx.transaction(args.work) : db.transaction(args.work));
      return { result, replayed: false };
    } catch (err) {
      if (isKeyRace(err)) {
        const winner = await replay();
        if (winner) return winner;
      }
      const business = businessErrorFrom(err);
      if (business && rememberedFailures.has(business.code)) {
        await ledger.recordFailure(
          {
            idempotencyKey: args.key,
            requestFingerprint: args.fingerprint,
            errorCode: business.code,
            message: business.message,
          },
          args.trx,
        );
        throw business;
      }
      throw business ?? err;
    }
  }

  function assertBalanced(postings: PostingInput[]): void {
    const problem = journalProblem(postings);
    if (problem) throw new AppError(ErrorCode.VALIDATION_FAILED, `Unbalanced journal: ${problem}`);
  }

  async function systemAccount(kind: SystemAccountKind, trx?: Knex.Transaction): Promise<LedgerAccount> {
    return ledger.systemAccount(kind, trx);
  }

  return {
    systemAccount,

    /** The worker's wallet: constrained (never below zero, holds included). Opened on first use. */
    walletOf(workerId: string, trx?: Knex.Transaction): Promise<LedgerAccount> {
      return ledger.ensureAccount({ code: `wallet:${workerId}`, kind: 'wallet', workerId, constrained: true }, trx);
    },

    loanAccountOf(workerId: string, trx?: Knex.Transaction): Promise<LedgerAccount> {
      return ledger.ensureAccount({ code: `loan:${workerId}`, kind: 'loan', workerId, constrained: false }, trx);
    },

    /** Where a platform's synced earnings come from. */
    platformSettlementOf(platformId: string, trx?: Knex.Transaction): Promise<LedgerAccount> {
      return ledger.ensureAccount(
        { code: `platform_settlement:${platformId}`, kind: 'platform_settlement', platformId, constrained: false },
        trx,
      );
    },

    async postJournal(
      input: PostJournalInput,
      trx?: Knex.Transaction,
    ): Promise<{ journal: Journal; replayed: boolean }> {
      assertBalanced(input.postings);
      const postings = inLockOrder(input.postings);
      const requestFingerprint = fingerprint({
        op: 'journal',
        kind: input.kind,
        postings,
        metadata: input.metadata ?? {},
      });
      const { result, replayed } = await idempotent({
        key: input.idempotencyKey,
        fingerprint: requestFingerprint,
        trx,
        find: (t) => ledger.findJournalByKey(input.idempotencyKey, t),
        work: (t) =>
          ledger.insertJournal(
            {
              kind: input.kind,
              idempotencyKey: input.idempotencyKey,
              requestFingerprint,
              description: input.description,
              metadata: input.metadata,
              postings,
            },
            t,
          ),
      });
      return { journal: result, replayed };
    },

    /**
     * Posts many journals in one transaction (bulk crediting). Idempotent per journal: a key already used with the
     * same request returns its journal; with a different request the whole batch is refused. Returns id by key.
     */
    async postJournals(inputs: PostJournalInput[], trx: Knex.Transaction): Promise<Map<string, string>> {
      const prepared = inputs.map((input) => {
        assertBalanced(input.postings);
        const postings = inLockOrder(input.postings);
        return {
          kind: input.kind,
          idempotencyKey: input.idempotencyKey,
          requestFingerprint: fingerprint({
            op: 'journal',
            kind: input.kind,
            postings,
            metadata: input.metadata ?? {},
          }),
          description: input.description,
          metadata: input.metadata,
          postings,
        };
      });
      // By key: overlapping batches then meet their shared keys in the same order and cannot deadlock on them.
      prepared.sort((a, b) => (a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0));
      const ids = await trx.transaction(async (inner) => {
        const inserted = await ledger.insertJournals(prepared, inner);
        const skipped = prepared.filter((p) => !inserted.has(p.idempotencyKey));
        const existing = await ledger.findJournalIdsByKeys(
          skipped.map((p) => p.idempotencyKey),
          inner,
        );
        for (const p of skipped) {
          const earlier = existing.get(p.idempotencyKey);
          if (!earlier || earlier.requestFingerprint !== p.requestFingerprint) {
            throw new AppError(
              ErrorCode.IDEMPOTENCY_KEY_REUSED,
              `Ledger key ${p.idempotencyKey} was used for a different request`,
            );
          }
          inserted.set(p.idempotencyKey, earlier.id);
        }
        return inserted;
      });
      return ids;
    },

    /** Reserves money on a constrained account; it counts against the spendable balance until posted or voided. */
    async placeHold(input: PlaceHoldInput, trx?: Knex.Transaction): Promise<{ hold: Hold; replayed: boolean }> {
      if (!Number.isSafeInteger(input.amountPaise) || input.amountPaise <= 0) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'A hold is a positive integer of paise');
      }
      const requestFingerprint = fingerprint({
        op: 'hold',
        accountId: input.accountId,
        amountPaise: input.amountPaise,
      });
      const { result, replayed } = await idempotent({
        key: input.idempotencyKey,
        fingerprint: requestFingerprint,
        trx,
        find: (t) => ledger.findHoldByKey(input.idempotencyKey, t),
        work: (t) => ledger.insertHold({ ...input, requestFingerprint }, t),
      });
      return { hold: result, replayed };
    },

    /** Moves the held money to its destinations, exactly once. */
    async postHold(input: PostHoldInput, trx?: Knex.Transaction): Promise<{ journal: Journal; replayed: boolean }> {
      const requestFingerprint = fingerprint({
        op: 'post-hold',
        holdId: input.holdId,
        kind: input.kind,
        credits: inLockOrder(input.credits),
        metadata: input.metadata ?? {},
      });
      const { result, replayed } = await idempotent({
        key: input.idempotencyKey,
        fingerprint: requestFingerprint,
        trx,
        find: (t) => ledger.findJournalByKey(input.idempotencyKey, t),
        work: async (t) => {
          const hold = await ledger.lockHold(input.holdId, t);
          if (!hold) throw AppError.notFound('Hold');
          if (hold.status !== 'pending') {
            throw new AppError(ErrorCode.HOLD_ALREADY_RESOLVED, `The hold is already ${hold.status}`);
          }
          const postings = inLockOrder([
            { accountId: hold.accountId, amountPaise: -hold.amountPaise },
            ...input.credits,
          ]);
          assertBalanced(postings);
          // Release the reservation before the debit lands, so the wallet is never counted twice.
          return ledger.insertJournal(
            {
              kind: input.kind,
              idempotencyKey: input.idempotencyKey,
              requestFingerprint,
              description: input.description,
              metadata: { ...input.metadata, holdId: hold.id },
              postings,
            },
            t,
            (journalId) => ledger.resolveHold(hold.id, 'posted', journalId, t).then(() => undefined),
          );
        },
      });
      return { journal: result, replayed };
    },

    /** Releases a pending hold. Voiding a voided hold is a no-op; voiding a posted one is refused. */
    async voidHold(holdId: string, trx?: Knex.Transaction): Promise<Hold> {
      const work = async (t: Knex.Transaction) => {
        const hold = await ledger.lockHold(holdId, t);
        if (!hold) throw AppError.notFound('Hold');
        if (hold.status === 'voided') return hold;
        if (hold.status === 'posted') {
          throw new AppError(ErrorCode.HOLD_ALREADY_RESOLVED, 'The hold was already posted');
        }
        return ledger.resolveHold(hold.id, 'voided', null, t);
      };
      return trx ? trx.transaction(work) : db.transaction(work);
    },

    /** Corrections are new journals: the mirror image of the original, at most once per journal. */
    async reverseJournal(
      input: { journalId: string; idempotencyKey: string; description?: string },
      trx?: Knex.Transaction,
    ): Promise<{ journal: Journal; replayed: boolean }> {
      const requestFingerprint = fingerprint({ op: 'reverse', journalId: input.journalId });
      const { result, replayed } = await idempotent({
        key: input.idempotencyKey,
        fingerprint: requestFingerprint,
        trx,
        find: (t) => ledger.findJournalByKey(input.idempotencyKey, t),
        work: async (t) => {
          const original = await ledger.findJournal(input.journalId, t);
          if (!original) throw AppError.notFound('Journal');
          return ledger.insertJournal(
            {
              kind: 'reversal',
              idempotencyKey: input.idempotencyKey,
              requestFingerprint,
              reversesJournalId: original.id,
              description: input.description ?? `Reversal of ${original.kind} journal ${original.id}`,
              postings: inLockOrder(reversalOf(original.postings)),
            },
            t,
          );
        },
      });
      return { journal: result, replayed };
    },

    async balanceOf(accountId: string, trx?: Knex.Transaction): Promise<Balance> {
      const balance = await ledger.balance(accountId, trx);
      if (!balance) throw AppError.notFound('Ledger account');
      return { ...balance, spendablePaise: balance.balancePaise - balance.heldPaise };
    },
  };
}

export type LedgerService = ReturnType<typeof createLedgerService>;
