import { Type } from '@sinclair/typebox';

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
