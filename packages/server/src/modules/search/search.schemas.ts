import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Uuid } from '../../lib/schemas.js';
import { Asset, LifecycleStateSchema } from '../assets/assets.schemas.js';

export const ASSET_SORTS = ['assetTag', '-assetTag', 'updatedAt', '-updatedAt'] as const;
export type AssetSort = (typeof ASSET_SORTS)[number];

export const AssetListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page (opaque)' })),
  sort: Type.Optional(Type.Union(ASSET_SORTS.map((s) => Type.Literal(s)), { default: 'assetTag', description: 'Field to sort by; a leading "-" sorts descending' })),
  state: Type.Optional(LifecycleStateSchema),
  categoryId: Type.Optional(Uuid),
  modelId: Type.Optional(Uuid),
  locationId: Type.Optional(Type.String({ format: 'uuid', description: 'Assets at exactly this location' })),
}, { additionalProperties: false });
export type AssetListQueryInput = Static<typeof AssetListQuery>;

export const AssetPage = Type.Object({
  items: Type.Array(Asset),
  nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' })),
});
