import type { Kysely } from 'kysely';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * Software catalogue (issue 5, point 5): normalised products, the installations discovery found on
 * each discovered device, and the organization's normalisation rules (rename, merge, ignore).
 *
 * `version` and `arch` of an installation are '' (never null) when the agent did not report them,
 * so that the unique key (device, product, version, arch) holds on both engines (a unique index
 * treats NULLs as distinct); the API shows '' as null.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('software_products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    // Normalised publisher (null for packages without one) and product name, after the rules
    .addColumn('publisher', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    // lower(publisher) + TAB + lower(name): the identity of the product within the organization
    .addColumn('key', 'text', (c) => c.notNull())
    // 1: an ignore rule matches the product; its installations are not stored
    .addColumn('ignored', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('software_products_org_id_uq', ['org_id', 'id'])
    .addUniqueConstraint('software_products_key_uq', ['org_id', 'key'])
    .execute();

  await db.schema
    .createTable('software_installations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    // As the agent reported them (rules are re-applied from these)
    .addColumn('raw_name', 'text', (c) => c.notNull())
    .addColumn('raw_publisher', 'text')
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('arch', 'text', (c) => c.notNull())
    .addColumn('install_date', 'text')
    .addColumn('source', 'text')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    // No (org_id, id) key: nothing references an installation, and every index costs ~840 inserts per new device.
    // Also the index of "the device's installations" (org_id, device_id prefix)
    .addUniqueConstraint('software_installations_device_uq', ['org_id', 'device_id', 'product_id', 'version', 'arch'])
    .addForeignKeyConstraint('software_installations_device_fk', ['org_id', 'device_id'], 'discovered_devices', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('software_installations_product_fk', ['org_id', 'product_id'], 'software_products', ['org_id', 'id'])
    .execute();
  // Where a product is installed, and per-product installation/device counts (covering).
  await db.schema.createIndex('software_installations_product_idx').on('software_installations').columns(['org_id', 'product_id', 'device_id']).execute();

  await db.schema
    .createTable('software_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    // rename | merge | ignore
    .addColumn('kind', 'text', (c) => c.notNull())
    // exact (case-insensitive) | contains (case-insensitive) | regex (JavaScript, case-insensitive)
    .addColumn('match_mode', 'text', (c) => c.notNull())
    // What the rule matches on the normalised publisher and/or product name (at least one is set)
    .addColumn('match_publisher', 'text')
    .addColumn('match_name', 'text')
    // rename/merge: the publisher and/or name the matching products get (null = keep)
    .addColumn('target_publisher', 'text')
    .addColumn('target_name', 'text')
    // Rules apply in ascending position (1, 2, …)
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('software_rules_org_id_uq', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('software_rules_org_position_idx').on('software_rules').columns(['org_id', 'position']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['software_rules', 'software_installations', 'software_products']) {
    await db.schema.dropTable(t).execute();
  }
}
