import type { Knex } from 'knex';

/**
 * A commit-ordered cursor for missed-event resync (SPEC §11). Outbox ids come from a sequence at insert time, so a
 * transaction that began earlier can commit later with a smaller id: a client resuming "after id N" could miss it.
 * The relay instead numbers events as it publishes them, one relay at a time (a transaction-level advisory lock),
 * so `delivery_seq` only grows in the order clients can see events.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE SEQUENCE outbox_delivery_seq;
    ALTER TABLE outbox_events ADD COLUMN delivery_seq bigint UNIQUE;
    WITH ordered AS (
      SELECT id, row_number() OVER (ORDER BY published_at, id) AS n FROM outbox_events WHERE published_at IS NOT NULL
    )
    UPDATE outbox_events e SET delivery_seq = ordered.n FROM ordered WHERE e.id = ordered.id;
    SELECT setval('outbox_delivery_seq', greatest((SELECT max(delivery_seq) FROM outbox_events), 1),
                  (SELECT max(delivery_seq) FROM outbox_events) IS NOT NULL);
    ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_published_has_seq
      CHECK ((published_at IS NULL) = (delivery_seq IS NULL));
    CREATE INDEX outbox_events_worker_seq ON outbox_events (worker_id, delivery_seq) WHERE delivery_seq IS NOT NULL;
    CREATE INDEX outbox_events_admins_seq ON outbox_events (delivery_seq) WHERE to_admins AND delivery_seq IS NOT NULL;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX outbox_events_admins_seq;
    DROP INDEX outbox_events_worker_seq;
    ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_published_has_seq;
    ALTER TABLE outbox_events DROP COLUMN delivery_seq;
    DROP SEQUENCE outbox_delivery_seq;
  `);
}
