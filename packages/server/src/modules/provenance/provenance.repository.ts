import type { Insertable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { AssetFieldSourcesTable } from '../../db/schema.js';

export type FieldSourceRow = AssetFieldSourcesTable;

export const listSources = (db: Executor, orgId: string, assetId: string): Promise<FieldSourceRow[]> =>
  db.selectFrom('asset_field_sources').selectAll().where('org_id', '=', orgId).where('asset_id', '=', assetId).orderBy('field').execute();

export const findSource = (db: Executor, orgId: string, assetId: string, field: string): Promise<FieldSourceRow | undefined> =>
  db.selectFrom('asset_field_sources').selectAll().where('org_id', '=', orgId).where('asset_id', '=', assetId).where('field', '=', field).executeTakeFirst();

/** Who last wrote these fields; a lock set by a hand edit survives a later write by another source. */
export async function upsertSources(db: Executor, rows: Insertable<AssetFieldSourcesTable>[], lock: boolean): Promise<void> {
  if (!rows.length) return;
  await db.insertInto('asset_field_sources').values(rows).onConflict((oc) => oc.columns(['org_id', 'asset_id', 'field']).doUpdateSet((eb) => ({
    source: eb.ref('excluded.source'),
    source_ref: eb.ref('excluded.source_ref'),
    updated_at: eb.ref('excluded.updated_at'),
    ...(lock ? { locked: eb.ref('excluded.locked'), locked_by: eb.ref('excluded.locked_by'), locked_at: eb.ref('excluded.locked_at') } : {}),
  }))).execute();
}

export const unlock = (db: Executor, orgId: string, assetId: string, field: string) =>
  db.updateTable('asset_field_sources').set({ locked: 0, locked_by: null, locked_at: null })
    .where('org_id', '=', orgId).where('asset_id', '=', assetId).where('field', '=', field).execute();
