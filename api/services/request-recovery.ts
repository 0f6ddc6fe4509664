import type { FastifyBaseLogger } from 'fastify';
import type { RequestRepository } from '../db/request.repository';
import type { RequestType } from '../../workflows/contracts';

const BATCH = 50;

/**
 * Requests are committed first and their workflow started right after. If the API dies in between, or Temporal is
 * down and the client never retries, the request would stay open for ever (a held withdrawal, a loan blocking new
 * applications). This sweep, on every API instance, starts the workflow of every open request whose start was
 * never acknowledged once it is `graceMs` old. Starting is idempotent (workflow id = business id, USE_EXISTING),
 * so instances racing each other, or the client's own retry, are harmless.
 */
export function createRequestRecovery(options: {
  requests: Pick<RequestRepository, 'unstarted'>;
  resume: Record<RequestType, (requestId: string) => Promise<void>>;
  intervalMs: number;
  graceMs: number;
  log: FastifyBaseLogger;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function sweep(): Promise<number> {
    const due = await options.requests.unstarted(new Date(Date.now() - options.graceMs), BATCH);
    let started = 0;
    for (const request of due) {
      if (stopped) break;
      try {
        await options.resume[request.type](request.id);
        started += 1;
      } catch (err) {
        // Temporal still down: the next sweep tries again.
        options.log.warn({ err, requestId: request.id }, 'request recovery could not start the workflow yet');
      }
    }
    if (started > 0) options.log.info({ started }, 'request recovery started lost workflows');
    return started;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep()
        .then(() => undefined)
        .catch((err: unknown) => options.log.warn({ err }, 'request recovery sweep failed'))
        .finally(schedule);
    }, options.intervalMs);
  }

  return {
    sweep,
    start(): void {
      schedule();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
