import type { Knex } from 'knex';

/**
 * Workers' links to their gig platforms (SPEC §3–§4) and every trip credited from them. A trip is credited once:
 * its (platform, external trip id) is the primary key here and the idempotency key of its ledger journal.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('platforms', (t) => {
    t.text('connector_url').comment('the platform connector base URL; null = PLATFORM_CONNECTOR_URL/platforms/{slug}');
  });

  await knex.schema.createTable('platform_connections', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('worker_id').notNullable().references('workers.id');
    t.uuid('platform_id').notNullable().references('platforms.id');
    t.text('external_account_id').notNullable();
    t.uuid('plan_purchase_id').notNullable().references('plan_purchases.id').comment('the slot this platform occupies');
    t.text('status').notNullable().defaultTo('connected');
    t.text('trip_cursor');
    t.timestamp('last_synced_at', { useTz: true });
    t.timestamp('connected_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('disconnected_at', { useTz: true });
  });
  await knex.raw(`
    ALTER TABLE platform_connections
      ADD CONSTRAINT platform_connections_status_known CHECK (status IN ('connected', 'disconnected')),
      ADD CONSTRAINT platform_connections_disconnect_consistent CHECK ((status = 'disconnected') = (disconnected_at IS NOT NULL));
    CREATE UNIQUE INDEX platform_connections_one_live_per_platform ON platform_connections (worker_id, platform_id) WHERE status = 'connected';
    CREATE UNIQUE INDEX platform_connections_account_once ON platform_connections (platform_id, external_account_id) WHERE status = 'connected';
    CREATE INDEX platform_connections_purchase ON platform_connections (plan_purchase_id);
  `);

  await knex.schema.createTable('platform_trips', (t) => {
    t.uuid('platform_id').notNullable().references('platforms.id');
    t.text('external_trip_id').notNullable();
    t.uuid('connection_id').notNullable().references('platform_connections.id');
    t.uuid('worker_id').notNullable().references('workers.id');
    t.bigInteger('amount_paise').notNullable();
    t.timestamp('completed_at', { useTz: true }).notNullable();
    t.uuid('journal_id').notNullable().references('ledger_journals.id');
    t.timestamp('credited_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['platform_id', 'external_trip_id']);
    t.index(['worker_id', 'platform_id']);
  });
  await knex.raw(`ALTER TABLE platform_trips ADD CONSTRAINT platform_trips_amount_positive CHECK (amount_paise > 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('platform_trips');
  await knex.schema.dropTable('platform_connections');
  await knex.schema.alterTable('platforms', (t) => t.dropColumn('connector_url'));
}
