import { Type, type Static } from '@sinclair/typebox';
import type { NewOutboxEvent } from '../db/outbox.repository';
import type { Withdrawal } from '../db/withdrawal.repository';

/**
 * The versioned catalogue of real-time events (Socket.IO event name = `type`). Fronts and native apps rely on
 * these names and payloads: add fields freely, but a breaking change needs a new version number.
 */
export const EVENT_CATALOGUE_VERSION = 1;

export const WithdrawalStatusChangedPayload = Type.Object({
  withdrawalId: Type.String({ format: 'uuid' }),
  status: Type.Union(['pending_approval', 'approved', 'rejected', 'expired'].map((s) => Type.Literal(s))),
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

export const eventTypes = {
  withdrawalStatusChanged: 'withdrawal.status_changed',
} as const;

export function withdrawalStatusChanged(withdrawal: Withdrawal): NewOutboxEvent {
  const payload: WithdrawalStatusChangedPayload = {
    withdrawalId: withdrawal.id,
    status: withdrawal.status,
    amountPaise: withdrawal.amountPaise,
    currency: withdrawal.currency,
    reason: withdrawal.decisionReason,
    occurredAt: (withdrawal.decidedAt ?? withdrawal.createdAt).toISOString(),
  };
  return { type: eventTypes.withdrawalStatusChanged, workerId: withdrawal.workerId, toAdmins: true, payload };
}
