import type { Knex } from 'knex';

/** What each reconciliation run found. Drift is reported and kept, never corrected silently. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ledger_reconciliations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('run_key').notNullable().unique().comment('the workflow run that produced it: one report per run');
    t.text('status').notNullable();
    t.jsonb('findings').notNullable();
    t.jsonb('counts').notNullable();
    t.timestamp('checked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['checked_at']);
  });
  await knex.raw(
    `ALTER TABLE ledger_reconciliations ADD CONSTRAINT ledger_reconciliations_status_known CHECK (status IN ('clean', 'drift'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ledger_reconciliations');
}
