import type { Ctx } from '../../context.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { notFound } from '../../errors.js';
import * as repo from './assets.repository.js';
import type { AssetDto, LifecycleState } from './assets.schemas.js';

export type { AssetDto } from './assets.schemas.js';

const minorDigitsCache = new Map<string, number>();

/** Decimal places of a currency's minor unit (EUR 2, JPY 0, BHD 3); 2 when unknown or unset. */
export function minorDigits(currency: string | null): number {
  if (!currency) return 2;
  let digits = minorDigitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2; // not an ISO 4217 code
    }
    minorDigitsCache.set(currency, digits);
  }
  return digits;
}

export const toMajorUnits = (minor: number | null, currency: string | null): number | null =>
  minor === null ? null : Number(minor) / 10 ** minorDigits(currency);

export const toAssetDto = (r: repo.AssetRow): AssetDto => ({
  id: r.id,
  assetTag: r.asset_tag,
  serial: r.serial,
  name: r.name,
  // Only the app writes this column, always from LIFECYCLE_STATES.
  lifecycleState: r.lifecycle_state as LifecycleState,
  model: { id: r.model_id, name: r.model_name },
  category: { id: r.category_id, name: r.category_name },
  manufacturer: r.manufacturer_id ? { id: r.manufacturer_id, name: r.manufacturer_name ?? '' } : null,
  location: r.location_id ? { id: r.location_id, name: r.location_name ?? '' } : null,
  purchaseDate: r.purchase_date,
  purchaseCost: toMajorUnits(r.purchase_cost_minor, r.currency),
  currency: r.currency,
  warrantyEnd: r.warranty_end,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

// ---------- reads ----------

export async function get(ctx: Ctx, id: string): Promise<AssetDto> {
  authorize(ctx.actor, 'asset.read');
  const row = await repo.findAsset(ctx.db, orgOf(ctx), id);
  if (!row) throw notFound('asset');
  return toAssetDto(row);
}
