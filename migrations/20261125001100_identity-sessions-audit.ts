import type { Knex } from 'knex';

/**
 * Identity and access (SPEC §10): one-time sign-in codes (hashed), admin credentials with a second factor,
 * sessions with rotating refresh tokens, and the append-only audit log.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('admins', (t) => {
    t.text('password_hash');
    // AES-256-GCM ciphertext of the TOTP secret: a database dump alone cannot mint second factors.
    t.text('totp_secret_encrypted');
    // The last 30-second TOTP step accepted: a code is good once, never replayed within its window.
    t.bigInteger('totp_last_step');
    t.integer('failed_sign_ins').notNullable().defaultTo(0);
    t.timestamp('locked_until', { useTz: true });
    t.timestamp('disabled_at', { useTz: true });
    // Contact details, also used to stop an admin deciding a request of their own worker account.
    t.specificType('email', 'citext').unique();
    t.text('phone').unique();
    t.uuid('created_by').references('id').inTable('admins');
  });

  await knex.schema.createTable('sign_in_codes', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('channel').notNullable();
    // Normalised email or E.164 phone; codes are looked up by it.
    t.text('identity').notNullable();
    t.text('code_hash').notNullable();
    t.integer('failed_attempts').notNullable().defaultTo(0);
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('consumed_at', { useTz: true });
    t.specificType('requested_from', 'inet');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['identity', 'created_at']);
  });
  await knex.raw(`ALTER TABLE sign_in_codes ADD CONSTRAINT sign_in_codes_channel CHECK (channel IN ('email', 'sms'))`);
  await knex.raw(`ALTER TABLE sign_in_codes ADD CONSTRAINT sign_in_codes_attempts CHECK (failed_attempts >= 0)`);

  await knex.schema.createTable('admin_sign_in_challenges', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('admin_id').notNullable().references('id').inTable('admins');
    t.text('token_hash').notNullable().unique();
    t.integer('failed_attempts').notNullable().defaultTo(0);
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('consumed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // A session is one sign-in on one device: the family of every refresh token rotated from it.
  await knex.schema.createTable('sessions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('worker_id').references('id').inTable('workers');
    t.uuid('admin_id').references('id').inTable('admins');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_refreshed_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.text('revoked_reason');
    t.text('user_agent');
    t.specificType('ip', 'inet');
    t.index(['worker_id']);
    t.index(['admin_id']);
  });
  await knex.raw(
    `ALTER TABLE sessions ADD CONSTRAINT sessions_one_subject CHECK ((worker_id IS NULL) <> (admin_id IS NULL))`,
  );
  await knex.raw(
    `ALTER TABLE sessions ADD CONSTRAINT sessions_revocation_reason CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))`,
  );

  await knex.schema.createTable('refresh_tokens', (t) => {
    t.text('token_hash').primary();
    t.uuid('session_id').notNullable().references('id').inTable('sessions');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Set when the token is exchanged; presenting it again is reuse and revokes the session.
    t.timestamp('used_at', { useTz: true });
    t.index(['session_id']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor_kind').notNullable();
    t.uuid('actor_id');
    t.text('action').notNullable();
    t.text('outcome').notNullable();
    t.text('target_kind');
    t.text('target_id');
    t.specificType('ip', 'inet');
    t.text('request_id');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.index(['occurred_at']);
    t.index(['actor_id', 'occurred_at']);
    t.index(['target_id', 'occurred_at']);
    t.index(['action', 'occurred_at']);
  });
  await knex.raw(
    `ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind CHECK (actor_kind IN ('admin', 'worker', 'anonymous', 'system'))`,
  );
  await knex.raw(
    `ALTER TABLE audit_log ADD CONSTRAINT audit_log_outcome CHECK (outcome IN ('succeeded', 'refused', 'failed'))`,
  );
  // Append-only: the database refuses to change or remove history, whoever asks.
  await knex.raw(`
    CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE audit_log');
  await knex.raw('DROP FUNCTION audit_log_is_append_only()');
  await knex.schema.dropTable('refresh_tokens');
  await knex.schema.dropTable('sessions');
  await knex.schema.dropTable('admin_sign_in_challenges');
  await knex.schema.dropTable('sign_in_codes');
  await knex.schema.alterTable('admins', (t) => {
    for (const column of [
      'password_hash',
      'totp_secret_encrypted',
      'totp_last_step',
      'failed_sign_ins',
      'locked_until',
      'disabled_at',
      'email',
      'phone',
      'created_by',
    ]) {
      t.dropColumn(column);
    }
  });
}
