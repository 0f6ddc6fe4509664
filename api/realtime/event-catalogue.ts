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
  eventId: Type.Integer({ description: 'Stable across redeliveries: de-duplicate by it' }),
  seq: Type.Integer({
    description: 'Publication order (commit-ordered): keep the highest seen and send it to `resync` on reconnect',
  }),
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

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

/** A loan, claim or deletion request changed status; one shape for the three so the app handles them alike. */
export const RequestStatusChangedPayload = Type.Object({
  requestId: Type.String({ format: 'uuid' }),
  requestType: Type.Union(['loan', 'claim', 'deletion'].map((t) => Type.Literal(t))),
  status: Type.String({ description: 'The subject status, e.g. pending_approval, active, paid, grace, erased' }),
  amountPaise: Type.Union([Type.Integer(), Type.Null()]),
  reason: Nullable(Type.String()),
  occurredAt: Type.String({ format: 'date-time' }),
});
export type RequestStatusChangedPayload = Static<typeof RequestStatusChangedPayload>;

/** An instalment was debited or fell overdue (with its late fee). */
export const LoanInstalmentChangedPayload = Type.Object({
  loanId: Type.String({ format: 'uuid' }),
  number: Type.Integer({ minimum: 1 }),
  status: Type.Union(['paid', 'overdue', 'waived'].map((s) => Type.Literal(s))),
  amountPaise: Type.Integer(),
  lateFeePaise: Type.Integer(),
  occurredAt: Type.String({ format: 'date-time' }),
});
export type LoanInstalmentChangedPayload = Static<typeof LoanInstalmentChangedPayload>;

export const InsuranceCoverageChangedPayload = Type.Object({
  status: Type.Union(['active', 'grace', 'lapsed', 'opted_out'].map((s) => Type.Literal(s))),
  optOutEffectiveOn: Nullable(Type.String({ format: 'date' })),
  occurredAt: Type.String({ format: 'date-time' }),
});
export type InsuranceCoverageChangedPayload = Static<typeof InsuranceCoverageChangedPayload>;

/** Admins only: something in the approvals inbox changed (decision, escalation, claim, status). */
export const RequestUpdatedPayload = Type.Object({
  requestId: Type.String({ format: 'uuid' }),
  requestType: Type.Union(['withdrawal', 'loan', 'claim', 'deletion'].map((t) => Type.Literal(t))),
  change: Type.Union(['decision', 'escalated'].map((c) => Type.Literal(c))),
  occurredAt: Type.String({ format: 'date-time' }),
});
export type RequestUpdatedPayload = Static<typeof RequestUpdatedPayload>;

export const eventTypes = {
  withdrawalStatusChanged: 'withdrawal.status_changed',
  requestStatusChanged: 'request.status_changed',
  loanInstalmentChanged: 'loan.instalment_changed',
  insuranceCoverageChanged: 'insurance.coverage_changed',
  requestUpdated: 'request.updated',
  ledgerDriftDetected: 'ledger.drift_detected',
} as const;

/**
 * The catalogue as data: every event type with who receives it and its payload's JSON Schema. Served at
 * `GET /v1/events/catalogue` so the fronts and native apps read the same contract the server emits.
 */
export const eventCatalogue = {
  version: EVENT_CATALOGUE_VERSION,
  envelope: EventEnvelope,
  events: {
    [eventTypes.withdrawalStatusChanged]: { audience: 'worker and admins', payload: WithdrawalStatusChangedPayload },
    [eventTypes.requestStatusChanged]: { audience: 'worker and admins', payload: RequestStatusChangedPayload },
    [eventTypes.loanInstalmentChanged]: { audience: 'worker and admins', payload: LoanInstalmentChangedPayload },
    [eventTypes.insuranceCoverageChanged]: { audience: 'worker', payload: InsuranceCoverageChangedPayload },
    [eventTypes.requestUpdated]: { audience: 'admins', payload: RequestUpdatedPayload },
    [eventTypes.ledgerDriftDetected]: { audience: 'admins', payload: LedgerDriftDetectedPayload },
  },
} as const;

export function requestStatusChanged(
  workerId: string,
  payload: Omit<RequestStatusChangedPayload, 'occurredAt'>,
): NewOutboxEvent {
  const data: RequestStatusChangedPayload = { ...payload, occurredAt: new Date().toISOString() };
  return { type: eventTypes.requestStatusChanged, workerId, toAdmins: true, payload: data };
}

export function loanInstalmentChanged(
  workerId: string,
  payload: Omit<LoanInstalmentChangedPayload, 'occurredAt'>,
): NewOutboxEvent {
  const data: LoanInstalmentChangedPayload = { ...payload, occurredAt: new Date().toISOString() };
  return { type: eventTypes.loanInstalmentChanged, workerId, toAdmins: true, payload: data };
}

export function insuranceCoverageChanged(
  workerId: string,
  payload: Omit<InsuranceCoverageChangedPayload, 'occurredAt'>,
): NewOutboxEvent {
  const data: InsuranceCoverageChangedPayload = { ...payload, occurredAt: new Date().toISOString() };
  return { type: eventTypes.insuranceCoverageChanged, workerId, payload: data };
}

export function requestUpdated(payload: Omit<RequestUpdatedPayload, 'occurredAt'>): NewOutboxEvent {
  const data: RequestUpdatedPayload = { ...payload, occurredAt: new Date().toISOString() };
  return { type: eventTypes.requestUpdated, toAdmins: true, payload: data };
}

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
