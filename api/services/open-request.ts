import type { Knex } from 'knex';
import type { OutboxRepository } from '../db/outbox.repository';
import type { NewRequest, RequestRepository } from '../db/request.repository';
import { requestStatusChanged } from '../realtime/event-catalogue';

/**
 * A worker's new loan, claim or deletion joins the approvals model: its request row with the first timeline entry,
 * and the worker's first event, inside the transaction that creates the subject. (A withdrawal announces itself
 * with its own event type.)
 */
export async function openRequest(
  trx: Knex.Transaction,
  deps: { requests: RequestRepository; outbox: OutboxRepository },
  request: NewRequest & { type: 'loan' | 'claim' | 'deletion' },
): Promise<void> {
  await deps.requests.insert(trx, request, { actorKind: 'worker', actorId: request.workerId });
  await deps.outbox.append(
    trx,
    requestStatusChanged(request.workerId, {
      requestId: request.id,
      requestType: request.type,
      status: request.status,
      amountPaise: request.amountPaise,
      reason: null,
    }),
  );
}
