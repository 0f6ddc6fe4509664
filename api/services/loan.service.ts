import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/knex';
import type { Loan, LoanInstalment, LoanRepository } from '../db/loan.repository';
import type { OutboxRepository } from '../db/outbox.repository';
import type { PlanRepository } from '../db/plan.repository';
import type { RequestRepository } from '../db/request.repository';
import { istDay } from '../domain/ist';
import {
  arrearsBucket,
  defaultLoanRules,
  emiSchedule,
  loanAmountProblem,
  loanEligibility,
  tenureMonthsFor,
  type ArrearsBucket,
  type LoanAmountProblem,
  type LoanEligibility,
  type LoanRules,
} from '../domain/loan';
import { AppError, ErrorCode } from '../errors';
import type { DocumentService } from './document.service';
import { fingerprintOf, replayOf } from './idempotency';
import { prepayLoanUpdate, requestWorkflowId, type LoanWorkflowInput } from '../../workflows/contracts';
import { startRequestWorkflow } from '../temporal/request-workflows';
import { openRequest } from './open-request';

const UNIQUE_VIOLATION = '23505';
/** Prepayment waits for its journal; with PostgreSQL down the HTTP call gives up rather than hang. */
const UPDATE_DEADLINE_MS = 20_000;
const DAY_MS = 86_400_000;

export interface LoanQuote {
  amountPaise: number;
  annualRateBps: number;
  tenureMonths: number;
  emiPaise: number;
  totalInterestPaise: number;
  /** Two distinct approvers (one senior) decide from LOAN_FOUR_EYES_FROM_PAISE. */
  approvalsRequired: 1 | 2;
  /** Why this amount cannot be lent, with its figures; null when it can. */
  refusal: LoanAmountProblem | null;
}

export interface ArrearsReport {
  buckets: Array<{ bucket: ArrearsBucket; instalments: number; loans: number; amountPaise: number }>;
  items: Array<{
    loanId: string;
    workerId: string;
    number: number;
    dueOn: string;
    daysOverdue: number;
    bucket: ArrearsBucket;
    amountPaise: number;
  }>;
}

