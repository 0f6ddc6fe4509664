import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWorker } from '../../plugins/auth';
import { commonErrorResponses, ErrorResponse, IdempotencyKeyHeaders, IdParams } from '../../schemas/common';
import {
  ApplyLoanBody,
  ArrearsView,
  EligibilityView,
  LoanRefusalResponse,
  LoanView,
  QuoteQuery,
  QuoteView,
  toEligibilityView,
  toLoanView,
} from '../../schemas/loan';
import type { ApprovalService } from '../../services/approval.service';
import type { LoanService } from '../../services/loan.service';

const loanRoutes: FastifyPluginAsyncTypebox<{ loans: LoanService; approvals: ApprovalService }> = async (
  fastify,
  { loans, approvals },
) => {
  const security = [{ bearer: [] }];

  fastify.get(
    '/v1/loans/eligibility',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['loans'],
        summary: 'Whether you can borrow, how much, at what rate, and which condition limits you',
        description:
          'limitingCondition names the first rule that refuses, with its figures in details (LOW_SCORE: score, ' +
          'minScore; LOW_EARNINGS: windowDays, earningsInWindowPaise, maxShareOfEarningsBps, sharePaise, ' +
          'minAmountPaise); the rules it is measured by (minScore, minAmountPaise, windowDays, goodDayPaise) ' +
          'are given always.',
        security,
        response: {
          200: Type.Object({ eligibility: EligibilityView, bestOffer: Type.Union([QuoteView, Type.Null()]) }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const { eligibility, bestOffer } = await loans.eligibility(requireWorker(request));
      return { eligibility: toEligibilityView(eligibility, loans.rules), bestOffer };
    },
  );

  fastify.get(
    '/v1/loans/quote',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['loans'],
        summary: 'Tenure, EMI and total interest for an amount, or the rule that refuses it',
        security,
        querystring: QuoteQuery,
        response: { 200: QuoteView, ...commonErrorResponses },
      },
    },
    async (request) => loans.quote(requireWorker(request), request.query.amountPaise),
  );

  fastify.post(
    '/v1/loans',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.money },
      schema: {
        tags: ['loans'],
        summary: 'Apply for an emergency loan with one proof document',
        description:
          'Refusals are 422 naming the rule with its figures in details: LOAN_NOT_ALLOWED (limitingCondition ' +
          'OPEN_LOAN, LOW_SCORE or LOW_EARNINGS, as the eligibility gives it), AMOUNT_OUT_OF_RANGE (minPaise, ' +
          'maxPaise). Below loan.twoApproversFromPaise (GET /v1/rules) one approver decides; from it two distinct ' +
          'approvers, one senior. Idempotent by Idempotency-Key.',
        security,
        headers: IdempotencyKeyHeaders,
        body: ApplyLoanBody,
        response: { 200: LoanView, 201: LoanView, 422: LoanRefusalResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const { loan, replayed } = await loans.apply({
        workerId: requireWorker(request),
        ...request.body,
        idempotencyKey: request.headers['idempotency-key'],
      });
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(replayed ? 200 : 201).send(toLoanView(loan));
    },
  );

  fastify.get(
    '/v1/loans',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['loans'],
        summary: 'Your loans, newest first',
        security,
        response: { 200: Type.Object({ items: Type.Array(LoanView) }), ...commonErrorResponses },
      },
    },
    async (request) => ({ items: (await loans.list(requireWorker(request))).map((l) => toLoanView(l)) }),
  );

  fastify.get(
    '/v1/loans/:id',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['loans'],
        summary: 'One of your loans with its repayment schedule',
        security,
        params: IdParams,
        response: { 200: LoanView, ...commonErrorResponses },
      },
    },
    async (request) => {
      const { loan, instalments } = await loans.get(requireWorker(request), request.params.id);
      return toLoanView(loan, instalments);
    },
  );

  fastify.post(
    '/v1/loans/:id/cancel',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['loans'],
        summary: 'Withdraw your application while it waits for a decision',
        security,
        params: IdParams,
        response: { 200: LoanView, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => {
      const workerId = requireWorker(request);
      await loans.get(workerId, request.params.id);
      await approvals.cancel(workerId, 'loan', request.params.id);
      const { loan } = await loans.get(workerId, request.params.id);
      return toLoanView(loan);
    },
  );

  fastify.post(
    '/v1/loans/:id/prepay',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.money },
      schema: {
        tags: ['loans'],
        summary: 'Pay the whole outstanding principal (and any arrears) now and close the loan',
        security,
        params: IdParams,
        response: {
          200: Type.Object({ loan: LoanView, paidPaise: Type.Integer() }),
          409: ErrorResponse,
          422: ErrorResponse,
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const workerId = requireWorker(request);
      const { paidPaise } = await loans.prepay(workerId, request.params.id);
      const { loan, instalments } = await loans.get(workerId, request.params.id);
      return { loan: toLoanView(loan, instalments), paidPaise };
    },
  );

  fastify.get(
    '/v1/admin/loans/arrears',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'Overdue instalments in arrears buckets (1–30, 31–60, 61–90, 90+ days)',
        security,
        response: { 200: ArrearsView, ...commonErrorResponses },
      },
    },
    async () => loans.arrears(),
  );
};

export default loanRoutes;
