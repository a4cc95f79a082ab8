import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid', description: 'UUIDv7' });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 UTC' });
/**
 * `T | null`. For schemas with a single JSON type this is `{ type: [T, 'null'] }` rather than
 * `anyOf`: with Ajv's type coercion an `anyOf [T, null]` turns `null` into `0` or `""` (the first
 * branch coerces it), so a client could never clear a nullable number or string.
 */
export function Nullable<T extends TSchema>(t: T) {
  const type = (t as { type?: unknown }).type;
  if (typeof type === 'string') return Type.Unsafe<Static<T> | null>({ ...t, type: [type, 'null'] });
  return Type.Union([t, Type.Null()]);
}

export const IdParams = Type.Object({ id: Uuid });

export const FieldErrorSchema = Type.Object({
  path: Type.String({ description: 'JSON path of the offending value, e.g. /body/email' }),
  message: Type.String(),
  code: Type.Optional(Type.String()),
});

/** RFC 9457 problem details, plus a stable `code`, field `errors` and the `requestId`. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    errors: Type.Array(FieldErrorSchema),
    requestId: Type.String(),
  },
  { $id: 'Problem', additionalProperties: true },
);

export const Ok = Type.Object({ ok: Type.Literal(true) });
