import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';

export const Location = Type.Object({
  id: Uuid,
  name: Type.String(),
  parentId: Nullable(Uuid),
  depth: Type.Integer({ description: '0 for a top-level location' }),
  path: Type.Array(Uuid, { description: 'Ids from the root down to this location (inclusive)' }),
  pathNames: Type.Array(Type.String(), { description: 'Names from the root down to this location, e.g. ["HQ", "Floor 2"]' }),
  address: Nullable(Type.String()),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  assetCount: Type.Integer({ description: 'Assets located directly here' }),
  subtreeAssetCount: Type.Integer({ description: 'Assets located here or in any sub-location' }),
  childCount: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/**
 * `number | null` as a JSON type list, not `anyOf`: with Ajv's `coerceTypes` an `anyOf [number, null]`
 * turns a null into 0 (and `anyOf [null, number]` turns 0 into null).
 */
const NullableNumber = (opts: { minimum: number; maximum: number }) => Type.Unsafe<number | null>({ type: ['number', 'null'], ...opts });

const Fields = {
  parentId: Type.Optional(Nullable(Uuid)),
  address: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  latitude: Type.Optional(NullableNumber({ minimum: -90, maximum: 90 })),
  longitude: Type.Optional(NullableNumber({ minimum: -180, maximum: 180 })),
};
export const LocationCreate = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), ...Fields }, { additionalProperties: false });
export const LocationUpdate = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), ...Fields }, { additionalProperties: false });
export const LocationQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200, description: 'Case-insensitive substring of the name' })) });

export type LocationDto = Static<typeof Location>;
export type LocationCreateInput = Static<typeof LocationCreate>;
export type LocationUpdateInput = Static<typeof LocationUpdate>;
