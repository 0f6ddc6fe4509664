import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/knex';
import { AppError, ErrorCode } from '../../errors';
import { requireWorker } from '../../plugins/auth';
import { commonErrorResponses, Currency, Timestamp, Uuid } from '../../schemas/common';
import { walletHistory, type HistoryItem } from './history.query';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const HistoryItemView = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union(
      [
        'earning',
        'withdrawal',
        'fee',
        'insurance_contribution',
        'plan',
        'loan_disbursal',
        'loan_instalment',
        'premium',
        'claim_payout',
        'reversal',
        'adjustment',
      ].map((k) => Type.Literal(k)),
      {
        description:
          'earning (a synced trip), withdrawal (to the bank), fee (service or late fee), insurance_contribution ' +
          '(1% of a withdrawal), plan, loan_disbursal, loan_instalment, premium, claim_payout, reversal, adjustment',
      },
    ),
    amountPaise: Type.Integer({ description: 'Signed paise: positive into the wallet, negative out of it' }),
    currency: Currency,
    at: Timestamp,
    journalId: Uuid,
    description: Nullable(Type.String()),
    reference: Type.Object({
      withdrawalId: Nullable(Uuid),
      loanId: Nullable(Uuid),
      claimId: Nullable(Uuid),
      planCode: Nullable(Type.String()),
      platformName: Nullable(Type.String()),
      month: Nullable(Type.String()),
    }),
  },
  { $id: 'HistoryItem' },
);

const HistoryQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: "The previous page's nextCursor" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 30 })),
  },
  { additionalProperties: false },
);

const toView = (i: HistoryItem) => ({ ...i, currency: 'INR' as const, at: i.at.toISOString() });

/** Every money movement of the worker's wallet, straight from the ledger (SPEC §2), newest first. */
const historyRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (fastify, { db }) => {
  fastify.get(
    '/v1/me/history',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['withdrawals'],
        summary: 'My money history: every ledger movement of my wallet, newest first',
        description:
          'A withdrawal shows as up to three lines (paid to the bank, service fee, insurance share); a loan ' +
          'instalment with a late fee as two. Money on hold for a withdrawal in flight is not a movement yet: ' +
          'GET /v1/me/balance shows it as heldPaise.',
        security: [{ bearer: [] }],
        querystring: HistoryQuery,
        response: {
          200: Type.Object({ items: Type.Array(HistoryItemView), nextCursor: Nullable(Type.String()) }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const before = request.query.cursor === undefined ? undefined : Number(request.query.cursor);
      if (before !== undefined && !Number.isSafeInteger(before)) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'The cursor is not one this API issued');
      }
      const page = await walletHistory(db, requireWorker(request), {
        beforePostingId: before,
        limit: request.query.limit ?? 30,
      });
      return {
        items: page.items.map(toView),
        nextCursor: page.nextBeforePostingId === null ? null : String(page.nextBeforePostingId),
      };
    },
  );
};

export default historyRoutes;
