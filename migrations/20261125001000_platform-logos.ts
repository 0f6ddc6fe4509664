import type { Knex } from 'knex';

/** Platform logos are files on disk; the row keeps what is needed to serve them safely and cache them forever. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('platforms', (t) => {
    t.text('logo_file');
    t.text('logo_content_type');
    t.text('logo_sha256');
  });
  await knex.raw(`
    ALTER TABLE platforms ADD CONSTRAINT platforms_logo_complete
      CHECK ((logo_file IS NULL) = (logo_content_type IS NULL) AND (logo_file IS NULL) = (logo_sha256 IS NULL));
    ALTER TABLE platforms ADD CONSTRAINT platforms_brand_colour_hex CHECK (brand_colour ~ '^#[0-9A-Fa-f]{6}$');
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    `ALTER TABLE platforms DROP CONSTRAINT platforms_brand_colour_hex, DROP CONSTRAINT platforms_logo_complete`,
  );
  await knex.schema.alterTable('platforms', (t) => t.dropColumns('logo_file', 'logo_content_type', 'logo_sha256'));
}
