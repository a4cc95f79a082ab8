import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
import { CatalogRef } from '../catalog/catalog.schemas.js';

import { LIFECYCLE_STATES } from '../lifecycle/lifecycle.machine.js';

export { LIFECYCLE_STATES, type LifecycleState } from '../lifecycle/lifecycle.machine.js';

export const LifecycleStateSchema = Type.Union(LIFECYCLE_STATES.map((s) => Type.Literal(s)));

const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });

export const Asset = Type.Object({
  id: Uuid,
  assetTag: Type.String(),
  serial: Nullable(Type.String()),
  name: Nullable(Type.String()),
  lifecycleState: LifecycleStateSchema,
  model: CatalogRef,
  category: CatalogRef,
  manufacturer: Nullable(CatalogRef),
  location: Nullable(CatalogRef),
  purchaseDate: Nullable(IsoDate),
  purchaseCost: Nullable(Type.Number({ description: 'In major units of `currency` (e.g. 1234.5)' })),
  currency: Nullable(Type.String({ description: 'ISO 4217 code' })),
  warrantyEnd: Nullable(IsoDate),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type AssetDto = Static<typeof Asset>;

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
