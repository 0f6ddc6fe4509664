import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/knex';
import { AppError, ErrorCode } from '../errors';
import { bearerToken } from './auth';

export interface MetricsOptions {
  db: Db;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Production: without a token every scrape is refused. The figures (traffic per route, sockets, outbox backlog,
   * process internals) are not for whoever reaches the API port, and the compose load balancer forwards /metrics.
   */
  requireToken?: boolean;
  /** Sockets connected to this instance now (read at scrape time). */
  connectedSockets: () => number;
}

/** Seconds; tuned for an API whose requests mostly answer in 5–250 ms and whose workflow updates may take seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Process metrics (CPU, memory, event-loop lag, GC) describe the process, not an app instance: collected once per
 * process (each collector installs observers that are never removed) and merged into every instance's scrape.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

interface OutboxLagRow {
  unpublished: string | number;
  oldest_age_seconds: string | number | null;
}

/**
 * Prometheus metrics at GET /metrics: request latency by route pattern (never the raw URL: ids would explode the
 * series count), outbox lag and this instance's connected sockets, plus Node's process metrics. Each app instance
 * has its own registry, so tests can run several in one process.
 */
export default fp(
  async function metrics(fastify: FastifyInstance, opts: MetricsOptions) {
    const registry = new Registry();

    const latency = new Histogram({
      name: 'gigbit_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status class',
      labelNames: ['method', 'route', 'status_class'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });

    // One cheap query per scrape: both figures come from the partial index on unpublished events.
    let lag: Promise<{ count: number; ageSeconds: number }> | undefined;
    const readLag = () => {
      lag ??= opts.db
        .raw<{ rows: OutboxLagRow[] }>(
          `SELECT count(*) AS unpublished,
                  extract(epoch FROM now() - min(created_at)) AS oldest_age_seconds
             FROM outbox_events WHERE published_at IS NULL`,
        )
        .then(({ rows: [row] }) => ({
          count: Number(row?.unpublished ?? 0),
          ageSeconds: Math.max(0, Number(row?.oldest_age_seconds ?? 0)),
        }))
        .finally(() => {
          lag = undefined;
        });
      return lag;
    };
    new Gauge({
      name: 'gigbit_outbox_unpublished_events',
      help: 'Outbox events not yet published to sockets',
      registers: [registry],
      async collect() {
        this.set((await readLag()).count);
      },
    });
    new Gauge({
      name: 'gigbit_outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest unpublished outbox event (0 when none waits)',
      registers: [registry],
      async collect() {
        this.set((await readLag()).ageSeconds);
      },
    });
    new Gauge({
      name: 'gigbit_socket_connections',
      help: 'Authenticated Socket.IO connections on this API instance',
      registers: [registry],
      collect() {
        this.set(opts.connectedSockets());
      },
    });

    fastify.addHook('onResponse', async (request, reply) => {
      latency.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status_class: `${Math.floor(reply.statusCode / 100)}xx`,
        },
        reply.elapsedTime / 1000,
      );
    });

    const expected = opts.token ? digest(opts.token) : undefined;
    const closed = Boolean(opts.requireToken) && !expected;
    if (closed) fastify.log.warn('METRICS_TOKEN is unset: /metrics refuses every scrape in production');
    const authorised = (request: FastifyRequest) => {
      if (closed) return false;
      if (!expected) return true;
      const given = bearerToken(request);
      return given !== undefined && timingSafeEqual(digest(given), expected);
    };

    fastify.get(
      '/metrics',
      {
        // Public to the session layer: a scraper has no GigBit session; METRICS_TOKEN is checked right here.
        config: { access: 'public' },
        schema: { hide: true },
      },
      async (request, reply) => {
        if (!authorised(request)) {
          throw new AppError(
            ErrorCode.UNAUTHENTICATED,
            closed
              ? 'Metrics are closed: set METRICS_TOKEN on the API and send it as a bearer token'
              : 'Send the metrics token as a bearer token',
          );
        }
        // Merged per scrape: a merge copies the metrics registered at that moment.
        const scrape = Registry.merge([processMetrics(), registry]);
        const body = await scrape.metrics();
        return reply.type(scrape.contentType).send(body);
      },
    );
  },
  { name: 'gigbit-metrics' },
);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
