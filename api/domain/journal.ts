/** Pure double-entry rules, checked before the database (which enforces them again) so refusals read clearly. */

export interface PostingInput {
  accountId: string;
  /** Positive credits the account, negative debits it. Integer paise. */
  amountPaise: number;
}

export function journalProblem(postings: readonly PostingInput[]): string | undefined {
  if (postings.length < 2) return 'a journal needs at least two postings';
  const accounts = new Set<string>();
  let total = 0;
  for (const { accountId, amountPaise } of postings) {
    if (!Number.isSafeInteger(amountPaise) || amountPaise === 0) return 'every posting is a non-zero integer of paise';
    if (accounts.has(accountId)) return 'an account appears twice in one journal';
    accounts.add(accountId);
    total += amountPaise;
  }
  if (!Number.isSafeInteger(total)) return 'the postings are too large';
  if (total !== 0) return `the postings must sum to zero (they sum to ${total} paise)`;
  return undefined;
}

/** Postings in one fixed order (by account), so concurrent journals lock accounts in the same order. */
export function inLockOrder(postings: readonly PostingInput[]): PostingInput[] {
  return [...postings].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
}

/** The mirror of a journal: the same postings with opposite signs. */
export function reversalOf(postings: readonly PostingInput[]): PostingInput[] {
  return postings.map(({ accountId, amountPaise }) => ({ accountId, amountPaise: -amountPaise }));
}
