import { Type, type Static, type TUnsafe } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';

export const FIELD_TYPES = [
  'text', 'long_text', 'number', 'money', 'date', 'boolean', 'select', 'multi_select', 'url', 'email', 'ip', 'mac', 'regex',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export const isFieldType = (v: string): v is FieldType => (FIELD_TYPES as readonly string[]).includes(v);

export const FIELD_KEY_RE = /^[a-z][a-z0-9_]{0,39}$/;

/** A string enum as one JSON Schema `enum` (a union of literals reports one error per member). */
export const StringEnum = <T extends string>(values: readonly T[], description?: string): TUnsafe<T> =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

const FieldTypeSchema = StringEnum(FIELD_TYPES, 'Value type of the field');

export const Field = Type.Object({
  id: Uuid,
  categoryId: Uuid,
  key: Type.String({ description: 'Key in the asset\'s `customFields` object' }),
  label: Type.String(),
  type: FieldTypeSchema,
  options: Type.Array(Type.String(), { description: 'Allowed values (select, multi_select); empty otherwise' }),
  regex: Nullable(Type.String({ description: 'Pattern the whole value must match (type regex)' })),
  required: Type.Boolean(),
  unique: Type.Boolean({ description: 'No two assets may hold the same value' }),
  helpText: Nullable(Type.String()),
  position: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type FieldDto = Static<typeof Field>;

const Mutable = {
  label: Type.String({ minLength: 1, maxLength: 200 }),
  options: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200 }),
  regex: Nullable(Type.String({ minLength: 1, maxLength: 500 })),
  required: Type.Boolean(),
  unique: Type.Boolean(),
  helpText: Nullable(Type.String({ maxLength: 2000 })),
  position: Type.Integer({ minimum: 0, maximum: 100000 }),
};

const Key = Type.String({ minLength: 1, maxLength: 40, description: '^[a-z][a-z0-9_]{0,39}$' });

export const CreateFieldBody = Type.Object({
  key: Key,
  label: Mutable.label,
  type: FieldTypeSchema,
  options: Type.Optional(Mutable.options),
  regex: Type.Optional(Mutable.regex),
  required: Type.Optional(Mutable.required),
  unique: Type.Optional(Mutable.unique),
  helpText: Type.Optional(Mutable.helpText),
  position: Type.Optional(Mutable.position),
}, { additionalProperties: false });
export type CreateFieldInput = Static<typeof CreateFieldBody>;

export const UpdateFieldBody = Type.Object({
  key: Type.Optional(Key),
  label: Type.Optional(Mutable.label),
  type: Type.Optional(FieldTypeSchema),
  options: Type.Optional(Mutable.options),
  regex: Type.Optional(Mutable.regex),
  required: Type.Optional(Mutable.required),
  unique: Type.Optional(Mutable.unique),
  helpText: Type.Optional(Mutable.helpText),
  position: Type.Optional(Mutable.position),
}, { additionalProperties: false });
export type UpdateFieldInput = Static<typeof UpdateFieldBody>;
