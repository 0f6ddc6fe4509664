import type { Knex } from 'knex';

/**
 * SPEC §6–§9. One approvals model for the four request types: a `requests` row per request (whatever its type),
 * each admin decision in `request_decisions` (one per admin: four-eyes is a unique key, not only code), and every
 * state change in `request_timeline`. Loans with their instalment schedule, insurance premiums, coverage periods
 * and claims, account deletions, and proof documents stored as files.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('requests', (t) => {
    t.uuid('id').primary().comment('the business id of the withdrawal, loan, claim or deletion');
    t.text('type').notNullable();
    t.uuid('worker_id').notNullable().references('workers.id');
    t.bigInteger('amount_paise');
    t.text('status').notNullable();
    t.text('workflow_id').notNullable().unique();
    t.smallint('approvals_required').notNullable();
    t.boolean('senior_required').notNullable().defaultTo(false);
    t.timestamp('sla_due_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('escalated_at', { useTz: true });
    t.uuid('assigned_to').references('admins.id');
    t.timestamp('assigned_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('closed_at', { useTz: true });
    t.timestamp('workflow_started_at', { useTz: true }).comment('set once the workflow start is acknowledged');
    t.index(['status', 'type', 'created_at']);
    t.index(['worker_id', 'created_at']);
  });
  await knex.raw(`
    ALTER TABLE requests
      ADD CONSTRAINT requests_type_known CHECK (type IN ('withdrawal', 'loan', 'claim', 'deletion')),
      ADD CONSTRAINT requests_approvals_range CHECK (approvals_required BETWEEN 0 AND 2),
      ADD CONSTRAINT requests_amount_not_negative CHECK (amount_paise IS NULL OR amount_paise >= 0),
      ADD CONSTRAINT requests_assignment_complete CHECK ((assigned_to IS NULL) = (assigned_at IS NULL));
  `);

  await knex.schema.createTable('request_decisions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('request_id').notNullable().references('requests.id');
    t.uuid('admin_id').notNullable().references('admins.id');
    t.text('admin_role').notNullable();
    t.text('decision').notNullable();
    t.text('reason');
    t.text('comment');
    t.timestamp('decided_at', { useTz: true }).notNullable();
    // Four-eyes in the database: one admin gives at most one decision per request.
    t.unique(['request_id', 'admin_id']);
  });
  await knex.raw(`
    ALTER TABLE request_decisions
      ADD CONSTRAINT request_decisions_kind CHECK (decision IN ('approve', 'reject')),
      ADD CONSTRAINT request_decisions_rejection_has_reason CHECK (decision <> 'reject' OR length(btrim(reason)) > 0);
  `);

  await knex.schema.createTable('request_timeline', (t) => {
    t.bigIncrements('id');
    t.uuid('request_id').notNullable().references('requests.id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('kind').notNullable();
    t.text('status');
    t.text('actor_kind').notNullable();
    t.uuid('actor_id');
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.index(['request_id', 'id']);
  });
  await knex.raw(`
    ALTER TABLE request_timeline
      ADD CONSTRAINT request_timeline_actor_kind CHECK (actor_kind IN ('worker', 'admin', 'system'));
  `);

  // Withdrawals already in flight join the model with their history so far.
  await knex.raw(`
    INSERT INTO requests (id, type, worker_id, amount_paise, status, workflow_id, approvals_required, created_at,
                          updated_at, closed_at)
    SELECT id, 'withdrawal', worker_id, amount_paise, status, workflow_id, CASE WHEN requires_approval THEN 1 ELSE 0 END,
           created_at, updated_at,
           CASE WHEN status IN ('paid', 'rejected', 'cancelled', 'expired', 'failed') THEN updated_at END
    FROM withdrawals;
    CREATE INDEX requests_unstarted ON requests (created_at) WHERE workflow_started_at IS NULL AND closed_at IS NULL;
    INSERT INTO request_timeline (request_id, at, kind, status, actor_kind)
    SELECT id, updated_at, 'status', status, 'system' FROM withdrawals;
  `);

  await knex.schema.createTable('documents', (t) => {
    t.uuid('id').primary();
    t.uuid('worker_id').notNullable().references('workers.id');
    t.text('purpose').notNullable();
    t.text('content_type').notNullable();
    t.integer('byte_size').notNullable();
    t.text('sha256').notNullable();
    t.text('file').notNullable().unique();
    t.uuid('attached_to').comment('the loan or claim that uses it; a document is used once');
    t.timestamp('erased_at', { useTz: true }).comment('file deleted on account erasure; the row stays for references');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['worker_id', 'created_at']);
    t.index(['attached_to']);
  });
  await knex.raw(`
    ALTER TABLE documents
      ADD CONSTRAINT documents_purpose_known CHECK (purpose IN ('loan_proof', 'claim_proof')),
      ADD CONSTRAINT documents_type_known CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
      ADD CONSTRAINT documents_size_positive CHECK (byte_size > 0);
  `);

  await knex.schema.createTable('loans', (t) => {
    t.uuid('id').primary();
    t.uuid('worker_id').notNullable().references('workers.id');
    t.bigInteger('amount_paise').notNullable();
    t.integer('annual_rate_bps').notNullable();
    t.smallint('tenure_months').notNullable();
    t.bigInteger('emi_paise').notNullable();
    t.bigInteger('total_interest_paise').notNullable();
    t.text('status').notNullable().defaultTo('pending_approval');
    t.jsonb('eligibility').notNullable().comment('the eligibility the worker was shown when applying');
    t.uuid('document_id').notNullable().references('documents.id');
    t.text('idempotency_key').notNullable();
    t.text('request_fingerprint').notNullable();
    t.text('workflow_id').notNullable().unique();
    t.uuid('disbursal_journal_id').unique().references('ledger_journals.id');
    t.timestamp('disbursed_at', { useTz: true });
    t.timestamp('closed_at', { useTz: true });
    t.text('closure').comment('repaid | prepaid');
    t.text('decision_reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['worker_id', 'idempotency_key']);
  });
  await knex.raw(`
    ALTER TABLE loans
      ADD CONSTRAINT loans_status_known CHECK (status IN
        ('pending_approval', 'active', 'closed', 'rejected', 'cancelled', 'expired')),
      ADD CONSTRAINT loans_amount_positive CHECK (amount_paise > 0 AND emi_paise > 0 AND total_interest_paise >= 0),
      ADD CONSTRAINT loans_disbursed_consistently CHECK ((status IN ('active', 'closed')) = (disbursal_journal_id IS NOT NULL)),
      ADD CONSTRAINT loans_closed_consistently CHECK ((status = 'closed') = (closed_at IS NOT NULL));
    -- SPEC §6 "no other open loan", held by the database against concurrent applications.
    CREATE UNIQUE INDEX loans_one_open_per_worker ON loans (worker_id) WHERE status IN ('pending_approval', 'active');
  `);

  await knex.schema.createTable('loan_instalments', (t) => {
    t.uuid('loan_id').notNullable().references('loans.id');
    t.smallint('number').notNullable();
    t.date('due_on').notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable().comment('when the auto-debit runs');
    t.bigInteger('principal_paise').notNullable();
    t.bigInteger('interest_paise').notNullable();
    t.text('status').notNullable().defaultTo('scheduled');
    t.smallint('attempts').notNullable().defaultTo(0);
    t.timestamp('overdue_at', { useTz: true });
    t.bigInteger('late_fee_paise').notNullable().defaultTo(0);
    t.timestamp('paid_at', { useTz: true });
    t.uuid('journal_id').unique().references('ledger_journals.id');
    t.primary(['loan_id', 'number']);
  });
  await knex.raw(`
    ALTER TABLE loan_instalments
      ADD CONSTRAINT loan_instalments_status_known CHECK (status IN ('scheduled', 'overdue', 'paid', 'waived')),
      ADD CONSTRAINT loan_instalments_paid_consistently CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
      ADD CONSTRAINT loan_instalments_amounts CHECK (principal_paise > 0 AND interest_paise >= 0 AND late_fee_paise >= 0);
    CREATE INDEX loan_instalments_overdue ON loan_instalments (overdue_at) WHERE status = 'overdue';
  `);

  await knex.schema.alterTable('insurance_coverages', (t) => {
    t.timestamp('opted_in_at', { useTz: true });
    t.date('opt_out_effective_on').comment('first IST day no longer covered after an opt-out');
  });
  await knex.raw(`
    ALTER TABLE insurance_coverages DROP CONSTRAINT insurance_coverages_status_known;
    ALTER TABLE insurance_coverages ADD CONSTRAINT insurance_coverages_status_known
      CHECK (status IN ('active', 'grace', 'lapsed', 'opted_out'));
  `);
  await knex.schema.createTable('insurance_coverage_periods', (t) => {
    t.bigIncrements('id');
    t.uuid('worker_id').notNullable().references('workers.id');
    t.date('starts_on').notNullable();
    t.date('ends_on').comment('first day not covered; open while covered');
    t.index(['worker_id', 'starts_on']);
  });
  await knex.raw(`
    ALTER TABLE insurance_coverage_periods ADD CONSTRAINT insurance_periods_ordered CHECK (ends_on IS NULL OR ends_on >= starts_on);
    CREATE UNIQUE INDEX insurance_one_open_period ON insurance_coverage_periods (worker_id) WHERE ends_on IS NULL;
  `);
  await knex.schema.createTable('insurance_premiums', (t) => {
    t.uuid('worker_id').notNullable().references('workers.id');
    t.specificType('month', 'char(7)').notNullable();
    t.bigInteger('amount_paise').notNullable();
    t.date('due_on').notNullable();
    t.text('status').notNullable().defaultTo('due');
    t.smallint('attempts').notNullable().defaultTo(0);
    t.timestamp('paid_at', { useTz: true });
    t.uuid('journal_id').unique().references('ledger_journals.id');
    t.primary(['worker_id', 'month']);
  });
  await knex.raw(`
    ALTER TABLE insurance_premiums
      ADD CONSTRAINT insurance_premiums_status_known CHECK (status IN ('due', 'paid', 'lapsed')),
      ADD CONSTRAINT insurance_premiums_paid_consistently CHECK ((status = 'paid') = (journal_id IS NOT NULL));
  `);

  await knex.schema.createTable('insurance_claims', (t) => {
    t.uuid('id').primary();
    t.uuid('worker_id').notNullable().references('workers.id');
    t.text('type').notNullable();
    t.date('incident_on').notNullable();
    t.text('description').notNullable();
    t.bigInteger('payout_paise').notNullable();
    t.text('status').notNullable().defaultTo('pending_approval');
    t.text('idempotency_key').notNullable();
    t.text('request_fingerprint').notNullable();
    t.text('workflow_id').notNullable().unique();
    t.uuid('journal_id').unique().references('ledger_journals.id');
    t.text('decision_reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['worker_id', 'idempotency_key']);
    t.index(['worker_id', 'incident_on']);
  });
  await knex.raw(`
    ALTER TABLE insurance_claims
      ADD CONSTRAINT insurance_claims_type_known CHECK (type IN ('vehicle_damage', 'product_damage_loss')),
      ADD CONSTRAINT insurance_claims_status_known CHECK (status IN
        ('pending_approval', 'paid', 'rejected', 'cancelled', 'expired')),
      ADD CONSTRAINT insurance_claims_paid_consistently CHECK ((status = 'paid') = (journal_id IS NOT NULL)),
      ADD CONSTRAINT insurance_claims_payout_positive CHECK (payout_paise > 0);
  `);

  await knex.schema.createTable('account_deletions', (t) => {
    t.uuid('id').primary();
    t.uuid('worker_id').notNullable().references('workers.id');
    t.text('reason').notNullable();
    t.text('reason_text');
    t.text('status').notNullable().defaultTo('pending_approval');
    t.text('workflow_id').notNullable().unique();
    t.timestamp('grace_ends_at', { useTz: true });
    t.timestamp('erased_at', { useTz: true });
    t.text('decision_reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`
    ALTER TABLE account_deletions
      ADD CONSTRAINT account_deletions_reason_known CHECK (reason IN ('privacy', 'not_using', 'switching', 'support', 'other')),
      ADD CONSTRAINT account_deletions_other_explained CHECK (reason <> 'other' OR length(btrim(reason_text)) > 0),
      ADD CONSTRAINT account_deletions_status_known CHECK (status IN
        ('pending_approval', 'grace', 'erased', 'rejected', 'cancelled', 'expired')),
      ADD CONSTRAINT account_deletions_grace_set CHECK (status NOT IN ('grace', 'erased') OR grace_ends_at IS NOT NULL);
    CREATE UNIQUE INDEX account_deletions_one_open ON account_deletions (worker_id) WHERE status IN ('pending_approval', 'grace');
  `);

  // Erasure keeps the row (ledger and audit point at it) under a pseudonym; the identity check allows that state.
  await knex.schema.alterTable('workers', (t) => {
    t.text('pseudonym');
    t.timestamp('erased_at', { useTz: true });
  });
  await knex.raw(`
    ALTER TABLE workers DROP CONSTRAINT workers_identity_present;
    ALTER TABLE workers ADD CONSTRAINT workers_identity_present
      CHECK (phone IS NOT NULL OR email IS NOT NULL OR (erased_at IS NOT NULL AND pseudonym IS NOT NULL));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DELETE FROM workers WHERE erased_at IS NOT NULL;
    ALTER TABLE workers DROP CONSTRAINT workers_identity_present;
    ALTER TABLE workers ADD CONSTRAINT workers_identity_present CHECK (phone IS NOT NULL OR email IS NOT NULL);
  `);
  await knex.schema.alterTable('workers', (t) => t.dropColumns('pseudonym', 'erased_at'));
  for (const table of [
    'account_deletions',
    'insurance_claims',
    'insurance_premiums',
    'insurance_coverage_periods',
    'loan_instalments',
    'loans',
    'documents',
    'request_timeline',
    'request_decisions',
    'requests',
  ]) {
    await knex.schema.dropTable(table);
  }
  await knex.raw(`
    UPDATE insurance_coverages SET status = 'lapsed' WHERE status = 'grace';
    ALTER TABLE insurance_coverages DROP CONSTRAINT insurance_coverages_status_known;
    ALTER TABLE insurance_coverages ADD CONSTRAINT insurance_coverages_status_known
      CHECK (status IN ('active', 'lapsed', 'opted_out'));
  `);
  await knex.schema.alterTable('insurance_coverages', (t) => t.dropColumns('opted_in_at', 'opt_out_effective_on'));
}
