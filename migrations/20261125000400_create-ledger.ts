import type { Knex } from 'knex';

/**
 * Double-entry ledger (SPEC §2). The database itself enforces the money invariants, so no code path (including a
 * bug or a hand-written SQL statement) can break them:
 *  - every journal balances (sum of its postings is zero, at least two postings), checked at commit;
 *  - postings and journals are append-only (UPDATE, DELETE and TRUNCATE raise);
 *  - a constrained account (a worker wallet) never goes below zero, holds included: spendable = balance − held;
 *  - a hold resolves exactly once (pending → posted | voided), and its amount and account never change.
 * Cached balances are kept for constrained accounts only, in the same transaction as the posting: that is where the
 * non-negativity check needs them, and it keeps busy system accounts (fee revenue, platform settlement) from
 * becoming one row every writer must lock. System balances are the sum of their postings.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ledger_accounts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('code').notNullable().unique();
    t.text('kind').notNullable();
    t.uuid('worker_id').references('workers.id');
    t.uuid('platform_id');
    t.boolean('constrained').notNullable().comment('never below zero, holds included; keeps a cached balance');
    t.bigInteger('balance_paise').notNullable().defaultTo(0);
    t.bigInteger('held_paise').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`
    ALTER TABLE ledger_accounts
      ADD CONSTRAINT ledger_accounts_kind_known CHECK (kind IN (
        'wallet', 'loan', 'platform_settlement', 'commission_payable',
        'payout_clearing', 'fee_revenue', 'subscription_revenue', 'insurance_pool', 'loan_funding')),
      ADD CONSTRAINT ledger_accounts_worker_owned CHECK ((kind IN ('wallet', 'loan')) = (worker_id IS NOT NULL)),
      ADD CONSTRAINT ledger_accounts_platform_owned
        CHECK ((kind IN ('platform_settlement', 'commission_payable')) = (platform_id IS NOT NULL)),
      ADD CONSTRAINT ledger_accounts_held_not_negative CHECK (held_paise >= 0),
      ADD CONSTRAINT ledger_accounts_spendable_not_negative
        CHECK (NOT constrained OR (balance_paise >= 0 AND balance_paise - held_paise >= 0)),
      ADD CONSTRAINT ledger_accounts_unconstrained_not_cached
        CHECK (constrained OR (balance_paise = 0 AND held_paise = 0));
    CREATE UNIQUE INDEX ledger_accounts_one_per_worker_kind ON ledger_accounts (worker_id, kind) WHERE worker_id IS NOT NULL;
  `);

  await knex.schema.createTable('ledger_journals', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('kind').notNullable();
    t.text('idempotency_key').notNullable().unique();
    t.text('request_fingerprint').notNullable();
    t.uuid('reverses_journal_id').unique().references('ledger_journals.id');
    t.text('description');
    t.jsonb('metadata').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('ledger_postings', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('journal_id').notNullable().references('ledger_journals.id');
    t.uuid('account_id').notNullable().references('ledger_accounts.id');
    t.bigInteger('amount_paise').notNullable().comment('positive credits the account, negative debits it');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id', 'id']);
    t.index(['journal_id']);
  });
  await knex.raw(
    `ALTER TABLE ledger_postings ADD CONSTRAINT ledger_postings_amount_not_zero CHECK (amount_paise <> 0)`,
  );

  await knex.schema.createTable('ledger_holds', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('account_id').notNullable().references('ledger_accounts.id');
    t.bigInteger('amount_paise').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.text('idempotency_key').notNullable().unique();
    t.text('request_fingerprint').notNullable();
    t.uuid('journal_id').references('ledger_journals.id');
    t.text('description');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('resolved_at', { useTz: true });
    t.index(['account_id', 'status']);
  });
  await knex.raw(`
    ALTER TABLE ledger_holds
      ADD CONSTRAINT ledger_holds_amount_positive CHECK (amount_paise > 0),
      ADD CONSTRAINT ledger_holds_status_known CHECK (status IN ('pending', 'posted', 'voided')),
      ADD CONSTRAINT ledger_holds_resolution_consistent CHECK (
        (status = 'pending' AND resolved_at IS NULL AND journal_id IS NULL) OR
        (status = 'posted' AND resolved_at IS NOT NULL AND journal_id IS NOT NULL) OR
        (status = 'voided' AND resolved_at IS NOT NULL AND journal_id IS NULL))
  `);

  // Business failures are remembered per idempotency key, so a retry can never turn a refusal into a success.
  await knex.schema.createTable('ledger_failed_requests', (t) => {
    t.text('idempotency_key').primary();
    t.text('request_fingerprint').notNullable();
    t.text('error_code').notNullable();
    t.text('message').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.raw(`
    CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'ledger rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
    END $$;
    CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
      FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
    CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
    CREATE TRIGGER ledger_journals_append_only BEFORE UPDATE OR DELETE ON ledger_journals
      FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
    CREATE TRIGGER ledger_journals_no_truncate BEFORE TRUNCATE ON ledger_journals
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
    CREATE TRIGGER ledger_holds_no_delete BEFORE DELETE ON ledger_holds
      FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
    CREATE TRIGGER ledger_holds_no_truncate BEFORE TRUNCATE ON ledger_holds
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

    -- The cached balance moves with every posting, in the same transaction; the account's CHECK then refuses an
    -- overdraft. The row update also serialises concurrent writers to one wallet.
    CREATE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE ledger_accounts SET balance_paise = balance_paise + NEW.amount_paise
        WHERE id = NEW.account_id AND constrained;
      RETURN NULL;
    END $$;
    CREATE TRIGGER ledger_postings_apply AFTER INSERT ON ledger_postings
      FOR EACH ROW EXECUTE FUNCTION ledger_apply_posting();

    -- Checked at commit, once every posting of the journal is in.
    CREATE FUNCTION ledger_assert_balanced(journal uuid) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      total numeric;
      legs integer;
    BEGIN
      SELECT coalesce(sum(amount_paise), 0), count(*) INTO total, legs FROM ledger_postings WHERE journal_id = journal;
      IF total <> 0 OR legs < 2 THEN
        RAISE EXCEPTION 'journal % is unbalanced (sum %, % postings)', journal, total, legs
          USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_journal_balanced';
      END IF;
    END $$;
    CREATE FUNCTION ledger_journal_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM ledger_assert_balanced(NEW.id);
      RETURN NULL;
    END $$;
    CREATE FUNCTION ledger_posting_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM ledger_assert_balanced(NEW.journal_id);
      RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER ledger_journals_balanced AFTER INSERT ON ledger_journals
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_journal_inserted();
    CREATE CONSTRAINT TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_posting_inserted();

    -- Holds: placing one reserves spendable money; resolving it (once) releases the reservation.
    CREATE FUNCTION ledger_hold_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'pending' THEN
          RAISE EXCEPTION 'a hold starts pending' USING ERRCODE = 'check_violation';
        END IF;
        UPDATE ledger_accounts SET held_paise = held_paise + NEW.amount_paise WHERE id = NEW.account_id AND constrained;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'holds apply to constrained accounts only' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END IF;
      IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'hold % is already %', OLD.id, OLD.status
          USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_hold_resolved_once';
      END IF;
      IF NEW.account_id <> OLD.account_id OR NEW.amount_paise <> OLD.amount_paise
         OR NEW.idempotency_key <> OLD.idempotency_key OR NEW.request_fingerprint <> OLD.request_fingerprint THEN
        RAISE EXCEPTION 'a hold''s account, amount and key never change' USING ERRCODE = 'restrict_violation';
      END IF;
      IF NEW.status <> OLD.status THEN
        UPDATE ledger_accounts SET held_paise = held_paise - OLD.amount_paise WHERE id = OLD.account_id;
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER ledger_holds_changed BEFORE INSERT OR UPDATE ON ledger_holds
      FOR EACH ROW EXECUTE FUNCTION ledger_hold_changed();
  `);

  // The system accounts of SPEC §2; per-worker and per-platform accounts are opened when those are created.
  await knex('ledger_accounts').insert(
    ['payout_clearing', 'fee_revenue', 'subscription_revenue', 'insurance_pool', 'loan_funding'].map((kind) => ({
      code: kind,
      kind,
      constrained: false,
    })),
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE ledger_failed_requests;
    DROP TABLE ledger_holds;
    DROP TABLE ledger_postings;
    DROP TABLE ledger_journals;
    DROP TABLE ledger_accounts;
    DROP FUNCTION ledger_hold_changed();
    DROP FUNCTION ledger_posting_inserted();
    DROP FUNCTION ledger_journal_inserted();
    DROP FUNCTION ledger_assert_balanced(uuid);
    DROP FUNCTION ledger_apply_posting();
    DROP FUNCTION ledger_refuse_change();
  `);
}
