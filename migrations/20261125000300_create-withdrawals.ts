import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('withdrawals', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('worker_id').notNullable().references('workers.id');
    t.bigInteger('amount_paise').notNullable();
    t.specificType('currency', 'char(3)').notNullable().defaultTo('INR');
    t.text('status').notNullable().defaultTo('pending_approval');
    t.text('idempotency_key').notNullable();
    t.text('request_fingerprint').notNullable();
    t.text('workflow_id').notNullable().unique();
    t.uuid('decided_by').references('admins.id');
    t.timestamp('decided_at', { useTz: true });
    t.text('decision_reason');
    t.text('decision_comment');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['worker_id', 'idempotency_key']);
    t.index(['worker_id', 'created_at']);
  });
  await knex.raw(`
    ALTER TABLE withdrawals
      ADD CONSTRAINT withdrawals_amount_positive CHECK (amount_paise > 0),
      ADD CONSTRAINT withdrawals_status_known CHECK (status IN ('pending_approval', 'approved', 'rejected', 'expired')),
      ADD CONSTRAINT withdrawals_decided_consistently CHECK ((status = 'pending_approval') = (decided_at IS NULL)),
      ADD CONSTRAINT withdrawals_rejection_has_reason CHECK (status <> 'rejected' OR decision_reason IS NOT NULL)
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('withdrawals');
}
