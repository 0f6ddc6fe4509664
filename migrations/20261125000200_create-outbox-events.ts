import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('outbox_events', (t) => {
    // The id is the event id clients see: stable across redeliveries and ordered by commit of the insert.
    t.bigIncrements('id').primary();
    t.text('type').notNullable();
    t.uuid('worker_id').references('workers.id');
    t.boolean('to_admins').notNullable().defaultTo(false);
    t.jsonb('payload').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('published_at', { useTz: true });
  });
  await knex.raw(
    `ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_has_audience CHECK (worker_id IS NOT NULL OR to_admins)`,
  );
  await knex.raw(`CREATE INDEX outbox_events_unpublished ON outbox_events (id) WHERE published_at IS NULL`);
  await knex.raw(`CREATE INDEX outbox_events_worker ON outbox_events (worker_id, id)`);
  // Wake every relay as soon as the writing transaction commits; polling only covers missed notifications.
  await knex.raw(`
    CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('outbox_events', '');
      RETURN NULL;
    END $$;
    CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
      FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('outbox_events');
  await knex.raw('DROP FUNCTION notify_outbox()');
}
