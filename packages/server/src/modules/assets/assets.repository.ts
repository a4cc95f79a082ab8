import type { Executor } from '../../db/database.js';

/** One asset with the names of what it references, as the list and the detail page show it. */
export interface AssetRow {
  id: string;
  asset_tag: string;
  serial: string | null;
  name: string | null;
  lifecycle_state: string;
  model_id: string;
  model_name: string;
  category_id: string;
  category_name: string;
  manufacturer_id: string | null;
  manufacturer_name: string | null;
  location_id: string | null;
  location_name: string | null;
  purchase_date: string | null;
  purchase_cost_minor: number | null;
  currency: string | null;
  warranty_end: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * assets ⋈ model ⋈ category ⟕ manufacturer ⟕ location in one statement (no N+1). The joins are on
 * the primary keys; the composite foreign keys already guarantee those rows are the same tenant's.
 */
export const withRefs = (db: Executor, orgId: string) =>
  db.selectFrom('assets')
    .innerJoin('models', 'models.id', 'assets.model_id')
    .innerJoin('categories', 'categories.id', 'assets.category_id')
    .leftJoin('manufacturers', 'manufacturers.id', 'assets.manufacturer_id')
    .leftJoin('locations', 'locations.id', 'assets.location_id')
    .select([
      'assets.id', 'assets.asset_tag', 'assets.serial', 'assets.name', 'assets.lifecycle_state',
      'assets.model_id', 'models.name as model_name', 'assets.category_id', 'categories.name as category_name',
      'assets.manufacturer_id', 'manufacturers.name as manufacturer_name', 'assets.location_id', 'locations.name as location_name',
      'assets.purchase_date', 'assets.purchase_cost_minor', 'assets.currency', 'assets.warranty_end', 'assets.created_at', 'assets.updated_at',
    ])
    .where('assets.org_id', '=', orgId);

export const findAsset = (db: Executor, orgId: string, id: string): Promise<AssetRow | undefined> =>
  withRefs(db, orgId).where('assets.id', '=', id).executeTakeFirst();
