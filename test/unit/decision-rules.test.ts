import { decisionProblem, type DecisionInput, type WithdrawalStatus } from '../../workflows/contracts';

const approve: DecisionInput = { decision: 'approve', adminId: 'a-1' };

describe('decisionProblem', () => {
  it.each<[string, WithdrawalStatus, DecisionInput, string | undefined]>([
    ['approval of a pending request', 'pending_approval', approve, undefined],
    [
      'rejection with a reason',
      'pending_approval',
      { decision: 'reject', adminId: 'a-1', reason: 'duplicate' },
      undefined,
    ],
    [
      'rejection without a reason',
      'pending_approval',
      { decision: 'reject', adminId: 'a-1' },
      'a reason is required to reject',
    ],
    [
      'rejection with a blank reason',
      'pending_approval',
      { decision: 'reject', adminId: 'a-1', reason: '   ' },
      'a reason is required to reject',
    ],
    ['a second approval', 'approved', approve, 'the withdrawal is already approved'],
    ['approval after rejection', 'rejected', approve, 'the withdrawal is already rejected'],
    ['approval after expiry', 'expired', approve, 'the withdrawal is already expired'],
    [
      'an unknown decision',
      'pending_approval',
      { decision: 'maybe' as 'approve', adminId: 'a-1' },
      'decision must be "approve" or "reject"',
    ],
    ['no admin', 'pending_approval', { decision: 'approve', adminId: '' }, 'adminId is required'],
  ])('%s', (_name, status, input, expected) => {
    expect(decisionProblem(status, input)).toBe(expected);
  });
});
