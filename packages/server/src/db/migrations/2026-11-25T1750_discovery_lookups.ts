import type { Kysely } from 'kysely';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * Two lookups every inventory makes, found scanning on a growing fleet:
 *
 * - The identifiers a discovered device gave its asset are replaced on every changed inventory
 *   (`DELETE … WHERE org_id = ? AND device_id = ?`) and cleared when the device is unlinked. Without
 *   an index on the device that scanned every identifier of the organization: ~1–2 ms per
 *   inventory at 3,000 discovered machines, growing with the fleet.
 * - "Was this exact payload already received?" (`WHERE org_id = ? AND agent_id = ? AND sha256 = ?
 *   ORDER BY id DESC`): the index on (org_id, agent_id, sha256) could not give the order, so
 *   SQLite's planner, whenever its statistics were missing or stale (a server started on a new
 *   database keeps them until its hourly `optimize`), walked the organization's payloads in id
 *   order instead — every payload, for every new inventory. With `id` in the index it is one seek.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.createIndex('asset_identifiers_device_idx').on('asset_identifiers').columns(['org_id', 'device_id']).execute();
  await db.schema.dropIndex('inventory_payloads_sha_idx').execute();
  await db.schema.createIndex('inventory_payloads_sha_idx').on('inventory_payloads').columns(['org_id', 'agent_id', 'sha256', 'id']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('inventory_payloads_sha_idx').execute();
  await db.schema.createIndex('inventory_payloads_sha_idx').on('inventory_payloads').columns(['org_id', 'agent_id', 'sha256']).execute();
  await db.schema.dropIndex('asset_identifiers_device_idx').execute();
}
