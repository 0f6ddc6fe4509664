import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, ErrorCode } from '../../errors';
import { requireWorker } from '../../plugins/auth';
import { commonErrorResponses, ErrorResponse, IdempotencyKeyHeaders, IdParams } from '../../schemas/common';
import {
  ClaimDetailView,
  ClaimsPage,
  ContributionsPage,
  decodeCursor,
  encodeCursor,
  FileClaimBody,
  InsuranceView,
  PageQuery,
  toClaimDetailView,
  toClaimView,
  toContributionView,
  toInsuranceView,
} from '../../schemas/insurance';
import type { InsuranceService } from '../../services/insurance.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OptionalIdempotencyKey = Type.Object({
  'idempotency-key': Type.Optional(IdempotencyKeyHeaders.properties['idempotency-key']),
});

/** Micro-insurance for the worker (SPEC §7): coverage, contributions and claims. */
const insuranceRoutes: FastifyPluginAsyncTypebox<{ insurance: InsuranceService }> = async (fastify, opts) => {
  const { insurance } = opts;
  const security = [{ bearer: [] }];
  const view = async (workerId: string) => toInsuranceView(await insurance.status(workerId));

  fastify.get(
    '/v1/insurance',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['insurance'],
        summary:
          'My coverage: status, covered period, premium due or in grace, and this year’s claims against the caps',
        security,
        response: { 200: InsuranceView, ...commonErrorResponses },
      },
    },
    async (request) => view(requireWorker(request)),
  );

  fastify.post(
    '/v1/insurance/opt-in',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.money },
      schema: {
        tags: ['insurance'],
        summary: 'Opt in: cover starts today and this month’s ₹50 premium is paid from the wallet at once',
        description:
          'When the wallet cannot pay, cover starts in grace (status "grace") and the premium Schedule retries; after ' +
          'INSURANCE_GRACE_DAYS unpaid it lapses. Already covered: nothing changes (a pending opt-out is withdrawn). ' +
          'Lapsed: cover resumes only if the premium can be paid now (422 INSUFFICIENT_FUNDS otherwise). ' +
          'Idempotent by nature: at most one premium per IST month is ever charged, so an Idempotency-Key is optional.',
        security,
        headers: OptionalIdempotencyKey,
        response: { 200: InsuranceView, 422: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => {
      const workerId = requireWorker(request);
      await insurance.optIn(workerId);
      return view(workerId);
    },
  );

  fastify.post(
    '/v1/insurance/opt-out',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.money },
      schema: {
        tags: ['insurance'],
        summary: 'Opt out at the end of this IST month (cover and premiums stop on the 1st of next month)',
        description: 'Refused with 422 NOT_INSURED when there is no cover to end. Repeating it changes nothing.',
        security,
        headers: OptionalIdempotencyKey,
        response: { 200: InsuranceView, 422: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => {
      const workerId = requireWorker(request);
      await insurance.optOut(workerId);
      return view(workerId);
    },
  );

  fastify.get(
    '/v1/insurance/contributions',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['insurance'],
        summary: 'What I paid into the insurance pool: premiums and the 1% share of each withdrawal, newest first',
        security,
        querystring: PageQuery,
        response: { 200: ContributionsPage, ...commonErrorResponses },
      },
    },
    async (request) => {
      const workerId = requireWorker(request);
      const limit = request.query.limit ?? 20;
      let before: { at: Date; kind: string; reference: string } | undefined;
      if (request.query.cursor) {
        const [at, kind, reference] = decodeCursor(request.query.cursor, 3);
        if (kind !== 'premium' && kind !== 'withdrawal_share') {
          throw new AppError(ErrorCode.VALIDATION_FAILED, 'The cursor is not one this API issued');
        }
        before = { at, kind, reference: reference! };
      }
      const { items, totals } = await insurance.contributions(workerId, { before, limit });
      const last = items.at(-1);
      return {
        items: items.map(toContributionView),
        nextCursor:
          items.length === limit && last ? encodeCursor(last.at.toISOString(), last.kind, last.reference) : null,
        totals: { ...totals, currency: 'INR' as const },
      };
    },
  );

  fastify.post(
    '/v1/insurance/claims',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.money },
      schema: {
        tags: ['insurance'],
        summary: 'File a claim with 1–3 proof documents (uploaded first with POST /v1/documents?purpose=claim_proof)',
        description:
          'Refused with 422 CLAIM_NOT_ALLOWED naming the rule in details.rule: INCIDENT_IN_FUTURE, REPORTED_TOO_LATE ' +
          '(more than 30 days after the incident), NOT_COVERED (not insured on the incident day), CLAIM_CAP_REACHED ' +
          '(2 vehicle damage / 3 product damage or loss claims a calendar year, pending and paid ones counted), ' +
          'DOCUMENTS_REQUIRED. A document that is not the caller’s unused claim proof is refused with 400. ' +
          'Idempotent: the same Idempotency-Key returns the original claim.',
        security,
        headers: IdempotencyKeyHeaders,
        body: FileClaimBody,
        response: { 200: ClaimDetailView, 201: ClaimDetailView, 422: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const workerId = requireWorker(request);
      const { claim, replayed } = await insurance.fileClaim({
        workerId,
        idempotencyKey: request.headers['idempotency-key'],
        type: request.body.type,
        incidentOn: request.body.incidentOn,
        description: request.body.description.trim(),
        documentIds: request.body.documentIds,
      });
      if (replayed) void reply.header('idempotent-replayed', 'true');
      const detail = await insurance.getClaim(workerId, claim.id);
      return reply.status(replayed ? 200 : 201).send(toClaimDetailView(detail));
    },
  );

  fastify.get(
    '/v1/insurance/claims',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['insurance'],
        summary: 'My claims, newest first',
        security,
        querystring: PageQuery,
        response: { 200: ClaimsPage, ...commonErrorResponses },
      },
    },
    async (request) => {
      const workerId = requireWorker(request);
      const limit = request.query.limit ?? 20;
      let before: { createdAt: Date; id: string } | undefined;
      if (request.query.cursor) {
        const [createdAt, id] = decodeCursor(request.query.cursor, 2);
        if (!id || !UUID.test(id)) {
          throw new AppError(ErrorCode.VALIDATION_FAILED, 'The cursor is not one this API issued');
        }
        before = { createdAt, id };
      }
      const items = await insurance.listClaims(workerId, { before, limit });
      const last = items.at(-1);
      return {
        items: items.map(toClaimView),
        nextCursor: items.length === limit && last ? encodeCursor(last.createdAt.toISOString(), last.id) : null,
      };
    },
  );

  fastify.get(
    '/v1/insurance/claims/:id',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['insurance'],
        summary: 'One of my claims with its documents and history',
        security,
        params: IdParams,
        response: { 200: ClaimDetailView, ...commonErrorResponses },
      },
    },
    async (request) => toClaimDetailView(await insurance.getClaim(requireWorker(request), request.params.id)),
  );

  fastify.post(
    '/v1/insurance/claims/:id/cancel',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.money },
      schema: {
        tags: ['insurance'],
        summary: 'Withdraw my claim while it waits for a decision',
        description: 'Refused with 409 once it was decided (or expired).',
        security,
        params: IdParams,
        response: { 200: ClaimDetailView, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => toClaimDetailView(await insurance.cancelClaim(requireWorker(request), request.params.id)),
  );
};

export default insuranceRoutes;
