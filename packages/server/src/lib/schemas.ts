import { Type, type TSchema } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid', description: 'UUIDv7' });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 UTC' });
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

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
