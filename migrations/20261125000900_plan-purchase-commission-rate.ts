import type { Knex } from 'knex';

/** Commission owed to platforms is part of a purchase's terms: snapshot the plan's rate, like its price. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plan_purchases', (t) => {
    t.bigInteger('commission_per_platform_paise');
  });
  await knex.raw(`
    UPDATE plan_purchases pp SET commission_per_platform_paise = p.commission_per_platform_paise FROM plans p WHERE p.code = pp.plan_code;
    ALTER TABLE plan_purchases ALTER COLUMN commission_per_platform_paise SET NOT NULL;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plan_purchases', (t) => t.dropColumn('commission_per_platform_paise'));
}
