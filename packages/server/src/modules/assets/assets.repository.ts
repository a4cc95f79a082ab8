import type { Executor } from '../../db/database.js';
import type { AssetSort } from './assets.schemas.js';

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
const withRefs = (db: Executor, orgId: string) =>
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

const SORT_COLUMNS = {
  assetTag: 'assets.asset_tag',
  updatedAt: 'assets.updated_at',
} as const;

export const sortColumn = (sort: AssetSort) => SORT_COLUMNS[sort.startsWith('-') ? (sort.slice(1) as keyof typeof SORT_COLUMNS) : (sort as keyof typeof SORT_COLUMNS)];

/** Where the previous page ended: its last row's sort value and id. */
export interface Keyset { value: string; id: string }

export interface AssetFilter {
  orgId: string;
  sort: AssetSort;
  after?: Keyset | undefined;
  state?: string | undefined;
  categoryId?: string | undefined;
  modelId?: string | undefined;
  locationId?: string | undefined;
  limit: number;
}

/**
 * Keyset pagination on (sort column, id). `(col, id) > (v, k)` is spelled out with and/or (row
 * values are not portable) and preceded by the redundant `col >= v`, which gives both planners a
 * plain range on the index so that a deep page seeks instead of scanning everything before it.
 */
export function listAssets(db: Executor, f: AssetFilter): Promise<AssetRow[]> {
  const col = sortColumn(f.sort);
  const desc = f.sort.startsWith('-');
  let q = withRefs(db, f.orgId);
  if (f.state) q = q.where('assets.lifecycle_state', '=', f.state);
  if (f.categoryId) q = q.where('assets.category_id', '=', f.categoryId);
  if (f.modelId) q = q.where('assets.model_id', '=', f.modelId);
  if (f.locationId) q = q.where('assets.location_id', '=', f.locationId);
  const after = f.after;
  if (after) {
    q = q.where(col, desc ? '<=' : '>=', after.value).where((eb) => eb.or([
      eb(col, desc ? '<' : '>', after.value),
      eb.and([eb(col, '=', after.value), eb('assets.id', desc ? '<' : '>', after.id)]),
    ]));
  }
  return q.orderBy(col, desc ? 'desc' : 'asc').orderBy('assets.id', desc ? 'desc' : 'asc').limit(f.limit).execute();
}
