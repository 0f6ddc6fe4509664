import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWorker } from '../../plugins/auth';
import {
  CreateDeletionBody,
  DeletionOverviewView,
  DeletionView,
  toDeletionOverview,
  toDeletionView,
} from '../../schemas/account-deletion';
import { commonErrorResponses, ErrorResponse } from '../../schemas/common';
import type { AccountDeletionService } from '../../services/account-deletion.service';

/** The worker's own account (SPEC §8): deletion requests. Always the caller's own; no id is taken from outside. */
const accountRoutes: FastifyPluginAsyncTypebox<{ deletions: AccountDeletionService }> = async (fastify, opts) => {
  const { deletions } = opts;
  const security = [{ bearer: [] }];

  fastify.get(
    '/v1/account/deletion',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['account'],
        summary: 'My account deletion request (open or latest) and what blocks deleting my account now',
        security,
        response: { 200: DeletionOverviewView, ...commonErrorResponses },
      },
    },
    async (request) => toDeletionOverview(await deletions.overview(requireWorker(request))),
  );

  fastify.post(
    '/v1/account/deletion',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.money },
      schema: {
        tags: ['account'],
        summary: 'Ask for my account to be deleted',
        description:
          'An admin approves or rejects; after approval there is a grace period (7 days) in which it can still be ' +
          'cancelled, then personal data (name, phone, email, documents) is erased and every session ends; ledger ' +
          'and audit history stay under a pseudonym. Refused with 409 DELETION_NOT_ALLOWED, storing nothing, while ' +
          'a loan is open, a withdrawal or claim is in flight or the wallet holds money: `details.preconditions` ' +
          'names each. One open request per worker: when one is open it is returned (200) and nothing new is stored.',
        security,
        body: CreateDeletionBody,
        response: { 200: DeletionView, 201: DeletionView, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const { deletion, created } = await deletions.request({
        workerId: requireWorker(request),
        reason: request.body.reason,
        text: request.body.text,
      });
      return reply.status(created ? 201 : 200).send(toDeletionView(deletion));
    },
  );

  fastify.post(
    '/v1/account/deletion/cancel',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.money },
      schema: {
        tags: ['account'],
        summary: 'Cancel my deletion request while it waits for approval or during the grace period',
        description: '404 when no request is open; 409 once erasure has started.',
        security,
        response: { 200: DeletionView, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => toDeletionView(await deletions.cancel(requireWorker(request))),
  );
};

export default accountRoutes;
