import type { Knex } from 'knex';

/**
 * Push notifications (SPEC §11): the FCM registration tokens of each worker's devices, and the push relay's own
 * bookkeeping on the outbox (independent of the Socket.IO relay's `published_at`, so neither delivery waits for or
 * blocks the other).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('device_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('worker_id').notNullable().references('workers.id');
    // A token names one app install; registering it again (even by another worker, after a sign-out and a
    // sign-in on the same phone) moves the row, so a device never receives two workers' pushes.
    t.text('token').notNullable().unique();
    t.text('platform').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['worker_id']);
  });
  await knex.raw(
    `ALTER TABLE device_tokens ADD CONSTRAINT device_tokens_platform CHECK (platform IN ('android', 'ios', 'web'))`,
  );

  await knex.schema.alterTable('outbox_events', (t) => {
    t.timestamp('pushed_at', { useTz: true });
    // Failed sends (other than dead tokens) are retried on later passes, up to PUSH_MAX_ATTEMPTS.
    t.smallint('push_attempts').notNullable().defaultTo(0);
    // A claimed event is leased until then (no transaction stays open across FCM calls); after a failure, the
    // backoff: the event is not tried again before this time.
    t.timestamp('push_not_before', { useTz: true });
  });
  // Events written before push existed are history: nobody should get a notification about them now.
  await knex.raw(`UPDATE outbox_events SET pushed_at = coalesce(published_at, now()) WHERE worker_id IS NOT NULL`);
  await knex.raw(
    `CREATE INDEX outbox_events_unpushed ON outbox_events (id) WHERE pushed_at IS NULL AND worker_id IS NOT NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX outbox_events_unpushed');
  await knex.schema.alterTable('outbox_events', (t) => {
    t.dropColumn('push_not_before');
    t.dropColumn('push_attempts');
    t.dropColumn('pushed_at');
  });
  await knex.schema.dropTable('device_tokens');
}
