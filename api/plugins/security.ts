import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { AppError, ErrorCode } from '../errors';

export interface RateLimitPresets {
  /** Sign-in steps, per client IP. */
  signIn: RateLimitOptions;
  /** Money-moving requests, per signed-in caller. */
  money: RateLimitOptions;
  /** File uploads, per signed-in caller. */
  uploads: RateLimitOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimitPresets;
  }
}

/** Signed-in callers are limited per account (many riders share a carrier IP); anonymous ones per IP. */
function callerKey(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.kind === 'worker') return `worker:${p.workerId}`;
  if (p?.kind === 'admin') return `admin:${p.adminId}`;
  return `ip:${request.ip}`;
}

/**
 * Transport hardening and abuse limits: security headers (helmet), a CORS allowlist from configuration, and
 * rate limits for the routes that name a preset (Redis-backed when Redis is configured, so every API instance
 * counts together). If Redis is down the limits fail open rather than failing every request; the per-code and
 * per-identity limits live in PostgreSQL and always hold.
 */
export default fp(
  async function security(
    fastify: FastifyInstance,
    opts: {
      corsOrigins: string[];
      redis?: Redis;
      redisKeyPrefix: string;
      signInPerIpPer15Min: number;
      moneyPerMinute: number;
      uploadsPerMinute: number;
    },
  ) {
    await fastify.register(helmet, {
      // The API answers JSON; the documentation UI at /docs brings its own inline assets.
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginResourcePolicy: { policy: 'same-site' },
    });
    await fastify.register(cors, {
      origin: opts.corsOrigins.length > 0 ? opts.corsOrigins : false,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    });
    await fastify.register(rateLimit, {
      global: false,
      redis: opts.redis,
      nameSpace: `${opts.redisKeyPrefix}:rate-limit:`,
      skipOnError: true,
      errorResponseBuilder: (_request, context) =>
        new AppError(ErrorCode.RATE_LIMITED, `Too many requests: try again in ${context.after}`, {
          retryAfterSeconds: Math.ceil(context.ttl / 1000),
        }),
    });
    fastify.decorate('rateLimits', {
      signIn: { max: opts.signInPerIpPer15Min, timeWindow: 15 * 60 * 1000 },
      money: { max: opts.moneyPerMinute, timeWindow: 60 * 1000, keyGenerator: callerKey },
      uploads: { max: opts.uploadsPerMinute, timeWindow: 60 * 1000, keyGenerator: callerKey },
    } satisfies RateLimitPresets);
  },
  { name: 'security', dependencies: ['auth'] },
);
