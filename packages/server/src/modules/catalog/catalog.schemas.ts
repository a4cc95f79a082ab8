import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';

/**
 * The fixed asset classes a category belongs to. Domain rules key off the class (data-bearing
 * defaults, SIM handling, disposal paths), so it is a closed list; category names are free text.
 */
export const ASSET_CLASSES = [
  'laptop', 'desktop', 'server', 'monitor', 'dock', 'peripheral', 'phone_tablet', 'printer',
  'network_device', 'storage', 'ups', 'conference', 'sim_card', 'other',
] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

export const isAssetClass = (v: string): v is AssetClass => (ASSET_CLASSES as readonly string[]).includes(v);

export const AssetClassSchema = Type.Union(ASSET_CLASSES.map((c) => Type.Literal(c)), { description: 'Asset class of a category' });

/** Id + display name of a catalog row, as embedded in other resources. */
export const CatalogRef = Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() });

// ---------- HTTP schemas of the catalog (categories, manufacturers, suppliers, models) ----------

const Name = Type.String({ minLength: 1, maxLength: 200 });
const OptText = (maxLength: number) => Type.Optional(Nullable(Type.String({ maxLength })));

/** Optional case-insensitive name filter of every catalog list. */
export const NameQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200, description: 'Case-insensitive substring of the name' })) });

export const Category = Type.Object({
  id: Uuid, name: Type.String(), assetClass: AssetClassSchema, dataBearing: Type.Boolean(), requiresAcceptance: Type.Boolean(),
  acceptanceTerms: Nullable(Type.String()), acceptanceTermsVersion: Nullable(Type.Integer()), tagPattern: Nullable(Type.String()),
  modelCount: Type.Integer(), assetCount: Type.Integer(), fieldCount: Type.Integer(), createdAt: Timestamp, updatedAt: Timestamp,
});
const CategoryFields = {
  dataBearing: Type.Optional(Type.Boolean({ description: 'Defaults from the asset class (laptops, servers, storage … are data-bearing)' })),
  requiresAcceptance: Type.Optional(Type.Boolean()),
  acceptanceTerms: OptText(20_000),
  tagPattern: Type.Optional(Nullable(Type.String({ maxLength: 60, description: 'Overrides the organization pattern, e.g. LAP-{00000}' }))),
};
export const CategoryCreate = Type.Object({ name: Name, assetClass: AssetClassSchema, ...CategoryFields }, { additionalProperties: false });
export const CategoryUpdate = Type.Object({ name: Type.Optional(Name), assetClass: Type.Optional(AssetClassSchema), ...CategoryFields }, { additionalProperties: false });

export const Manufacturer = Type.Object({
  id: Uuid, name: Type.String(), supportUrl: Nullable(Type.String()), warrantyLookupUrl: Nullable(Type.String()),
  modelCount: Type.Integer(), assetCount: Type.Integer(), createdAt: Timestamp, updatedAt: Timestamp,
});
const ManufacturerFields = { supportUrl: OptText(2000), warrantyLookupUrl: OptText(2000) };
export const ManufacturerCreate = Type.Object({ name: Name, ...ManufacturerFields }, { additionalProperties: false });
export const ManufacturerUpdate = Type.Object({ name: Type.Optional(Name), ...ManufacturerFields }, { additionalProperties: false });

export const Supplier = Type.Object({
  id: Uuid, name: Type.String(), contactName: Nullable(Type.String()), email: Nullable(Type.String()), phone: Nullable(Type.String()),
  url: Nullable(Type.String()), notes: Nullable(Type.String()), assetCount: Type.Integer(), createdAt: Timestamp, updatedAt: Timestamp,
});
const SupplierFields = { contactName: OptText(200), email: OptText(254), phone: OptText(50), url: OptText(2000), notes: OptText(10_000) };
export const SupplierCreate = Type.Object({ name: Name, ...SupplierFields }, { additionalProperties: false });
export const SupplierUpdate = Type.Object({ name: Type.Optional(Name), ...SupplierFields }, { additionalProperties: false });

export const Model = Type.Object({
  id: Uuid, name: Type.String(), modelNumber: Nullable(Type.String()),
  categoryId: Uuid, category: Type.Object({ id: Uuid, name: Type.String(), assetClass: AssetClassSchema }),
  manufacturerId: Nullable(Uuid), manufacturer: Nullable(CatalogRef),
  eolMonths: Nullable(Type.Integer()), defaultCustomFields: Type.Record(Type.String(), Type.Unknown()),
  hasImage: Type.Boolean(), assetCount: Type.Integer(), createdAt: Timestamp, updatedAt: Timestamp,
});
const ModelFields = {
  modelNumber: OptText(100),
  manufacturerId: Type.Optional(Nullable(Uuid)),
  // A JSON type list, not `anyOf`: with Ajv's `coerceTypes` an `anyOf [integer, null]` turns null into 0.
  eolMonths: Type.Optional(Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 0, maximum: 600, description: 'Months from purchase to end of life' })),
  defaultCustomFields: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.Unknown(), { description: 'Custom field values new assets of this model start with' })),
};
export const ModelCreate = Type.Object({ name: Name, categoryId: Uuid, ...ModelFields }, { additionalProperties: false });
export const ModelUpdate = Type.Object({ name: Type.Optional(Name), categoryId: Type.Optional(Uuid), ...ModelFields }, { additionalProperties: false });
export const ModelQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Case-insensitive substring of the name or model number' })),
  categoryId: Type.Optional(Uuid),
  manufacturerId: Type.Optional(Uuid),
});

export type CategoryCreateInput = Static<typeof CategoryCreate>;
export type CategoryUpdateInput = Static<typeof CategoryUpdate>;
export type ManufacturerCreateInput = Static<typeof ManufacturerCreate>;
export type ManufacturerUpdateInput = Static<typeof ManufacturerUpdate>;
export type SupplierCreateInput = Static<typeof SupplierCreate>;
export type SupplierUpdateInput = Static<typeof SupplierUpdate>;
export type ModelCreateInput = Static<typeof ModelCreate>;
export type ModelUpdateInput = Static<typeof ModelUpdate>;
export type ModelQueryInput = Static<typeof ModelQuery>;
