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
