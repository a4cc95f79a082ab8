import { sql, type Kysely } from 'kysely';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * The "where is this product installed" index of software installations is maintained in batches.
 *
 * A discovered machine's first inventory brings ~840 installations: one entry in each product's part
 * of `software_installations_product_idx`, i.e. ~840 scattered index pages to change and write out
 * per inventory, which made up half of an inventory's cost. Installations now arrive with
 * `indexed = 0` (outside the now partial product index; the device's own unique key, which is
 * local, still covers them), their device is queued in `software_index_queue`, and a flush marks
 * the queued devices' rows `indexed = 1` many devices at a time, so each product's index page is
 * written once per batch instead of once per device. Every reader of the product index flushes its
 * organization's queue first (see software.service `indexedFor`), so no read sees a stale index.
 *
 * Existing rows are indexed (default 1). PostgreSQL writes rows indexed right away (an UPDATE there
 * is a new row version in every index: batching would cost more than it saves).
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('software_installations').addColumn('indexed', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.dropIndex('software_installations_product_idx').execute();
  await db.schema.createIndex('software_installations_product_idx').on('software_installations')
    .columns(['org_id', 'product_id', 'device_id']).where(sql.ref('indexed'), '=', 1).execute();

  await db.schema
    .createTable('software_index_queue')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('software_index_queue_pk', ['org_id', 'device_id'])
    .addForeignKeyConstraint('software_index_queue_device_fk', ['org_id', 'device_id'], 'discovered_devices', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('software_index_queue').execute();
  await db.updateTable('software_installations').set({ indexed: 1 }).where('indexed', '=', 0).execute();
  await db.schema.dropIndex('software_installations_product_idx').execute();
  await db.schema.createIndex('software_installations_product_idx').on('software_installations').columns(['org_id', 'product_id', 'device_id']).execute();
  await db.schema.alterTable('software_installations').dropColumn('indexed').execute();
}
