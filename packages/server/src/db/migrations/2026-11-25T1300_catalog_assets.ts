import type { Kysely } from 'kysely';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * The catalog (categories, manufacturers, suppliers, models), the location tree and the asset
 * register. Portable schema builder only: text ids and ISO timestamps made by the app, integer 0/1
 * booleans, JSON as text. Every tenant table has `unique(org_id, id)` so that references between
 * tenant rows can be composite foreign keys `(org_id, x_id) → x(org_id, id)`.
 *
 * Composite foreign keys have no ON DELETE SET NULL: on a nullable reference it would null
 * `org_id` too (PostgreSQL's column-list form does not exist in SQLite), so parents with children
 * are refused and the service detaches the children first.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('categories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('asset_class', 'text', (c) => c.notNull())
    .addColumn('data_bearing', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('requires_acceptance', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('acceptance_terms', 'text')
    .addColumn('acceptance_terms_version', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('categories_org_id_uq', ['org_id', 'id'])
    .addUniqueConstraint('categories_org_name_uq', ['org_id', 'name'])
    .execute();

  await db.schema
    .createTable('manufacturers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('support_url', 'text')
    .addColumn('warranty_lookup_url', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('manufacturers_org_id_uq', ['org_id', 'id'])
    .addUniqueConstraint('manufacturers_org_name_uq', ['org_id', 'name'])
    .execute();

  await db.schema
    .createTable('suppliers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('contact_name', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('url', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('suppliers_org_id_uq', ['org_id', 'id'])
    .addUniqueConstraint('suppliers_org_name_uq', ['org_id', 'name'])
    .execute();

  await db.schema
    .createTable('models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('model_number', 'text')
    .addColumn('category_id', 'text', (c) => c.notNull())
    // Nullable: generic items ("USB-C cable") have no manufacturer worth recording.
    .addColumn('manufacturer_id', 'text')
    .addColumn('eol_months', 'integer')
    .addColumn('default_custom_fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('image_path', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('models_org_id_uq', ['org_id', 'id'])
    .addUniqueConstraint('models_org_manufacturer_name_uq', ['org_id', 'manufacturer_id', 'name'])
    // Targets of the assets' (model, category) and (model, manufacturer) keys; see `assets` below.
    .addUniqueConstraint('models_org_id_category_uq', ['org_id', 'id', 'category_id'])
    .addUniqueConstraint('models_org_id_manufacturer_uq', ['org_id', 'id', 'manufacturer_id'])
    .addForeignKeyConstraint('models_category_fk', ['org_id', 'category_id'], 'categories', ['org_id', 'id'])
    .addForeignKeyConstraint('models_manufacturer_fk', ['org_id', 'manufacturer_id'], 'manufacturers', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('models_category_idx').on('models').columns(['org_id', 'category_id']).execute();

  await db.schema
    .createTable('locations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    // Materialized path of ids, root first, ending with the location itself: `/<rootId>/<childId>/`.
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('latitude', 'double precision')
    .addColumn('longitude', 'double precision')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('locations_org_id_uq', ['org_id', 'id'])
    // Siblings have distinct names (roots are not covered: NULL parents compare distinct).
    .addUniqueConstraint('locations_org_parent_name_uq', ['org_id', 'parent_id', 'name'])
    .addForeignKeyConstraint('locations_parent_fk', ['org_id', 'parent_id'], 'locations', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('locations_path_idx').on('locations').columns(['org_id', 'path']).execute();

  await db.schema
    .createTable('assets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('asset_tag', 'text', (c) => c.notNull())
    .addColumn('serial', 'text')
    .addColumn('name', 'text')
    .addColumn('model_id', 'text', (c) => c.notNull())
    // Denormalised from the model (list filters, the serial rule). The composite keys below make
    // the database hold them equal to the model's, and ON UPDATE CASCADE follows a model's change.
    .addColumn('category_id', 'text', (c) => c.notNull())
    .addColumn('manufacturer_id', 'text')
    .addColumn('lifecycle_state', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text')
    .addColumn('default_location_id', 'text')
    .addColumn('supplier_id', 'text')
    .addColumn('department_id', 'text')
    .addColumn('purchase_date', 'text')
    // Minor units (cents); bigint so that no realistic amount overflows (pg returns int8 as a number, see dialect.ts).
    .addColumn('purchase_cost_minor', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('order_number', 'text')
    .addColumn('invoice_number', 'text')
    .addColumn('warranty_end', 'text')
    .addColumn('eol_date', 'text')
    .addColumn('notes', 'text')
    .addColumn('parent_asset_id', 'text')
    .addColumn('custom_fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('assets_org_id_uq', ['org_id', 'id'])
    // Also the index of the default list order (org_id, asset_tag); being unique and NOT NULL it
    // makes the `, id` tie-breaker of the keyset order free on both engines.
    .addUniqueConstraint('assets_org_tag_uq', ['org_id', 'asset_tag'])
    .addForeignKeyConstraint('assets_model_category_fk', ['org_id', 'model_id', 'category_id'], 'models', ['org_id', 'id', 'category_id'], (fk) => fk.onUpdate('cascade'))
    // Only checked when manufacturer_id is set (MATCH SIMPLE); the service copies it from the model.
    .addForeignKeyConstraint('assets_model_manufacturer_fk', ['org_id', 'model_id', 'manufacturer_id'], 'models', ['org_id', 'id', 'manufacturer_id'], (fk) => fk.onUpdate('cascade'))
    .addForeignKeyConstraint('assets_category_fk', ['org_id', 'category_id'], 'categories', ['org_id', 'id'])
    .addForeignKeyConstraint('assets_manufacturer_fk', ['org_id', 'manufacturer_id'], 'manufacturers', ['org_id', 'id'])
    .addForeignKeyConstraint('assets_location_fk', ['org_id', 'location_id'], 'locations', ['org_id', 'id'])
    .addForeignKeyConstraint('assets_default_location_fk', ['org_id', 'default_location_id'], 'locations', ['org_id', 'id'])
    .addForeignKeyConstraint('assets_supplier_fk', ['org_id', 'supplier_id'], 'suppliers', ['org_id', 'id'])
    .addForeignKeyConstraint('assets_department_fk', ['org_id', 'department_id'], 'departments', ['org_id', 'id'])
    .addForeignKeyConstraint('assets_parent_fk', ['org_id', 'parent_asset_id'], 'assets', ['org_id', 'id'])
    .execute();

  // Serials are unique per organization and manufacturer, when present.
  await db.schema.createIndex('assets_serial_uq').on('assets').columns(['org_id', 'manufacturer_id', 'serial']).unique()
    .where('serial', 'is not', null).execute();
  // Lookup by serial alone (discovery matching, search).
  await db.schema.createIndex('assets_serial_idx').on('assets').columns(['org_id', 'serial']).execute();
  // List page: for each filter × sort key, an index of (org_id, filter, sort key, id), so that a
  // page is one index range on both engines whatever the planner's statistics say (SQLite has
  // none unless ANALYZE runs; without them it walks the sort index and filters, which for a rare
  // value reads most of the table). The unfiltered tag order uses assets_org_tag_uq.
  await db.schema.createIndex('assets_updated_idx').on('assets').columns(['org_id', 'updated_at', 'id']).execute();
  for (const [name, col] of [['state', 'lifecycle_state'], ['category', 'category_id'], ['model', 'model_id'], ['location', 'location_id']] as const) {
    await db.schema.createIndex(`assets_${name}_tag_idx`).on('assets').columns(['org_id', col, 'asset_tag', 'id']).execute();
    await db.schema.createIndex(`assets_${name}_updated_idx`).on('assets').columns(['org_id', col, 'updated_at', 'id']).execute();
  }
  // Child side of the remaining references: without them, deleting a parent row scans every asset.
  for (const col of ['default_location_id', 'supplier_id', 'department_id', 'parent_asset_id']) {
    await db.schema.createIndex(`assets_${col.replace(/_id$/, '')}_idx`).on('assets').columns(['org_id', col])
      .where(col, 'is not', null).execute();
  }
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['assets', 'locations', 'models', 'suppliers', 'manufacturers', 'categories']) {
    await db.schema.dropTable(t).execute();
  }
}
