import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWorker } from '../../plugins/auth';
import { commonErrorResponses, ErrorResponse, IdempotencyKeyHeaders, IdParams } from '../../schemas/common';
import {
  BalanceView,
  CreateWithdrawalBody,
  PreviewQuery,
  PreviewView,
  toBalanceView,
  toPreviewView,
  toWithdrawalView,
  WithdrawalRefusalResponse,
  WithdrawalView,
} from '../../schemas/withdrawal';
import type { WithdrawalService } from '../../services/withdrawal.service';

const withdrawalRoutes: FastifyPluginAsyncTypebox<{ withdrawals: WithdrawalService }> = async (fastify, opts) => {
  const { withdrawals } = opts;

  fastify.get(
    '/v1/me/balance',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['withdrawals'],
        summary: 'Spendable balance, held amount and the withdrawal allowance (today + rollover)',
        security: [{ bearer: [] }],
        response: { 200: BalanceView, ...commonErrorResponses },
      },
    },
    async (request) => toBalanceView(await withdrawals.moneySummary(requireWorker(request))),
  );

  fastify.get(
    '/v1/withdrawals/preview',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['withdrawals'],
        summary: 'What a withdrawal of this amount would cost, and whether it would be accepted now',
        description:
          'A refusal carries the same code and details as POST /v1/withdrawals would answer with, so the app can ' +
          'word it with its figures before anything is sent.',
        security: [{ bearer: [] }],
        querystring: PreviewQuery,
        response: { 200: PreviewView, ...commonErrorResponses },
      },
    },
    async (request) => toPreviewView(await withdrawals.preview(requireWorker(request), request.query.amountPaise)),
  );

  fastify.post(
    '/v1/withdrawals',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.money },
      schema: {
        tags: ['withdrawals'],
        summary: 'Request a withdrawal',
        description:
          'Holds the amount on the wallet at once. Below withdrawal.approvalFromPaise (GET /v1/rules) it is approved ' +
          'automatically; from it an admin decides. ' +
          'Refusals are 422 naming the rule with its figures in details: AMOUNT_OUT_OF_RANGE (minPaise, maxPaise), ' +
          'ALLOWANCE_USED_UP (nextAccrualAt), INSUFFICIENT_FUNDS (spendablePaise). ' +
          'Idempotent: the same Idempotency-Key returns the original withdrawal and starts nothing new.',
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeaders,
        body: CreateWithdrawalBody,
        response: { 200: WithdrawalView, 201: WithdrawalView, 422: WithdrawalRefusalResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const { withdrawal, replayed } = await withdrawals.request({
        workerId: requireWorker(request),
        amountPaise: request.body.amountPaise,
        idempotencyKey: request.headers['idempotency-key'],
      });
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(replayed ? 200 : 201).send(toWithdrawalView(withdrawal));
    },
  );

  fastify.get(
    '/v1/withdrawals/:id',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['withdrawals'],
        summary: 'One of my withdrawals',
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 200: WithdrawalView, ...commonErrorResponses },
      },
    },
    async (request) => toWithdrawalView(await withdrawals.getForWorker(requireWorker(request), request.params.id)),
  );

  fastify.post(
    '/v1/withdrawals/:id/cancel',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.money },
      schema: {
        tags: ['withdrawals'],
        summary: 'Cancel my withdrawal while it waits for approval',
        description: 'The held amount is released at once. Refused with 409 once a decision was taken.',
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 200: WithdrawalView, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => toWithdrawalView(await withdrawals.cancel(requireWorker(request), request.params.id)),
  );
};

export default withdrawalRoutes;
