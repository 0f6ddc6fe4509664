import type { Db } from '../../db/knex';

/** What a line of the worker's money history is about, in the worker's terms (not the ledger's account names). */
export type HistoryKind =
  | 'earning'
  | 'withdrawal'
  | 'fee'
  | 'insurance_contribution'
  | 'plan'
  | 'loan_disbursal'
  | 'loan_instalment'
  | 'premium'
  | 'claim_payout'
  | 'reversal'
  | 'adjustment';

export interface HistoryItem {
  id: string;
  kind: HistoryKind;
  /** Signed: positive came into the wallet, negative went out. */
  amountPaise: number;
  at: Date;
  journalId: string;
  description: string | null;
  reference: {
    withdrawalId: string | null;
    loanId: string | null;
    claimId: string | null;
    planCode: string | null;
    platformName: string | null;
    month: string | null;
  };
}

interface PostingRow {
  posting_id: number;
  journal_id: string;
  journal_kind: string;
  description: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  amount_paise: number;
  counter: Array<{ amount: number; account_kind: string }> | null;
  platform_name: string | null;
}

const incoming: Record<string, HistoryKind> = {
  earning: 'earning',
  loan_disbursal: 'loan_disbursal',
  insurance_payout: 'claim_payout',
  reversal: 'reversal',
  adjustment: 'adjustment',
  withdrawal: 'reversal',
  plan_purchase: 'reversal',
};

/** An outgoing wallet posting is split by where the money went: a withdrawal is payout, fee and pool share. */
function outgoingKind(journalKind: string, counterAccountKind: string): HistoryKind {
  if (counterAccountKind === 'fee_revenue') return 'fee';
  if (journalKind === 'withdrawal') {
    return counterAccountKind === 'insurance_pool' ? 'insurance_contribution' : 'withdrawal';
  }
  if (journalKind === 'plan_purchase') return 'plan';
  if (journalKind === 'loan_repayment') return 'loan_instalment';
  if (journalKind === 'insurance_premium') return 'premium';
  if (journalKind === 'reversal') return 'reversal';
  return 'adjustment';
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The worker's wallet postings, newest first, each expanded into the lines the worker recognises. Paged by the
 * wallet posting id (the ledger is append-only, so a page never shifts).
 */
export async function walletHistory(
  db: Db,
  workerId: string,
  page: { beforePostingId?: number; limit: number },
): Promise<{ items: HistoryItem[]; nextBeforePostingId: number | null }> {
  const result = await db.raw<{ rows: PostingRow[] }>(
    `
    SELECT p.id AS posting_id, j.id AS journal_id, j.kind AS journal_kind, j.description, j.metadata, j.created_at,
           p.amount_paise,
           (SELECT json_agg(json_build_object('amount', o.amount_paise, 'account_kind', a.kind) ORDER BY o.id)
              FROM ledger_postings o JOIN ledger_accounts a ON a.id = o.account_id
             WHERE o.journal_id = j.id AND o.account_id <> p.account_id) AS counter,
           (SELECT pl.name FROM platforms pl
             WHERE j.kind = 'earning' AND CAST(pl.id AS text) = j.metadata->>'platformId') AS platform_name
      FROM ledger_postings p
      JOIN ledger_accounts w ON w.id = p.account_id AND w.kind = 'wallet' AND w.worker_id = :workerId
      JOIN ledger_journals j ON j.id = p.journal_id
     WHERE (CAST(:before AS bigint) IS NULL OR p.id < CAST(:before AS bigint))
     ORDER BY p.id DESC
     LIMIT :limit
    `,
    { workerId, before: page.beforePostingId ?? null, limit: page.limit + 1 },
  );
  const rows = result.rows.slice(0, page.limit);
  const items: HistoryItem[] = [];
  for (const row of rows) {
    const reference = {
      withdrawalId: text(row.metadata.withdrawalId),
      loanId: text(row.metadata.loanId),
      claimId: text(row.metadata.claimId),
      planCode: text(row.metadata.planCode),
      platformName: row.platform_name,
      month: text(row.metadata.month),
    };
    const base = { journalId: row.journal_id, at: row.created_at, description: row.description, reference };
    const amount = Number(row.amount_paise);
    const credits = (row.counter ?? []).filter((c) => Number(c.amount) > 0);
    if (amount >= 0 || credits.length === 0) {
      items.push({
        ...base,
        id: `${row.posting_id}`,
        kind: incoming[row.journal_kind] ?? 'adjustment',
        amountPaise: amount,
      });
      continue;
    }
    // The ledger does not promise an order of postings inside a journal: the main line first, then shares and fees.
    const rank = (kind: HistoryKind) => (kind === 'fee' ? 2 : kind === 'insurance_contribution' ? 1 : 0);
    credits
      .map((credit) => ({ kind: outgoingKind(row.journal_kind, credit.account_kind), amount: Number(credit.amount) }))
      .sort((x, y) => rank(x.kind) - rank(y.kind) || y.amount - x.amount)
      .forEach((line, i) => {
        items.push({ ...base, id: `${row.posting_id}.${i}`, kind: line.kind, amountPaise: -line.amount });
      });
  }
  const more = result.rows.length > page.limit;
  return { items, nextBeforePostingId: more ? Number(rows[rows.length - 1]!.posting_id) : null };
}
