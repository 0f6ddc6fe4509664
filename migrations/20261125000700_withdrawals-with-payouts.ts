import type { Knex } from 'knex';

/**
 * Withdrawals move real money (SPEC §5): the request holds the gross amount on the wallet, the payout goes through
 * the rail, and the hold is posted on confirmation or voided on rejection, expiry, cancellation or rail failure.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('withdrawals', (t) => {
    t.bigInteger('service_fee_paise').notNullable().defaultTo(0);
    t.bigInteger('insurance_contribution_paise').notNullable().defaultTo(0);
    t.boolean('requires_approval').notNullable().defaultTo(true);
    t.uuid('hold_id').unique().references('ledger_holds.id');
    t.text('payout_id').unique();
    t.uuid('journal_id').unique().references('ledger_journals.id');
    t.text('failure_reason');
    t.timestamp('paid_at', { useTz: true });
  });
  await knex.raw(`
    ALTER TABLE withdrawals
      DROP CONSTRAINT withdrawals_status_known,
      ADD CONSTRAINT withdrawals_status_known CHECK (status IN
        ('pending_approval', 'approved', 'paying', 'paid', 'rejected', 'cancelled', 'expired', 'failed')),
      ADD CONSTRAINT withdrawals_charges_fit CHECK (service_fee_paise >= 0 AND insurance_contribution_paise >= 0
        AND amount_paise - service_fee_paise - insurance_contribution_paise > 0),
      ADD CONSTRAINT withdrawals_paid_consistently CHECK ((status = 'paid') = (paid_at IS NOT NULL AND journal_id IS NOT NULL)),
      ADD CONSTRAINT withdrawals_paying_has_payout CHECK (status NOT IN ('paying', 'paid') OR payout_id IS NOT NULL);
    CREATE INDEX withdrawals_worker_status ON withdrawals (worker_id, status);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX withdrawals_worker_status;
    ALTER TABLE withdrawals
      DROP CONSTRAINT withdrawals_paying_has_payout,
      DROP CONSTRAINT withdrawals_paid_consistently,
      DROP CONSTRAINT withdrawals_charges_fit,
      DROP CONSTRAINT withdrawals_status_known;
    DELETE FROM withdrawals WHERE status NOT IN ('pending_approval', 'approved', 'rejected', 'expired');
    ALTER TABLE withdrawals ADD CONSTRAINT withdrawals_status_known CHECK (status IN ('pending_approval', 'approved', 'rejected', 'expired'));
  `);
  await knex.schema.alterTable('withdrawals', (t) => {
    t.dropColumns(
      'service_fee_paise',
      'insurance_contribution_paise',
      'requires_approval',
      'hold_id',
      'payout_id',
      'journal_id',
      'failure_reason',
      'paid_at',
    );
  });
}
