import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Config } from '../config';
import type { IdentityRepository } from '../db/identity.repository';
import type {
  InboxQuery,
  RequestDecision,
  RequestRecord,
  RequestRepository,
  TimelineEntry,
} from '../db/request.repository';
import { AppError, ErrorCode } from '../errors';
import {
  cancelRequestUpdate,
  cancelWithdrawalUpdate,
  decideRequestUpdate,
  decideWithdrawalUpdate,
  type AdminRoleName,
  type DecisionKind,
  type RequestType,
} from '../../workflows/contracts';

export interface Decider {
  adminId: string;
  role: AdminRoleName;
}

export interface DecisionRequest {
  decision: DecisionKind;
  reason?: string;
  comment?: string;
}

export type BulkItemResult =
  { id: string; ok: true; status: string } | { id: string; ok: false; error: { code: ErrorCode; message: string } };

const BULK_TYPES: readonly RequestType[] = ['withdrawal', 'claim'];
const BULK_CONCURRENCY = 4;
const UPDATE_DEADLINE_MS = 20_000;

/**
 * The one approvals model over withdrawals, loans, claims and deletions (SPEC §9). Checks at the edge what a
 * refusal can be explained by without Temporal (ownership, conflict of interest, another admin's claim, a stale
 * status), then sends the decision as a Workflow Update whose validator has the final word.
 */