/** Emergency loans (SPEC §6): eligibility, quotes, applications (durable workflows), prepayment, arrears. */
export function createLoanService(deps: {
  db: Db;
  loans: LoanRepository;
  plans: Pick<PlanRepository, 'lockWorker'>;
  requests: RequestRepository;
  outbox: OutboxRepository;
  documents: DocumentService;
  temporal: Client;
  config: Pick<
    Config,
    | 'TEMPORAL_TASK_QUEUE'
    | 'LOAN_MIN_PAISE'
    | 'LOAN_MAX_PAISE'
    | 'LOAN_FOUR_EYES_FROM_PAISE'
    | 'LOAN_RETRY_INTERVAL_MS'
    | 'LOAN_RETRIES_BEFORE_OVERDUE'
    | 'approvalTimings'
  >;
  now?: () => Date;
}) {
  const { db, loans, requests, outbox, documents, temporal, config } = deps;
  const now = deps.now ?? (() => new Date());
  const rules: LoanRules = {
    ...defaultLoanRules,
    minAmountPaise: config.LOAN_MIN_PAISE,
    maxAmountPaise: config.LOAN_MAX_PAISE,
  };
  const fourEyes = (amountPaise: number) => amountPaise >= config.LOAN_FOUR_EYES_FROM_PAISE;

  async function eligibilityOf(workerId: string, trx?: Parameters<LoanRepository['hasOpenLoan']>[1]) {
    const worker: { created_at: Date } | undefined = await (trx ?? db)('workers')
      .where({ id: workerId })
      .first('created_at');
    if (!worker) throw AppError.notFound('Worker');
    const today = istDay(now());
    // Sequential: inside a transaction both would share one connection.
    const dailyEarnings = await loans.dailyEarnings(workerId, today - rules.windowDays + 1, trx);
    const hasOpenLoan = await loans.hasOpenLoan(workerId, trx);
    return loanEligibility({ registeredOn: istDay(worker.created_at), today, dailyEarnings, hasOpenLoan }, rules);
  }

  function quoteFor(amountPaise: number, eligibility: LoanEligibility): LoanQuote {
    const problem = loanAmountProblem(amountPaise, eligibility, rules);
    const tenureMonths = tenureMonthsFor(amountPaise, rules);
    const today = new Date(now().getTime() + 19_800_000);
    const schedule =
      amountPaise > 0 && Number.isSafeInteger(amountPaise)
        ? emiSchedule({
            principalPaise: amountPaise,
            annualRateBps: eligibility.annualRateBps,
            months: tenureMonths,
            disbursedOn: { year: today.getUTCFullYear(), month: today.getUTCMonth() + 1, day: today.getUTCDate() },
          })
        : { emiPaise: 0, totalInterestPaise: 0 };
    return {
      amountPaise,
      annualRateBps: eligibility.annualRateBps,
      tenureMonths,
      emiPaise: schedule.emiPaise,
      totalInterestPaise: schedule.totalInterestPaise,
      approvalsRequired: fourEyes(amountPaise) ? 2 : 1,
      refusal: problem ?? null,
    };
  }

  async function ensureWorkflow(loan: Loan): Promise<void> {
    if (loan.status !== 'pending_approval' && loan.status !== 'active') return;
    const input: LoanWorkflowInput = {
      loanId: loan.id,
      workerId: loan.workerId,
      amountPaise: loan.amountPaise,
      approvalsRequired: fourEyes(loan.amountPaise) ? 2 : 1,
      seniorRequired: fourEyes(loan.amountPaise),
      timings: config.approvalTimings.loan,
      retryIntervalMs: config.LOAN_RETRY_INTERVAL_MS,
      retriesBeforeOverdue: config.LOAN_RETRIES_BEFORE_OVERDUE,
    };
    await startRequestWorkflow(temporal, requests, {
      id: loan.id,
      type: 'loan',
      workflowType: 'loanWorkflow',
      workflowId: loan.workflowId,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      input,
      workerId: loan.workerId,
      status: loan.status,
      amountPaise: loan.amountPaise,
      details: { loanId: loan.id },
      retryHint: 'The application was saved but could not be started yet; retry with the same Idempotency-Key',
    });
  }

  async function ownLoan(workerId: string, loanId: string): Promise<Loan> {
    const loan = await loans.findById(loanId);
    if (!loan || loan.workerId !== workerId) throw AppError.notFound('Loan');
    return loan;
  }

  return {
    rules,

    /** Recovery sweep: starts the workflow of a stored application whose start was lost. */
    async resume(loanId: string): Promise<void> {
      const loan = await loans.findById(loanId);
      if (loan) await ensureWorkflow(loan);
    },

    async eligibility(workerId: string): Promise<{ eligibility: LoanEligibility; bestOffer: LoanQuote | null }> {
      const eligibility = await eligibilityOf(workerId);
      return {
        eligibility,
        bestOffer: eligibility.eligible ? quoteFor(eligibility.maxAmountPaise, eligibility) : null,
      };
    },

    async quote(workerId: string, amountPaise: number): Promise<LoanQuote> {
      return quoteFor(amountPaise, await eligibilityOf(workerId));
    },

    /**
     * The application: under the worker's lock, eligibility and amount are checked, the proof document is bound,
     * and the loan, its request row and event are stored in one transaction (the database also refuses a second
     * open loan). Then the workflow starts. Idempotent by key.
     */
    async apply(input: {
      workerId: string;
      amountPaise: number;
      documentId: string;
      idempotencyKey: string;
    }): Promise<{ loan: Loan; replayed: boolean }> {
      const fingerprint = fingerprintOf({ amountPaise: input.amountPaise, documentId: input.documentId });
      let result: { loan: Loan; replayed: boolean };
      try {
        result = await db.transaction(async (trx) => {
          if (!(await deps.plans.lockWorker(input.workerId, trx))) throw AppError.notFound('Worker');
          const earlier = replayOf(
            await loans.findByIdempotencyKey(input.workerId, input.idempotencyKey, trx),
            fingerprint,
            'This Idempotency-Key was already used for a different application; use a new key',
          );
          if (earlier) return { loan: earlier, replayed: true };
          const eligibility = await eligibilityOf(input.workerId, trx);
          const quote = quoteFor(input.amountPaise, eligibility);
          // The figures travel with the code (the range, or the limiting condition's), so an app can word the
          // refusal in any language.
          const { refusal } = quote;
          if (refusal?.code === 'AMOUNT_OUT_OF_RANGE') {
            throw new AppError(ErrorCode.AMOUNT_OUT_OF_RANGE, refusal.message, {
              limitingCondition: null,
              maxAmountPaise: eligibility.maxAmountPaise,
              ...refusal.details,
            });
          }
          if (refusal) {
            throw new AppError(ErrorCode.LOAN_NOT_ALLOWED, refusal.message, {
              ...refusal.details,
              maxAmountPaise: eligibility.maxAmountPaise,
            });
          }
          const id = randomUUID();
          await documents.attach(trx, input.workerId, 'loan_proof', [input.documentId], id);
          const loan = await loans.insert(trx, {
            id,
            workerId: input.workerId,
            amountPaise: input.amountPaise,
            annualRateBps: quote.annualRateBps,
            tenureMonths: quote.tenureMonths,
            emiPaise: quote.emiPaise,
            totalInterestPaise: quote.totalInterestPaise,
            eligibility,
            documentId: input.documentId,
            idempotencyKey: input.idempotencyKey,
            requestFingerprint: fingerprint,
            workflowId: requestWorkflowId('loan', id),
          });
          await openRequest(
            trx,
            { requests, outbox },
            {
              id,
              type: 'loan',
              workerId: input.workerId,
              amountPaise: input.amountPaise,
              status: loan.status,
              workflowId: loan.workflowId,
              approvalsRequired: quote.approvalsRequired,
              seniorRequired: fourEyes(input.amountPaise),
              ...config.approvalTimings.loan,
            },
          );
          return { loan, replayed: false };
        });
      } catch (err) {
        if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
          // A concurrent application won the one-open-loan key: the same refusal, figures included, as when the
          // open loan is found first.
          throw new AppError(ErrorCode.LOAN_NOT_ALLOWED, 'You already have a loan open; repay it first', {
            limitingCondition: 'OPEN_LOAN',
            maxAmountPaise: (await eligibilityOf(input.workerId)).maxAmountPaise,
          });
        }
        throw err;
      }
      await ensureWorkflow(result.loan);
      return result;
    },

    list: (workerId: string) => loans.listForWorker(workerId),

    async get(workerId: string, loanId: string): Promise<{ loan: Loan; instalments: LoanInstalment[] }> {
      const loan = await ownLoan(workerId, loanId);
      return { loan, instalments: await loans.instalments(loan.id) };
    },

    async getForAdmin(loanId: string): Promise<{ loan: Loan; instalments: LoanInstalment[] }> {
      const loan = await loans.findById(loanId);
      if (!loan) throw AppError.notFound('Loan');
      return { loan, instalments: await loans.instalments(loan.id) };
    },

    /** Pays the whole outstanding principal (and any arrears) now; the loan closes. */
    async prepay(workerId: string, loanId: string): Promise<{ loan: Loan; paidPaise: number }> {
      const loan = await ownLoan(workerId, loanId);
      if (loan.status !== 'active') {
        throw new AppError(
          ErrorCode.DECISION_NOT_ALLOWED,
          `Refused: only an active loan can be prepaid; this one is ${loan.status.replace(/_/g, ' ')}`,
        );
      }
      try {
        const { paidPaise } = await temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
          temporal.workflow.getHandle(loan.workflowId).executeUpdate(prepayLoanUpdate),
        );
        return { loan: (await loans.findById(loanId))!, paidPaise };
      } catch (err) {
        if ((err as Error).name === 'WorkflowUpdateFailedError') {
          const cause = (err as Error & { cause?: Error }).cause?.message ?? 'not possible now';
          throw new AppError(
            /balance is too low/.test(cause) ? ErrorCode.INSUFFICIENT_FUNDS : ErrorCode.DECISION_NOT_ALLOWED,
            cause,
          );
        }
        throw err;
      }
    },

    /** Overdue instalments by age (SPEC §6: 1–30, 31–60, 61–90, 90+ days). */
    async arrears(): Promise<ArrearsReport> {
      const today = now().getTime();
      const items = (await loans.overdue()).map((i) => {
        const daysOverdue = Math.max(1, Math.floor((today - i.dueAt.getTime()) / DAY_MS));
        return {
          loanId: i.loanId,
          workerId: i.workerId,
          number: i.number,
          dueOn: i.dueOn,
          daysOverdue,
          bucket: arrearsBucket(daysOverdue)!,
          amountPaise: i.principalPaise + i.interestPaise + i.lateFeePaise,
        };
      });
      const buckets = (['1-30', '31-60', '61-90', '90+'] as const).map((bucket) => {
        const inBucket = items.filter((i) => i.bucket === bucket);
        return {
          bucket,
          instalments: inBucket.length,
          loans: new Set(inBucket.map((i) => i.loanId)).size,
          amountPaise: inBucket.reduce((sum, i) => sum + i.amountPaise, 0),
        };
      });
      return { buckets, items };
    },
  };
}

export type LoanService = ReturnType<typeof createLoanService>;
