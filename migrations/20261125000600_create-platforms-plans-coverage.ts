import type { Knex } from 'knex';

/**
 * The platform catalog (admin CRUD, logos and connectors come with the platforms work), the plan rules table of
 * SPEC §4, plan purchases, and insurance coverage as far as withdrawals need it (insured workers contribute 1%).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('platforms', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('slug').notNullable().unique();
    t.text('name').notNullable();
    t.text('brand_colour').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.integer('sort_order').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE platforms ADD CONSTRAINT platforms_slug_format CHECK (slug ~ '^[a-z0-9-]{2,40}$')`);
  await knex('platforms').insert([
    { slug: 'zomato', name: 'Zomato', brand_colour: '#E23744', sort_order: 1 },
    { slug: 'blinkit', name: 'Blinkit', brand_colour: '#F8CB46', sort_order: 2 },
    { slug: 'rapido', name: 'Rapido', brand_colour: '#FFD200', sort_order: 3 },
    { slug: 'ola', name: 'Ola', brand_colour: '#1C1C1C', sort_order: 4 },
  ]);

  // Rules live in data: prices, slots and rates change without a deploy.
  await knex.schema.createTable('plans', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.bigInteger('price_paise').notNullable();
    t.integer('slots').notNullable();
    t.integer('valid_days').notNullable();
    t.integer('withdrawals_per_day').notNullable();
    t.bigInteger('commission_per_platform_paise').notNullable();
    t.integer('monthly_cap_divisor').notNullable().comment('monthly purchase cap = floor(catalog size / divisor)');
  });
  await knex.raw(`
    ALTER TABLE plans
      ADD CONSTRAINT plans_positive CHECK (price_paise > 0 AND slots > 0 AND valid_days > 0 AND withdrawals_per_day > 0
        AND commission_per_platform_paise >= 0 AND monthly_cap_divisor > 0)`);
  await knex('plans').insert([
    {
      code: 'solo',
      name: 'Solo',
      price_paise: 2_500,
      slots: 1,
      valid_days: 30,
      withdrawals_per_day: 2,
      commission_per_platform_paise: 1_000,
      monthly_cap_divisor: 1,
    },
    {
      code: 'duo',
      name: 'Duo',
      price_paise: 5_000,
      slots: 2,
      valid_days: 30,
      withdrawals_per_day: 2,
      commission_per_platform_paise: 1_300,
      monthly_cap_divisor: 2,
    },
    {
      code: 'trio',
      name: 'Trio',
      price_paise: 7_500,
      slots: 3,
      valid_days: 30,
      withdrawals_per_day: 2,
      commission_per_platform_paise: 1_500,
      monthly_cap_divisor: 3,
    },
  ]);

  await knex.schema.createTable('plan_purchases', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('worker_id').notNullable().references('workers.id');
    t.text('plan_code').notNullable().references('plans.code');
    // The terms as bought: later rule changes never rewrite a purchase.
    t.bigInteger('price_paise').notNullable();
    t.integer('slots').notNullable();
    t.integer('valid_days').notNullable();
    t.integer('withdrawals_per_day').notNullable();
    t.integer('purchase_ist_day').notNullable().comment('days since 1970-01-01 in IST: the first accrual day');
    t.text('purchase_ist_month').notNullable();
    t.timestamp('purchased_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.uuid('journal_id').notNullable().references('ledger_journals.id');
    t.text('idempotency_key').notNullable();
    t.text('request_fingerprint').notNullable();
    t.unique(['worker_id', 'idempotency_key']);
    t.index(['worker_id', 'expires_at']);
  });

  await knex.schema.createTable('insurance_coverages', (t) => {
    t.uuid('worker_id').primary().references('workers.id');
    t.text('status').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `ALTER TABLE insurance_coverages ADD CONSTRAINT insurance_coverages_status_known CHECK (status IN ('active', 'lapsed', 'opted_out'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('insurance_coverages');
  await knex.schema.dropTable('plan_purchases');
  await knex.schema.dropTable('plans');
  await knex.schema.dropTable('platforms');
}
