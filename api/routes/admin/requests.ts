import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RequestRecord } from '../../db/request.repository';
import { AppError, ErrorCode } from '../../errors';
import { requireAdmin } from '../../plugins/auth';
import {
  BulkDecisionBody,
  BulkDecisionResult,
  DecisionRequestBody,
  InboxQuerystring,
  RequestDetail,
  RequestSummary,
  toDecisionView,
  toRequestSummary,
  toTimelineView,
} from '../../schemas/approval';
import { commonErrorResponses, ErrorResponse, IdParams } from '../../schemas/common';
import type { ApprovalService } from '../../services/approval.service';
import type { DocumentService } from '../../services/document.service';
import type { RequestType } from '../../../workflows/contracts';

/** Each request type's own admin view of its subject, for the request detail page. */
export type SubjectViews = Partial<Record<RequestType, (id: string) => Promise<Record<string, unknown>>>>;

const MINUTE = 60_000;

/** Cursors are opaque to clients: the last item's id, which the database resolves to its exact position. */
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'The cursor is not one this API issued');
  }
  return id;
}
const encodeCursor = (r: RequestRecord) => Buffer.from(r.id, 'utf8').toString('base64url');

/** The approvals inbox over all four request types (SPEC §9). */
const adminRequestRoutes: FastifyPluginAsyncTypebox<{
  approvals: ApprovalService;
  documents: DocumentService;
  subjects: SubjectViews;
  workflowUrl: (workflowId: string) => string;
}> = async (fastify, opts) => {
  const { approvals, documents, subjects, workflowUrl } = opts;
  const summary = (r: RequestRecord) => toRequestSummary(r, workflowUrl, approvals.isClaimed);
  const decider = (request: Parameters<typeof requireAdmin>[0]) => {
    const admin = requireAdmin(request);
    return { adminId: admin.adminId, role: admin.role };
  };
  const security = [{ bearer: [] }];

  fastify.get(
    '/v1/admin/requests',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'The approvals inbox: oldest first, filtered by type, status, SLA state, age and claim',
        security,
        querystring: InboxQuerystring,
        response: {
          200: Type.Object({ items: Type.Array(RequestSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 50;
      const items = await approvals.inbox({
        types: q.type,
        statuses: q.status ?? ['pending_approval'],
        sla: q.sla === 'overdue' ? 'escalated' : q.sla,
        minAgeMs: q.minAgeMinutes === undefined ? undefined : q.minAgeMinutes * MINUTE,
        maxAgeMs: q.maxAgeMinutes === undefined ? undefined : q.maxAgeMinutes * MINUTE,
        assignedTo: q.claimed === 'me' ? requireAdmin(request).adminId : q.claimed,
        workerId: q.workerId,
        afterId: q.cursor ? decodeCursor(q.cursor) : undefined,
        limit,
      });
      const last = items.at(-1);
      return { items: items.map(summary), nextCursor: items.length === limit && last ? encodeCursor(last) : null };
    },
  );

  fastify.get(
    '/v1/admin/requests/:id',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'One request: its subject, four-eyes state, decisions, documents and full timeline',
        security,
        params: IdParams,
        response: { 200: RequestDetail, ...commonErrorResponses },
      },
    },
    async (request) => {
      const { request: r, decisions, timeline } = await approvals.detail(request.params.id);
      const [subject, files] = await Promise.all([
        subjects[r.type]?.(r.id) ?? Promise.resolve({}),
        documents.listFor(r.id),
      ]);
      return {
        request: summary(r),
        fourEyes: {
          required: r.approvalsRequired > 1,
          seniorRequired: r.seniorRequired,
          approvalsGiven: r.approvalsGiven,
          approvalsRequired: r.approvalsRequired,
        },
        decisions: decisions.map(toDecisionView),
        timeline: timeline.map(toTimelineView),
        documents: files
          .filter((d) => !d.erasedAt)
          .map((d) => ({
            id: d.id,
            contentType: d.contentType,
            byteSize: d.byteSize,
            url: `/v1/admin/documents/${d.id}`,
          })),
        subject,
      };
    },
  );

  fastify.post(
    '/v1/admin/requests/:id/decision',
    {
      config: { access: 'admin:approver' },
      schema: {
        tags: ['admin'],
        summary: 'Approve or reject any request (a Workflow Update; answered once the outcome is stored)',
        description:
          'Refused with 409 and no change when no longer valid: already decided, expired, claimed by another admin, ' +
          'four-eyes (the same admin twice; a loan from ₹25,000 needs a senior approver for one approval). ' +
          'The requesting worker can never decide (403).',
        security,
        params: IdParams,
        body: DecisionRequestBody,
        response: { 200: RequestSummary, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => summary(await approvals.decide(decider(request), request.params.id, request.body)),
  );

  fastify.post(
    '/v1/admin/requests/bulk-decision',
    {
      config: { access: 'admin:approver' },
      schema: {
        tags: ['admin'],
        summary: 'One decision over many withdrawals and claims; each item is re-checked and answered on its own',
        security,
        body: BulkDecisionBody,
        response: { 200: BulkDecisionResult, ...commonErrorResponses },
      },
    },
    async (request) => {
      const { ids, ...body } = request.body;
      const results = await approvals.bulkDecide(decider(request), ids, body);
      const succeeded = results.filter((r) => r.ok).length;
      return { results, succeeded, failed: results.length - succeeded };
    },
  );

  fastify.post(
    '/v1/admin/requests/:id/claim',
    {
      config: { access: 'admin:approver' },
      schema: {
        tags: ['admin'],
        summary: 'Claim a request so no other admin decides it meanwhile (lapses after REQUEST_CLAIM_TTL_MS)',
        security,
        params: IdParams,
        response: { 200: RequestSummary, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => summary(await approvals.claim(decider(request), request.params.id)),
  );

  fastify.delete(
    '/v1/admin/requests/:id/claim',
    {
      config: { access: 'admin:approver' },
      schema: {
        tags: ['admin'],
        summary: 'Release your claim on a request',
        security,
        params: IdParams,
        response: { 200: RequestSummary, 409: ErrorResponse, ...commonErrorResponses },
      },
    },
    async (request) => summary(await approvals.release(decider(request), request.params.id)),
  );
};

export default adminRequestRoutes;
