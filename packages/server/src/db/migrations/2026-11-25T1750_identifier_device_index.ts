import type { Kysely } from 'kysely';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * The identifiers a discovered device gave its asset are replaced on every changed inventory
 * (`DELETE … WHERE org_id = ? AND device_id = ?`) and cleared when the device is unlinked. Without an
 * index on the device that was a scan of every identifier of the organization: ~1–2 ms per
 * inventory at 3,000 discovered machines, growing with the fleet.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.createIndex('asset_identifiers_device_idx').on('asset_identifiers').columns(['org_id', 'device_id']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('asset_identifiers_device_idx').execute();
}
