import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS citext');
  await knex.schema.createTable('workers', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('phone').unique();
    t.specificType('email', 'citext').unique();
    t.text('display_name');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `ALTER TABLE workers ADD CONSTRAINT workers_identity_present CHECK (phone IS NOT NULL OR email IS NOT NULL)`,
  );

  await knex.schema.createTable('admins', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.specificType('username', 'citext').notNullable().unique();
    t.text('role').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `ALTER TABLE admins ADD CONSTRAINT admins_role_known CHECK (role IN ('viewer', 'approver', 'senior_approver', 'superadmin'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('admins');
  await knex.schema.dropTable('workers');
}
