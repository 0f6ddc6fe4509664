import type { NewOutboxEvent } from '../db/outbox.repository';
import {
  eventTypes,
  type InsuranceCoverageChangedPayload,
  type LoanInstalmentChangedPayload,
  type RequestStatusChangedPayload,
  type WithdrawalStatusChangedPayload,
} from './event-catalogue';

/**
 * What a worker is told about an event, in words: the notification centre's row and the push message. English
 * here; `data` carries the event's type and ids as strings (FCM data values must be strings), so an app can show
 * its own language instead.
 */
export interface NotificationText {
  title: string;
  body: string;
  data: Record<string, string>;
}

const rupees = (paise: number): string => {
  const whole = Math.floor(paise / 100);
  const rest = paise % 100;
  return `₹${whole.toLocaleString('en-IN')}${rest ? `.${String(rest).padStart(2, '0')}` : ''}`;
};

const withdrawalText: Record<WithdrawalStatusChangedPayload['status'], (p: WithdrawalStatusChangedPayload) => string> =
  {
    pending_approval: (p) => `Your withdrawal of ${rupees(p.amountPaise)} is waiting for approval.`,
    approved: (p) => `Your withdrawal of ${rupees(p.amountPaise)} was approved; the money is on its way.`,
    paying: (p) => `${rupees(p.netPaise)} is being sent to your bank account.`,
    paid: (p) => `${rupees(p.netPaise)} reached your bank account.`,
    rejected: (p) => `Your withdrawal of ${rupees(p.amountPaise)} was declined: ${p.reason ?? 'no reason given'}.`,
    cancelled: (p) => `You cancelled your withdrawal of ${rupees(p.amountPaise)}; the money is back in your wallet.`,
    expired: (p) =>
      `Your withdrawal of ${rupees(p.amountPaise)} was not decided in time; the money is back in your wallet.`,
    failed: (p) => `Your withdrawal of ${rupees(p.amountPaise)} could not be paid; the money is back in your wallet.`,
  };

const requestNames: Record<string, string> = {
  loan: 'loan application',
  claim: 'insurance claim',
  deletion: 'account deletion request',
};

function requestBody(p: RequestStatusChangedPayload): string {
  const what = requestNames[p.requestType] ?? 'request';
  const amount = p.amountPaise === null ? '' : ` for ${rupees(p.amountPaise)}`;
  switch (`${p.requestType}:${p.status}`) {
    case 'loan:active':
      return `Your loan${amount} was approved and paid into your wallet.`;
    case 'loan:closed':
      return 'Your loan is fully repaid and closed.';
    case 'claim:paid':
      return `Your insurance claim was approved: ${rupees(p.amountPaise ?? 0)} is in your wallet.`;
    case 'deletion:grace':
      return 'Your account will be deleted in 7 days. You can still cancel until then.';
    case 'deletion:erased':
      return 'Your account has been deleted.';
  }
  switch (p.status) {
    case 'pending_approval':
      return `Your ${what}${amount} is waiting for approval.`;
    case 'rejected':
      return `Your ${what}${amount} was declined: ${p.reason ?? 'no reason given'}.`;
    case 'cancelled':
      return `Your ${what}${amount} was cancelled.${p.reason && p.reason !== 'cancelled by the worker' ? ` ${p.reason}` : ''}`;
    case 'expired':
      return `Your ${what}${amount} was not decided in time and has closed.`;
    default:
      return p.reason ?? `Your ${what} is now ${p.status.replace(/_/g, ' ')}.`;
  }
}

/** The words for a worker-facing event, or undefined for events workers are not told about (admin-only ones). */
export function notificationFor(
  event: Pick<NewOutboxEvent, 'type' | 'workerId' | 'payload'>,
): NotificationText | undefined {
  if (!event.workerId) return undefined;
  switch (event.type) {
    case eventTypes.withdrawalStatusChanged: {
      const p = event.payload as WithdrawalStatusChangedPayload;
      return {
        title: 'Withdrawal',
        body: withdrawalText[p.status]?.(p) ?? `Your withdrawal is now ${p.status.replace(/_/g, ' ')}.`,
        data: { type: event.type, withdrawalId: p.withdrawalId, status: p.status },
      };
    }
    case eventTypes.requestStatusChanged: {
      const p = event.payload as RequestStatusChangedPayload;
      const titles: Record<string, string> = { loan: 'Loan', claim: 'Insurance claim', deletion: 'Account' };
      return {
        title: titles[p.requestType] ?? 'Request',
        body: requestBody(p),
        data: { type: event.type, requestType: p.requestType, requestId: p.requestId, status: p.status },
      };
    }
    case eventTypes.loanInstalmentChanged: {
      const p = event.payload as LoanInstalmentChangedPayload;
      return {
        title: 'Loan repayment',
        body:
          p.status === 'paid'
            ? `Instalment ${p.number} of ${rupees(p.amountPaise)} was paid from your wallet.`
            : p.status === 'overdue'
              ? `Instalment ${p.number} is overdue: add ${rupees(p.amountPaise)} to your wallet (this includes a ${rupees(p.lateFeePaise)} late fee).`
              : `Instalment ${p.number} is settled.`,
        data: { type: event.type, loanId: p.loanId, number: String(p.number), status: p.status },
      };
    }
    case eventTypes.insuranceCoverageChanged: {
      const p = event.payload as InsuranceCoverageChangedPayload;
      const bodies: Record<string, string> = {
        active: 'Your insurance cover is active.',
        grace: 'Your insurance premium is due: add money to your wallet within 7 days to stay covered.',
        lapsed: 'Your insurance cover has lapsed; it resumes when the premium is paid.',
        opted_out: 'Your insurance cover has ended.',
      };
      return {
        title: 'Insurance',
        body:
          p.optOutEffectiveOn && p.status !== 'opted_out'
            ? `Your insurance cover ends on ${p.optOutEffectiveOn}.`
            : (bodies[p.status] ?? 'Your insurance cover changed.'),
        data: { type: event.type, status: p.status },
      };
    }
    default:
      return undefined;
  }
}
