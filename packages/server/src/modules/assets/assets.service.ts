import type { Ctx } from '../../context.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { badRequest, notFound } from '../../errors.js';
import { UUID_RE } from '../../lib/ids.js';
import * as repo from './assets.repository.js';
import type { AssetDto, AssetListQueryInput, AssetSort, LifecycleState } from './assets.schemas.js';

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

// ---------- cursors: base64url(JSON [sort, value, id]) ----------

export function encodeCursor(sort: AssetSort, r: repo.AssetRow): string {
  const value = sort.endsWith('assetTag') ? r.asset_tag : r.updated_at;
  return Buffer.from(JSON.stringify([sort, value, r.id])).toString('base64url');
}

function invalidCursor(): never {
  throw badRequest('asset.invalid_cursor', 'The cursor is not valid for this list; start again from the first page.', [
    { path: '/querystring/cursor', message: 'is not a cursor of this list and sort order', code: 'invalid_cursor' },
  ]);
}

export function decodeCursor(sort: AssetSort, cursor: string): repo.Keyset {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    invalidCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) invalidCursor();
  const [s, value, id] = parsed as unknown[];
  // A cursor remembers its sort order: reusing it under another order would skip or repeat rows.
  if (s !== sort || typeof value !== 'string' || typeof id !== 'string' || !UUID_RE.test(id)) invalidCursor();
  return { value, id };
}

// ---------- reads ----------

export async function list(ctx: Ctx, q: AssetListQueryInput): Promise<{ items: AssetDto[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'asset.read');
  const limit = q.limit ?? 50;
  const sort = q.sort ?? 'assetTag';
  const rows = await repo.listAssets(ctx.db, {
    orgId: orgOf(ctx), sort, after: q.cursor ? decodeCursor(sort, q.cursor) : undefined,
    state: q.state, categoryId: q.categoryId, modelId: q.modelId, locationId: q.locationId, limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(toAssetDto), nextCursor: rows.length > limit && last ? encodeCursor(sort, last) : null };
}

export async function get(ctx: Ctx, id: string): Promise<AssetDto> {
  authorize(ctx.actor, 'asset.read');
  const row = await repo.findAsset(ctx.db, orgOf(ctx), id);
  if (!row) throw notFound('asset');
  return toAssetDto(row);
}
