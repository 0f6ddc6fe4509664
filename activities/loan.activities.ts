import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { Config } from '../api/config';
import type { Db } from '../api/db/knex';
import { createLedgerRepository } from '../api/db/ledger.repository';
import { createLoanRepository, type Loan, type LoanInstalment } from '../api/db/loan.repository';
import { createOutboxRepository } from '../api/db/outbox.repository';
import { createPlanRepository } from '../api/db/plan.repository';
import { createRequestRepository, type Actor } from '../api/db/request.repository';
import { emiSchedule } from '../api/domain/loan';
import { loanInstalmentChanged, requestStatusChanged } from '../api/realtime/event-catalogue';
import { createLedgerService } from '../api/services/ledger.service';
import { BusinessErrorType, type LoanStatus, type RepaymentStep } from '../workflows/contracts';

const IST_OFFSET_MS = 19_800_000;
/** Auto-debits run at 06:00 IST on the due date: early, before the day's withdrawals. */
const DEBIT_HOUR_IST_MS = 6 * 60 * 60 * 1000;

/** Unpaid amount of an instalment: principal, interest and any late fee. */
export const dueOf = (i: LoanInstalment) => i.principalPaise + i.interestPaise + i.lateFeePaise;

export function createLoanActivities(deps: {
  db: Db;
  config: Pick<Config, 'LOAN_LATE_FEE_PAISE' | 'LOAN_INSTALMENT_PERIOD_MS'>;
}) {
  const { db, config } = deps;
  const loans = createLoanRepository(db);
  const requests = createRequestRepository(db);
  const outbox = createOutboxRepository(db);
  const plans = createPlanRepository(db);
  const ledger = createLedgerService({ db, ledger: createLedgerRepository(db) });

  const notFound = (id: string) =>
    ApplicationFailure.nonRetryable(`Loan ${id} does not exist`, BusinessErrorType.NOT_FOUND);

  async function changeStatus(
    trx: Knex.Transaction,
    loan: Loan,
    status: LoanStatus,
    fields: Record<string, unknown>,
    actor: Actor,
    reason: string | null,
  ): Promise<Loan> {
    const updated = await loans.update(trx, loan.id, { status, ...fields });
    await requests.recordStatus(trx, loan.id, status, actor, {
      closed: status !== 'active',
      detail: { reason },
    });
    await outbox.append(
      trx,
      requestStatusChanged(loan.workerId, {
        requestId: loan.id,
        requestType: 'loan',
        status,
        amountPaise: loan.amountPaise,
        reason,
      }),
    );
    return updated;
  }

  /** Posts one instalment (or the prepayment) from the wallet: principal and interest to loan funding, fees to revenue. */
  async function collect(
    trx: Knex.Transaction,
    loan: Loan,
    parts: { principalPaise: number; interestPaise: number; lateFeePaise: number },
    key: string,
    description: string,
  ): Promise<string> {
    // One after another: they share the transaction's connection.
    const wallet = await ledger.walletOf(loan.workerId, trx);
    const funding = await ledger.systemAccount('loan_funding', trx);
    const fees = await ledger.systemAccount('fee_revenue', trx);
    const repaid = parts.principalPaise + parts.interestPaise;
    const postings = [
      { accountId: wallet.id, amountPaise: -(repaid + parts.lateFeePaise) },
      { accountId: funding.id, amountPaise: repaid },
      ...(parts.lateFeePaise > 0 ? [{ accountId: fees.id, amountPaise: parts.lateFeePaise }] : []),
    ];
    const { journal } = await ledger.postJournal(
      {
        idempotencyKey: key,
        kind: 'loan_repayment',
        postings,
        description,
        metadata: { loanId: loan.id, ...parts },
      },
      trx,
    );
    return journal.id;
  }

  async function closeIfRepaid(trx: Knex.Transaction, loan: Loan, closure: 'repaid' | 'prepaid'): Promise<boolean> {
    const rest = (await loans.instalments(loan.id, trx)).filter((i) => i.status !== 'paid' && i.status !== 'waived');
    if (rest.length > 0) return false;
    await changeStatus(trx, loan, 'closed', { closed_at: new Date(), closure }, { actorKind: 'system' }, null);
    return true;
  }

  return {
    /** Rejected, cancelled or expired before any money moved. */
    async closeLoanRequest(input: {
      loanId: string;
      status: 'rejected' | 'cancelled' | 'expired';
      reason: string;
      adminId?: string;
    }): Promise<LoanStatus> {
      return db.transaction(async (trx) => {
        const loan = await loans.lock(input.loanId, trx);
        if (!loan) throw notFound(input.loanId);
        if (loan.status === input.status) return loan.status;
        if (loan.status !== 'pending_approval') {
          throw ApplicationFailure.nonRetryable(`Loan is ${loan.status}`, BusinessErrorType.STALE_STATE);
        }
        const actor: Actor =
          input.status === 'cancelled'
            ? { actorKind: 'worker', actorId: loan.workerId }
            : input.adminId
              ? { actorKind: 'admin', actorId: input.adminId }
              : { actorKind: 'system' };
        return (await changeStatus(trx, loan, input.status, { decision_reason: input.reason }, actor, input.reason))
          .status;
      });
    },

    /**
     * Approved: the disbursal journal (loan funding → wallet) and the schedule, fixed from today's date, in one
     * transaction. Exactly once: a retry finds the loan active and does nothing.
     */
    async disburseLoan(input: { loanId: string }): Promise<LoanStatus> {
      return db.transaction(async (trx) => {
        const loan = await loans.lock(input.loanId, trx);
        if (!loan) throw notFound(input.loanId);
        if (loan.status === 'active' || loan.status === 'closed') return loan.status;
        if (loan.status !== 'pending_approval') {
          throw ApplicationFailure.nonRetryable(`Loan is ${loan.status}`, BusinessErrorType.STALE_STATE);
        }
        const now = new Date();
        const ist = new Date(now.getTime() + IST_OFFSET_MS);
        const schedule = emiSchedule({
          principalPaise: loan.amountPaise,
          annualRateBps: loan.annualRateBps,
          months: loan.tenureMonths,
          disbursedOn: { year: ist.getUTCFullYear(), month: ist.getUTCMonth() + 1, day: ist.getUTCDate() },
        });
        const period = config.LOAN_INSTALMENT_PERIOD_MS;
        await loans.insertInstalments(
          trx,
          schedule.instalments.map((i) => ({
            loanId: loan.id,
            number: i.number,
            dueOn: i.dueOn,
            dueAt:
              period === undefined
                ? new Date(Date.parse(`${i.dueOn}T00:00:00Z`) - IST_OFFSET_MS + DEBIT_HOUR_IST_MS)
                : new Date(now.getTime() + i.number * period),
            principalPaise: i.principalPaise,
            interestPaise: i.interestPaise,
          })),
        );
        const wallet = await ledger.walletOf(loan.workerId, trx);
        const funding = await ledger.systemAccount('loan_funding', trx);
        const { journal } = await ledger.postJournal(
          {
            idempotencyKey: `loan:${loan.id}:disbursal`,
            kind: 'loan_disbursal',
            postings: [
              { accountId: funding.id, amountPaise: -loan.amountPaise },
              { accountId: wallet.id, amountPaise: loan.amountPaise },
            ],
            description: `Loan ${loan.id}`,
            metadata: { loanId: loan.id },
          },
          trx,
        );
        return (
          await changeStatus(
            trx,
            loan,
            'active',
            { disbursal_journal_id: journal.id, disbursed_at: now, emi_paise: schedule.emiPaise },
            { actorKind: 'system' },
            null,
          )
        ).status;
      });
    },

    /** The oldest unpaid instalment: the repayment loop sleeps until it falls due. */
    async nextRepayment(input: { loanId: string }): Promise<RepaymentStep> {
      const loan = await loans.findById(input.loanId);
      if (!loan) throw notFound(input.loanId);
      if (loan.status !== 'active') return { next: null };
      const next = (await loans.instalments(loan.id)).find((i) => i.status === 'scheduled' || i.status === 'overdue');
      return {
        next: next
          ? {
              number: next.number,
              dueAt: next.dueAt.toISOString(),
              attempts: next.attempts,
              overdue: next.status === 'overdue',
            }
          : null,
      };
    },

    /**
     * The auto-debit (SPEC §6), for every instalment already due, oldest first. Under the worker's lock (the one
     * withdrawals take) each is either posted whole, when the spendable balance covers it, or counted as a failed
     * attempt: never a partial debit, never a refused journal key that a later attempt could not reuse. Payment is
     * strictly in order: a later instalment is not paid while an earlier one is not. An instalment still unpaid
     * `overdueAfterMs` after its due date (the daily retries spent) becomes overdue with the late fee, and the
     * worker is told; each instalment on its own dates, however many fall due together.
     */
    async collectDueInstalments(input: {
      loanId: string;
      overdueAfterMs: number;
    }): Promise<{ closed: boolean; unpaidDue: number }> {
      return db.transaction(async (trx) => {
        const loan = await loans.lock(input.loanId, trx);
        if (!loan) throw notFound(input.loanId);
        if (loan.status !== 'active') return { closed: true, unpaidDue: 0 };
        await plans.lockWorker(loan.workerId, trx);
        const now = new Date();
        const due = (await loans.instalments(loan.id, trx)).filter(
          (i) => (i.status === 'scheduled' || i.status === 'overdue') && i.dueAt.getTime() <= now.getTime(),
        );
        const wallet = await ledger.walletOf(loan.workerId, trx);
        let { spendablePaise } = await ledger.balanceOf(wallet.id, trx);
        let unpaidDue = 0;
        for (const instalment of due) {
          if (unpaidDue === 0 && spendablePaise >= dueOf(instalment)) {
            const journalId = await collect(
              trx,
              loan,
              instalment,
              `loan:${loan.id}:instalment:${instalment.number}`,
              `Loan ${loan.id} instalment ${instalment.number}`,
            );
            spendablePaise -= dueOf(instalment);
            await loans.updateInstalment(trx, loan.id, instalment.number, {
              status: 'paid',
              paid_at: now,
              journal_id: journalId,
              attempts: instalment.attempts + 1,
            });
            await outbox.append(
              trx,
              loanInstalmentChanged(loan.workerId, {
                loanId: loan.id,
                number: instalment.number,
                status: 'paid',
                amountPaise: dueOf(instalment),
                lateFeePaise: instalment.lateFeePaise,
              }),
            );
            continue;
          }
          unpaidDue += 1;
          const goesOverdue =
            instalment.status === 'scheduled' && instalment.dueAt.getTime() + input.overdueAfterMs <= now.getTime();
          await loans.updateInstalment(trx, loan.id, instalment.number, {
            attempts: instalment.attempts + 1,
            ...(goesOverdue ? { status: 'overdue', overdue_at: now, late_fee_paise: config.LOAN_LATE_FEE_PAISE } : {}),
          });
          if (goesOverdue) {
            await outbox.append(
              trx,
              loanInstalmentChanged(loan.workerId, {
                loanId: loan.id,
                number: instalment.number,
                status: 'overdue',
                amountPaise: dueOf({ ...instalment, lateFeePaise: config.LOAN_LATE_FEE_PAISE }),
                lateFeePaise: config.LOAN_LATE_FEE_PAISE,
              }),
            );
          }
        }
        return { closed: await closeIfRepaid(trx, loan, 'repaid'), unpaidDue };
      });
    },

    /**
     * Closes the loan early: the whole outstanding principal, plus the interest and late fees of instalments
     * already due, in one journal; future interest is waived. Refused (nothing moves) when the wallet cannot cover it.
     */
    async prepayLoan(input: { loanId: string }): Promise<{ paidPaise: number } | { refused: string }> {
      return db.transaction(async (trx) => {
        const loan = await loans.lock(input.loanId, trx);
        if (!loan) throw notFound(input.loanId);
        if (loan.status === 'closed') return { paidPaise: 0 };
        await plans.lockWorker(loan.workerId, trx);
        const unpaid = (await loans.instalments(loan.id, trx)).filter(
          (i) => i.status === 'scheduled' || i.status === 'overdue',
        );
        // Interest already earned (every instalment past its due date) is owed; future interest is waived.
        const now = Date.now();
        const pastDue = unpaid.filter((i) => i.dueAt.getTime() <= now);
        const parts = {
          principalPaise: unpaid.reduce((sum, i) => sum + i.principalPaise, 0),
          interestPaise: pastDue.reduce((sum, i) => sum + i.interestPaise, 0),
          lateFeePaise: pastDue.reduce((sum, i) => sum + i.lateFeePaise, 0),
        };
        const total = parts.principalPaise + parts.interestPaise + parts.lateFeePaise;
        const wallet = await ledger.walletOf(loan.workerId, trx);
        const { spendablePaise } = await ledger.balanceOf(wallet.id, trx);
        if (spendablePaise < total) {
          return { refused: `Your balance is too low to close the loan: you need ₹${(total / 100).toFixed(2)}` };
        }
        const journalId = await collect(trx, loan, parts, `loan:${loan.id}:prepayment`, `Loan ${loan.id} prepayment`);
        for (const i of unpaid) {
          const wasDue = i.dueAt.getTime() <= now;
          await loans.updateInstalment(trx, loan.id, i.number, {
            status: wasDue ? 'paid' : 'waived',
            ...(wasDue ? { paid_at: new Date() } : {}),
            journal_id: i === unpaid[0] ? journalId : null,
          });
        }
        await closeIfRepaid(trx, loan, 'prepaid');
        return { paidPaise: total };
      });
    },
  };
}
