import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, ErrorCode } from '../errors';
import type { AccessTokenService, Principal } from '../services/access-token.service';

/** Who may call a route. Every route must declare one; registering a route without it fails at boot. */
export type RouteAccess = 'public' | 'worker' | 'admin';

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

export default fp(
  async function auth(fastify: FastifyInstance, opts: { tokens: AccessTokenService }) {
    fastify.decorateRequest('principal', null);

    fastify.addHook('onRoute', (route) => {
      // Fastify's own HEAD twins and the documentation UI inherit or need no rule.
      if (route.config?.access === undefined && !route.url.startsWith('/docs')) {
        throw new Error(`Route ${route.method.toString()} ${route.url} declares no access rule (config.access)`);
      }
    });

    fastify.addHook('onRequest', async (request) => {
      const access = request.routeOptions.config.access ?? 'public';
      const token = bearerToken(request);
      request.principal = token ? (opts.tokens.verify(token) ?? null) : null;
      if (access === 'public') return;
      if (!request.principal) {
        throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first: a valid access token is required');
      }
      if (request.principal.kind !== access) {
        throw new AppError(ErrorCode.FORBIDDEN, `This route is for ${access}s only`);
      }
    });
  },
  { name: 'auth' },
);
