import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createLoanActivities } from '../activities/loan.activities';
import { approvalGate, dbRetry, showRequest, showStatus } from './approval';
import { BusinessErrorType, prepayLoanUpdate, type LoanStatus, type LoanWorkflowInput } from './contracts';

type LoanActivities = ReturnType<typeof createLoanActivities>;
const loans = proxyActivities<LoanActivities>({ startToCloseTimeout: '30 seconds', retry: dbRetry });

/** A run that has waited through this many attempts continues as new, so even months of arrears stay small. */
const ATTEMPTS_PER_RUN = 40;

/**
 * One emergency loan (SPEC §6). First run: the approval (one approver below ₹25,000, two distinct ones from it,
 * one of them senior), then the disbursal journal. Then the repayment phase, one run per instalment
 * (continue-as-new), so a 24-month loan never carries a long history: wait for the due date, auto-debit, retry
 * daily, overdue with the late fee after the retries; the worker may prepay at any time to close early.
 */
export async function loanWorkflow(input: LoanWorkflowInput): Promise<LoanStatus> {
  return input.repaying ? repay(input) : approveAndDisburse(input);
}

async function approveAndDisburse(input: LoanWorkflowInput): Promise<LoanStatus> {
  let status: LoanStatus = 'pending_approval';
  showRequest('loan', input.workerId, status, input.amountPaise);
  const gate = approvalGate({
    requestId: input.loanId,
    requestType: 'loan',
    approvalsRequired: input.approvalsRequired,
    seniorRequired: input.seniorRequired,
    status: () => status,
    cancellable: () => ['pending_approval'],
  });
  const outcome = await gate.outcome(input.timings);
  if (outcome.kind === 'approved') {
    status = await loans.disburseLoan({ loanId: input.loanId });
  } else {
    status = await loans.closeLoanRequest({
      loanId: input.loanId,
      status: outcome.kind,
      reason: outcome.reason,
      adminId: outcome.kind === 'rejected' ? outcome.adminId : undefined,
    });
  }
  showStatus(status);
  gate.settled();
  await condition(allHandlersFinished);
  if (status !== 'active') return status;
  return continueAsNew<typeof loanWorkflow>({ ...input, repaying: true });
}

async function repay(input: LoanWorkflowInput): Promise<LoanStatus> {
  let closed = false;
  setHandler(
    prepayLoanUpdate,
    async () => {
      const result = await loans.prepayLoan({ loanId: input.loanId });
      if ('refused' in result) {
        throw ApplicationFailure.nonRetryable(result.refused, BusinessErrorType.DECISION_REFUSED);
      }
      closed = true;
      showStatus('closed');
      return { loanId: input.loanId, paidPaise: result.paidPaise };
    },
    {
      validator: () => {
        if (closed) throw new Error('the loan is already closed');
      },
    },
  );

  const finish = async (): Promise<LoanStatus> => {
    await condition(allHandlersFinished);
    return 'closed';
  };

  const { next } = await loans.nextRepayment({ loanId: input.loanId });
  if (!next || closed) {
    showStatus('closed');
    return finish();
  }
  // Sleep until the due date; a prepayment ends the wait (and the loan).
  if (await condition(() => closed, Math.max(Date.parse(next.dueAt) - Date.now(), 1))) return finish();

  // Debit what is due; while something due stays unpaid, retry daily. Caught up: the next run sleeps until the
  // next due date. Each instalment falls overdue on its own dates (retries spent), however many are due together.
  const overdueAfterMs = input.retriesBeforeOverdue * input.retryIntervalMs;
  for (let attempt = 0; attempt < ATTEMPTS_PER_RUN; attempt++) {
    const { closed: repaid, unpaidDue } = await loans.collectDueInstalments({ loanId: input.loanId, overdueAfterMs });
    if (closed || repaid) {
      showStatus('closed');
      return finish();
    }
    if (unpaidDue === 0) break;
    if (await condition(() => closed, input.retryIntervalMs)) return finish();
    if (workflowInfo().continueAsNewSuggested) break;
  }
  await condition(allHandlersFinished);
  return continueAsNew<typeof loanWorkflow>(input);
}
