import { allHandlersFinished, condition, proxyActivities } from '@temporalio/workflow';
import type { ClaimResult, createInsuranceActivities } from '../activities/insurance.activities';
import { approvalGate, dbRetry, showRequest, showStatus } from './approval';
import type { ClaimStatus, ClaimWorkflowInput } from './contracts';

type InsuranceActivities = ReturnType<typeof createInsuranceActivities>;
const claims = proxyActivities<InsuranceActivities>({ startToCloseTimeout: '30 seconds', retry: dbRetry });

/**
 * One insurance claim (SPEC §7, §9), workflow id `claim-<id>`. One approver decides through the shared approvals
 * gate; the worker may cancel while it waits; at the SLA it escalates and at its end it expires. Approval pays the
 * claim from the insurance pool to the wallet in one step; every other outcome closes it without money moving.
 */
export async function claimWorkflow(input: ClaimWorkflowInput): Promise<ClaimResult> {
  let status: ClaimStatus = 'pending_approval';
  showRequest('claim', input.workerId, status, input.payoutPaise);
  const gate = approvalGate({
    requestId: input.claimId,
    requestType: 'claim',
    approvalsRequired: 1,
    seniorRequired: false,
    status: () => status,
    cancellable: () => ['pending_approval'],
  });
  const outcome = await gate.outcome(input.timings);
  const result =
    outcome.kind === 'approved'
      ? await claims.payInsuranceClaim({ claimId: input.claimId, adminId: outcome.approvals.at(-1)?.adminId })
      : await claims.closeInsuranceClaim({
          claimId: input.claimId,
          status: outcome.kind,
          reason: outcome.reason,
          adminId: outcome.kind === 'rejected' ? outcome.adminId : undefined,
        });
  status = result.status;
  showStatus(status);
  gate.settled();
  await condition(allHandlersFinished);
  return result;
}
