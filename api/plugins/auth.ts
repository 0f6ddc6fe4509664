import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuditRepository } from '../db/audit.repository';
import { adminRoleRank, type AdminRole } from '../db/identity.repository';
import { AppError, ErrorCode } from '../errors';
import type { Principal } from '../services/access-token.service';
import type { ClientMeta, SessionService } from '../services/session.service';

/**
 * Who may call a route. Every route must declare one; registering a route without it fails at boot.
 * `admin:<role>` admits that role and every role above it (viewer < approver < senior_approver < superadmin).
 * `signed-in` admits any worker or admin (sign-out).
 */
export type RouteAccess = 'public' | 'signed-in' | 'worker' | `admin:${AdminRole}`;

export const routeAccessLevels: RouteAccess[] = [
  'public',
  'signed-in',
  'worker',
  'admin:viewer',
  'admin:approver',
  'admin:senior_approver',
  'admin:superadmin',
];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

export function requireWorker(request: FastifyRequest): string {
  if (request.principal?.kind !== 'worker') throw new AppError(ErrorCode.FORBIDDEN, 'Worker access only');
  return request.principal.workerId;
}

export function requireAdmin(request: FastifyRequest): Extract<Principal, { kind: 'admin' }> {
  if (request.principal?.kind !== 'admin') throw new AppError(ErrorCode.FORBIDDEN, 'Admin access only');
  return request.principal;
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first');
  return request.principal;
}

/** What the audit log and sessions record about the caller's connection. */
export function clientMeta(request: FastifyRequest): ClientMeta {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined, requestId: request.id };
}

function admits(access: RouteAccess, principal: Principal): boolean {
  if (access === 'public' || access === 'signed-in') return true;
  if (access === 'worker') return principal.kind === 'worker';
  const needed = access.slice('admin:'.length) as AdminRole;
  return principal.kind === 'admin' && adminRoleRank[principal.role] >= adminRoleRank[needed];
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export default fp(
  async function auth(fastify: FastifyInstance, opts: { sessions: SessionService; audit: AuditRepository }) {
    fastify.decorateRequest('principal', null);

    fastify.addHook('onRoute', (route) => {
      // The documentation UI and the CORS preflight (answered by @fastify/cors, no handler of ours) are public.
      if (route.url.startsWith('/docs') || (route.method === 'OPTIONS' && route.url === '*')) return;
      const access = route.config?.access;
      if (access === undefined || !routeAccessLevels.includes(access)) {
        throw new Error(`Route ${route.method.toString()} ${route.url} declares no valid access rule (config.access)`);
      }
    });

    fastify.addHook('onRequest', async (request) => {
      const access = request.routeOptions.config.access ?? 'public';
      const token = bearerToken(request);
      request.principal = token ? ((await opts.sessions.authenticate(token)) ?? null) : null;
      if (access === 'public') return;
      if (!request.principal) {
        throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first: a valid access token is required');
      }
      if (!admits(access, request.principal)) {
        throw new AppError(
          ErrorCode.FORBIDDEN,
          access === 'worker' ? 'This route is for workers only' : `This needs the ${access.slice(6)} role or higher`,
        );
      }
    });

    // Every admin action is audited, whatever its outcome: the route, its ids and the status it got. Written
    // before the response leaves, so a client that sees the answer can already find the record.
    fastify.addHook('onSend', async (request, reply, payload) => {
      const principal = request.principal;
      if (principal?.kind !== 'admin' || READ_METHODS.has(request.method)) return payload;
      const params = (request.params ?? {}) as Record<string, unknown>;
      const status = reply.statusCode;
      try {
        await opts.audit.record({
          actorKind: 'admin',
          actorId: principal.adminId,
          action: `http ${request.method} ${request.routeOptions.url ?? request.url}`,
          outcome: status < 400 ? 'succeeded' : status < 500 ? 'refused' : 'failed',
          targetId: typeof params.id === 'string' ? params.id : undefined,
          ip: request.ip,
          requestId: request.id,
          details: { statusCode: status, params },
        });
      } catch (err) {
        request.log.error({ err }, 'could not write the audit record of an admin action');
      }
      return payload;
    });
  },
  { name: 'auth' },
);
