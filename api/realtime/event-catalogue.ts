import { Type, type Static } from '@sinclair/typebox';
import type { NewOutboxEvent } from '../db/outbox.repository';
import type { Reconciliation } from '../db/reconciliation.repository';
import type { Withdrawal } from '../db/withdrawal.repository';

/**
 * The versioned catalogue of real-time events (Socket.IO event name = `type`). Fronts and native apps rely on
 * these names and payloads: add fields freely, but a breaking change needs a new version number.
 */
export const EVENT_CATALOGUE_VERSION = 1;

export const WithdrawalStatusChangedPayload = Type.Object({
  withdrawalId: Type.String({ format: 'uuid' }),
  status: Type.Union(
    ['pending_approval', 'approved', 'paying', 'paid', 'rejected', 'cancelled', 'expired', 'failed'].map((s) =>
      Type.Literal(s),
    ),
  ),
  netPaise: Type.Integer({ description: 'What reaches the bank account' }),
  amountPaise: Type.Integer(),
  currency: Type.Literal('INR'),
  reason: Type.Union([Type.String(), Type.Null()]),
  occurredAt: Type.String({ format: 'date-time' }),
});
export type WithdrawalStatusChangedPayload = Static<typeof WithdrawalStatusChangedPayload>;

export const EventEnvelope = Type.Object({
  eventId: Type.Integer({ description: 'Stable across redeliveries; ordered per worker' }),
  type: Type.String(),
  version: Type.Literal(EVENT_CATALOGUE_VERSION),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type EventEnvelope = Static<typeof EventEnvelope>;

export const LedgerDriftDetectedPayload = Type.Object({
  reconciliationId: Type.String({ format: 'uuid' }),
  findings: Type.Integer({ minimum: 1 }),
  checks: Type.Array(Type.String()),
  checkedAt: Type.String({ format: 'date-time' }),
});
export type LedgerDriftDetectedPayload = Static<typeof LedgerDriftDetectedPayload>;

export const eventTypes = {
  withdrawalStatusChanged: 'withdrawal.status_changed',
  ledgerDriftDetected: 'ledger.drift_detected',
} as const;

export function withdrawalStatusChanged(withdrawal: Withdrawal): NewOutboxEvent {
  const payload: WithdrawalStatusChangedPayload = {
    withdrawalId: withdrawal.id,
    status: withdrawal.status,
    amountPaise: withdrawal.amountPaise,
    netPaise: withdrawal.netPaise,
    currency: withdrawal.currency,
    reason: withdrawal.failureReason ?? withdrawal.decisionReason,
    occurredAt: withdrawal.updatedAt.toISOString(),
  };
  return { type: eventTypes.withdrawalStatusChanged, workerId: withdrawal.workerId, toAdmins: true, payload };
}

/** For admins only: a reconciliation found the ledger's invariants broken. */
export function ledgerDriftDetected(report: Reconciliation): NewOutboxEvent {
  const payload: LedgerDriftDetectedPayload = {
    reconciliationId: report.id,
    findings: report.findings.length,
    checks: [...new Set(report.findings.map((f) => f.check))],
    checkedAt: report.checkedAt.toISOString(),
  };
  return { type: eventTypes.ledgerDriftDetected, toAdmins: true, payload };
}
