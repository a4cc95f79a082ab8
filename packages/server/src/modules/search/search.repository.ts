import type { Executor } from '../../db/database.js';
import { withRefs, type AssetRow } from '../assets/assets.repository.js';
import type { AssetSort } from './search.schemas.js';

export type { AssetRow };

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
