import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { commonErrorResponses, Paise, Timestamp } from '../../schemas/common';
import { LOAN_BOOK_BUCKETS, type AdminOverviewService } from '../../services/admin-overview.service';

const Count = Type.Integer({ minimum: 0 });

const OverviewView = Type.Object({
  generatedAt: Timestamp,
  currency: Type.Literal('INR'),
  withdrawalsPerDay: Type.Array(
    Type.Object({
      day: Type.String({ description: 'IST day, YYYY-MM-DD' }),
      requested: Count,
      requestedPaise: Paise,
      paid: Count,
      paidPaise: Paise,
    }),
    { description: 'The last 14 IST days, oldest first, today last' },
  ),
  requestsBySla: Type.Array(
    Type.Object({
      type: Type.String(),
      onTime: Type.Integer({ description: 'Waiting for a decision within the SLA' }),
      escalated: Type.Integer({ description: 'Waiting past the SLA (escalated)' }),
      expired: Type.Integer({ description: 'Expired in the last 14 days' }),
    }),
  ),
  insurancePoolPaise: Type.Integer({ description: 'Balance of the insurance pool account (sum of its postings)' }),
  insurancePoolPerDay: Type.Array(
    Type.Object({
      day: Type.String({ description: 'IST day, YYYY-MM-DD' }),
      inPaise: Type.Integer({ minimum: 0, description: 'Postings into the pool that day (premiums, 1% shares)' }),
      outPaise: Type.Integer({ minimum: 0, description: 'Postings out of the pool that day (claim payouts)' }),
      balancePaise: Type.Integer({ description: 'The pool balance at the end of that IST day (today: so far)' }),
    }),
    { description: 'The last 30 IST days, oldest first, today last' },
  ),
  loanBook: Type.Object({
    activeLoans: Count,
    disbursedPaise: Paise,
    outstandingPrincipalPaise: Paise,
    principalByBucket: Type.Array(
      Type.Object({
        bucket: Type.Union(LOAN_BOOK_BUCKETS.map((b) => Type.Literal(b))),
        principalPaise: Paise,
      }),
      {
        description:
          'Outstanding principal of active loans by days overdue: current (instalments not overdue), then the ' +
          'arrears buckets; the figures add up to outstandingPrincipalPaise',
      },
    ),
    arrears: Type.Array(Type.Object({ bucket: Type.String(), instalments: Count, loans: Count, amountPaise: Paise })),
  }),
  syncHealth: Type.Array(
    Type.Object({
      slug: Type.String(),
      name: Type.String(),
      enabled: Type.Boolean(),
      connectedAccounts: Count,
      lastSyncedAt: Type.Union([Timestamp, Type.Null()]),
      staleAccounts: Type.Integer({ description: 'Connected accounts not synced in two sync intervals' }),
      tripsLast24h: Count,
    }),
  ),
  lastReconciliation: Type.Union([Type.Object({ status: Type.String(), checkedAt: Timestamp }), Type.Null()]),
});

/** The operations dashboard's figures in one read. */
const adminOverviewRoutes: FastifyPluginAsyncTypebox<{ overview: AdminOverviewService }> = async (fastify, opts) => {
  fastify.get(
    '/v1/admin/overview',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary:
          'Dashboard: withdrawals per day, requests by SLA state, insurance pool per day, loan book by days overdue, ' +
          'sync health',
        security: [{ bearer: [] }],
        response: { 200: OverviewView, ...commonErrorResponses },
      },
    },
    async () => opts.overview.overview(),
  );
};

export default adminOverviewRoutes;
