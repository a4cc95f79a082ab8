/**
 * The asset list: filters, sort, keyset pagination (and, as it grows, full-text search, saved
 * views and export). Reads across the asset register's tables in single statements.
 */
import type { Ctx } from '../../context.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { badRequest } from '../../errors.js';
import { UUID_RE } from '../../lib/ids.js';
import { toAssetDto, type AssetDto } from '../assets/assets.service.js';
import type { AssetListQueryInput, AssetSort } from './search.schemas.js';
import * as repo from './search.repository.js';

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

