import type { Executor } from '../../db/database.js';
import { prepare } from '../../db/prepared.js';

export interface AssetStateRow { id: string; asset_tag: string; lifecycle_state: string; category_id: string; data_bearing: number; deleted_at: string | null }

export const findAssetState = (db: Executor, orgId: string, assetId: string): Promise<AssetStateRow | undefined> =>
  db.selectFrom('assets').innerJoin('categories', 'categories.id', 'assets.category_id')
    .select(['assets.id', 'assets.asset_tag', 'assets.lifecycle_state', 'assets.category_id', 'categories.data_bearing', 'assets.deleted_at'])
    .where('assets.org_id', '=', orgId).where('assets.id', '=', assetId).executeTakeFirst();

/** Asset columns a caller may change in the same UPDATE as the state (custody: where the asset now is). */
export interface AssetPatch { location_id?: string | null; default_location_id?: string | null }

// The two shapes of every check-out and check-in, built once (db/prepared.ts).
const setStateQuery = prepare((db: Executor, orgId: string, assetId: string, state: string, now: string) =>
  db.updateTable('assets').set({ lifecycle_state: state, updated_at: now }).where('org_id', '=', orgId).where('id', '=', assetId));
const setStateAndLocationQuery = prepare((db: Executor, orgId: string, assetId: string, state: string, now: string, locationId: string | null) =>
  db.updateTable('assets').set({ location_id: locationId, lifecycle_state: state, updated_at: now }).where('org_id', '=', orgId).where('id', '=', assetId));

/** Writes the state, and the caller's other columns in the same statement (one row version, one pass over the indexes). */
export async function setState(db: Executor, orgId: string, assetId: string, state: string, now: string, patch: AssetPatch = {}): Promise<void> {
  const keys = Object.keys(patch);
  if (!keys.length) await db.executeQuery(setStateQuery(db, orgId, assetId, state, now));
  else if (keys.length === 1 && patch.location_id !== undefined) await db.executeQuery(setStateAndLocationQuery(db, orgId, assetId, state, now, patch.location_id));
  else await db.updateTable('assets').set({ ...patch, lifecycle_state: state, updated_at: now }).where('org_id', '=', orgId).where('id', '=', assetId).execute();
}

export const hasOpenAssignment = async (db: Executor, orgId: string, assetId: string): Promise<boolean> =>
  !!(await db.selectFrom('assignments').select('id').where('org_id', '=', orgId).where('asset_id', '=', assetId).where('returned_at', 'is', null).executeTakeFirst());

export const mediaOf = (db: Executor, orgId: string, assetId: string) =>
  db.selectFrom('asset_media').select(['id', 'serial', 'media_type', 'status']).where('org_id', '=', orgId).where('asset_id', '=', assetId).execute();
