import type { Knex } from 'knex';

/**
 * Web Push (RFC 8030/8291) subscriptions of the worker PWA: the browser's push service endpoint and the keys that
 * encrypt each message for it. The PWA's push path beside FCM device tokens for native apps.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('web_push_subscriptions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('worker_id').notNullable().references('workers.id');
    // An endpoint names one browser profile's subscription; subscribing again (even as another worker on the same
    // browser) moves the row, so a browser never receives two workers' pushes.
    t.text('endpoint').notNullable().unique();
    t.text('p256dh').notNullable();
    t.text('auth').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_success_at', { useTz: true });
    t.index(['worker_id']);
  });
  // An endpoint is personal data and nothing may be pushed to an erased account: the erasure (which sets
  // workers.erased_at in its transaction, api/db/account-deletion.repository.ts) takes the subscriptions with it.
  await knex.raw(`
    CREATE FUNCTION web_push_subscriptions_erase() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM web_push_subscriptions WHERE worker_id = NEW.id;
      RETURN NEW;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER web_push_subscriptions_erase AFTER UPDATE OF erased_at ON workers
    FOR EACH ROW WHEN (NEW.erased_at IS NOT NULL AND OLD.erased_at IS NULL)
    EXECUTE FUNCTION web_push_subscriptions_erase()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER web_push_subscriptions_erase ON workers');
  await knex.raw('DROP FUNCTION web_push_subscriptions_erase()');
  await knex.schema.dropTable('web_push_subscriptions');
}