export function createApprovalService(deps: {
  requests: RequestRepository;
  identities: Pick<IdentityRepository, 'adminIsWorker'>;
  temporal: Client;
  config: Pick<Config, 'REQUEST_CLAIM_TTL_MS' | 'BULK_DECISION_MAX_ITEMS'>;
  now?: () => Date;
}) {
  const { requests, identities, temporal, config } = deps;
  const now = deps.now ?? (() => new Date());

  const refused = (message: string) => new AppError(ErrorCode.DECISION_NOT_ALLOWED, `Refused: ${message}`);
  const liveClaim = (r: RequestRecord) =>
    r.assignedTo !== null &&
    r.assignedAt !== null &&
    r.assignedAt.getTime() > now().getTime() - config.REQUEST_CLAIM_TTL_MS;

  /**
   * Sends an Update; a validator's or handler's refusal becomes a 409 naming the rule. Runs started before the
   * shared approvals model only know the withdrawal-specific Update, so they get that one instead.
   */
  async function sendUpdate(
    request: RequestRecord,
    current: (handle: WorkflowHandle) => Promise<unknown>,
    legacy?: (handle: WorkflowHandle) => Promise<unknown>,
  ): Promise<RequestRecord> {
    const handle = temporal.workflow.getHandle(request.workflowId);
    try {
      // Bounded: with PostgreSQL down the Update's handler waits for its record, and an HTTP call must not hang.
      await temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => current(handle));
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause?.message ?? '';
      if (legacy && (err as Error).name === 'WorkflowUpdateFailedError' && /No registered handler/i.test(cause)) {
        await sendUpdate(request, legacy);
        return (await requests.findById(request.id))!;
      }
      if ((err as Error).name === 'WorkflowUpdateFailedError') throw refused(cause || 'no longer valid');
      // The run may have moved on between our read and the Update (expiry): report what is stored now.
      const stored = await requests.findById(request.id);
      if (stored && stored.status !== request.status) {
        throw refused(`the request is already ${describe(stored.status)}`);
      }
      throw new AppError(
        ErrorCode.DEPENDENCY_UNAVAILABLE,
        'The decision could not be confirmed in time; it may still be recorded, so check the request before retrying',
      );
    }
    return (await requests.findById(request.id))!;
  }

  async function decide(decider: Decider, requestId: string, body: DecisionRequest): Promise<RequestRecord> {
    if (body.decision === 'reject' && !body.reason?.trim()) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'A reason is required to reject: the worker is told why');
    }
    const request = await requests.findById(requestId);
    if (!request) throw AppError.notFound('Request');
    if (await identities.adminIsWorker(decider.adminId, request.workerId)) {
      throw new AppError(
        ErrorCode.CONFLICT_OF_INTEREST,
        'Refused: this is your own worker account’s request; another admin must decide it',
      );
    }
    if (request.approvalsRequired === 0) throw refused('this request is approved automatically; nothing to decide');
    if (request.status !== 'pending_approval') throw refused(`the request is already ${describe(request.status)}`);
    if (liveClaim(request) && request.assignedTo !== decider.adminId) {
      throw refused(`${request.assignedToUsername ?? 'another admin'} has claimed this request`);
    }
    const input = { decision: body.decision, adminId: decider.adminId, adminRole: decider.role, ...reasonOf(body) };
    return sendUpdate(
      request,
      (h) => h.executeUpdate(decideRequestUpdate, { args: [input] }),
      request.type === 'withdrawal'
        ? (h) =>
            h.executeUpdate(decideWithdrawalUpdate, {
              args: [
                { decision: input.decision, adminId: input.adminId, reason: input.reason, comment: input.comment },
              ],
            })
        : undefined,
    );
  }

  return {
    decide,

    /** Bulk decisions for withdrawals and claims: each item is re-checked on its own and answered on its own. */
    async bulkDecide(decider: Decider, ids: readonly string[], body: DecisionRequest): Promise<BulkItemResult[]> {
      if (ids.length > config.BULK_DECISION_MAX_ITEMS) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, `At most ${config.BULK_DECISION_MAX_ITEMS} items at once`);
      }
      const unique = [...new Set(ids)];
      const found = new Map((await requests.findByIds(unique)).map((r) => [r.id, r]));
      const results = new Map<string, BulkItemResult>();
      const queue = [...unique];
      const one = async (id: string): Promise<BulkItemResult> => {
        const request = found.get(id);
        if (!request) return { id, ok: false, error: { code: ErrorCode.NOT_FOUND, message: 'Request not found' } };
        if (!BULK_TYPES.includes(request.type)) {
          return {
            id,
            ok: false,
            error: {
              code: ErrorCode.DECISION_NOT_ALLOWED,
              message: `Refused: bulk decisions are for withdrawals and claims; decide this ${request.type} on its own`,
            },
          };
        }
        try {
          const decided = await decide(decider, id, body);
          return { id, ok: true, status: decided.status };
        } catch (err) {
          if (err instanceof AppError) return { id, ok: false, error: { code: err.code, message: err.message } };
          throw err;
        }
      };
      await Promise.all(
        Array.from({ length: Math.min(BULK_CONCURRENCY, queue.length) }, async () => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) results.set(id, await one(id));
        }),
      );
      return unique.map((id) => results.get(id)!);
    },

    /** The worker withdraws their own request (ownership checked: another worker's id is simply not found). */
    async cancel(workerId: string, type: RequestType, requestId: string): Promise<RequestRecord> {
      const request = await requests.findById(requestId);
      if (!request || request.workerId !== workerId || request.type !== type) throw AppError.notFound('Request');
      if (request.closedAt) throw refused(`the request is already ${describe(request.status)}`);
      return sendUpdate(
        request,
        (h) => h.executeUpdate(cancelRequestUpdate),
        type === 'withdrawal' ? (h) => h.executeUpdate(cancelWithdrawalUpdate) : undefined,
      );
    },

    /** Takes an item so two admins don't work it at once; a claim lapses after REQUEST_CLAIM_TTL_MS. */
    async claim(decider: Decider, requestId: string): Promise<RequestRecord> {
      const request = await requests.findById(requestId);
      if (!request) throw AppError.notFound('Request');
      if (request.closedAt || request.status !== 'pending_approval') {
        throw refused(`the request is already ${describe(request.status)}`);
      }
      const staleBefore = new Date(now().getTime() - config.REQUEST_CLAIM_TTL_MS);
      if (!(await requests.claim(requestId, decider.adminId, staleBefore))) {
        const holder = await requests.findById(requestId);
        throw refused(`${holder?.assignedToUsername ?? 'another admin'} has claimed this request`);
      }
      return (await requests.findById(requestId))!;
    },

    async release(decider: Decider, requestId: string): Promise<RequestRecord> {
      const request = await requests.findById(requestId);
      if (!request) throw AppError.notFound('Request');
      if (request.assignedTo !== decider.adminId) throw refused('you do not hold this request');
      await requests.release(requestId, decider.adminId);
      return (await requests.findById(requestId))!;
    },

    inbox(query: InboxQuery): Promise<RequestRecord[]> {
      return requests.inbox(query);
    },

    async detail(
      requestId: string,
    ): Promise<{ request: RequestRecord; decisions: RequestDecision[]; timeline: TimelineEntry[] }> {
      const request = await requests.findById(requestId);
      if (!request) throw AppError.notFound('Request');
      const [decisions, timeline] = await Promise.all([
        requests.decisionsOf(requestId),
        requests.timelineOf(requestId),
      ]);
      return { request, decisions, timeline };
    },

    /** Whether the item is held by someone right now (for the inbox's SLA/claim badges). */
    isClaimed: liveClaim,
  };
}

function describe(status: string): string {
  return status.replace(/_/g, ' ');
}

function reasonOf(body: DecisionRequest): { reason?: string; comment?: string } {
  return {
    ...(body.reason?.trim() ? { reason: body.reason.trim() } : {}),
    ...(body.comment?.trim() ? { comment: body.comment.trim() } : {}),
  };
}

export type ApprovalService = ReturnType<typeof createApprovalService>;
