import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { Db } from '../db/knex';
import type { OutboxEvent, OutboxRepository } from '../db/outbox.repository';

export interface OutboxRelayOptions {
  db: Db;
  outbox: OutboxRepository;
  databaseUrl: string;
  publish: (event: OutboxEvent) => void;
  /** False while fan-out cannot reach every instance (Redis down): events then wait in the outbox, none is lost. */
  canPublish?: () => boolean;
  batchSize: number;
  pollIntervalMs: number;
  log: FastifyBaseLogger;
}

/**
 * Publishes committed outbox events at least once, numbered in publication order (`deliverySeq`, the resync
 * cursor). Safe on every API instance: publishing takes a transaction-level advisory lock, and rows are marked in
 * the same transaction, so a crash between publish and commit re-publishes (clients de-duplicate by event id) but
 * never loses an event.
 * PostgreSQL LISTEN/NOTIFY wakes the relay at commit; the poll only covers notifications lost while disconnected.
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const { db, outbox, log } = options;
  let timer: NodeJS.Timeout | undefined;
  let listener: pg.Client | undefined;
  let stopped = false;
  let draining: Promise<void> | undefined;
  let again = false;
  let ticking: Promise<void> | undefined;

  let held = false;

  /**
   * One batch: under the relay lock (one publishing relay at a time across instances), the oldest committed
   * events are numbered in publication order and emitted, then marked in the same transaction. A crash before the
   * commit re-publishes them later under new numbers: clients de-duplicate by the stable event id.
   */
  async function drainOnce(): Promise<number> {
    if (options.canPublish && !options.canPublish()) {
      if (!held) log.warn('outbox relay holding events: fan-out is unavailable (Redis down?); they wait in the outbox');
      held = true;
      return 0;
    }
    if (held) log.info('outbox relay publishing again');
    held = false;
    return db.transaction(async (trx) => {
      await outbox.lockRelay(trx);
      const events = await outbox.lockUnpublished(trx, options.batchSize);
      const numbered = await outbox.markPublished(trx, events);
      for (const event of numbered) options.publish(event);
      return events.length;
    });
  }

  /** Coalesces wake-ups: one drain at a time, and one more if events arrived while it ran. */
  function wake(): void {
    if (stopped) return;
    if (draining) {
      again = true;
      return;
    }
    draining = (async () => {
      try {
        do {
          again = false;
          while (!stopped && (await drainOnce()) === options.batchSize);
        } while (again && !stopped);
      } catch (err) {
        log.warn({ err }, 'outbox relay drain failed; will retry on the next poll');
      } finally {
        draining = undefined;
      }
    })();
  }

  async function listen(): Promise<void> {
    const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'gigbit-outbox-relay' });
    client.on('notification', wake);
    client.on('error', (err) => {
      log.warn({ err }, 'outbox relay lost its LISTEN connection; polling until it is back');
      if (listener === client) listener = undefined;
      client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query('LISTEN outbox_events');
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (stopped) await client.end().catch(() => undefined);
    else listener = client;
  }

  async function tick(): Promise<void> {
    if (!listener) await listen().catch((err: unknown) => log.warn({ err }, 'outbox relay could not LISTEN'));
    if (stopped) return;
    wake();
    timer = setTimeout(() => {
      ticking = tick();
    }, options.pollIntervalMs);
  }

  return {
    async start(): Promise<void> {
      ticking = tick();
      await ticking;
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await ticking;
      await draining;
      await listener?.end().catch(() => undefined);
    },
  };
}
