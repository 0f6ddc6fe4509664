import type { Knex } from 'knex';

/**
 * The notification centre (SPEC §11): what a worker was told, with read/unread. One row per worker-facing outbox
 * event, written in the event's own transaction (api/db/outbox.repository.ts `append`), so a state change and its
 * notification commit or roll back together.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notifications', (t) => {
    // Newest first is `id DESC`: ids are handed out at insert, inside the transaction that made the change.
    t.bigIncrements('id').primary();
    t.uuid('worker_id').notNullable().references('workers.id');
    // One notification per event at most. Nullable with SET NULL so a future outbox clean-up never takes the
    // worker's notification history with it.
    t.bigInteger('event_id').unique().references('outbox_events.id').onDelete('SET NULL');
    t.text('type').notNullable();
    t.text('title').notNullable();
    t.text('body').notNullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('read_at', { useTz: true });
  });
  await knex.raw(`CREATE INDEX notifications_worker ON notifications (worker_id, id DESC)`);
  // The unread badge and the unread filter only touch unread rows.
  await knex.raw(
    `CREATE INDEX notifications_worker_unread ON notifications (worker_id, id DESC) WHERE read_at IS NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notifications');
}
