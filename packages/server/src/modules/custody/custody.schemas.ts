import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';

export const TARGET_TYPES = ['user', 'location', 'asset'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];
export const TargetTypeSchema = Type.Union(TARGET_TYPES.map((t) => Type.Literal(t)), { description: 'What the asset is checked out to' });

export const ACCEPTANCE_STATUSES = ['pending', 'accepted', 'declined', 'cancelled'] as const;
export type AcceptanceStatus = (typeof ACCEPTANCE_STATUSES)[number];
const AcceptanceStatusSchema = Type.Union(ACCEPTANCE_STATUSES.map((s) => Type.Literal(s)));

const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
/** Instants given by people: ISO-8601 with a time zone, or a bare `YYYY-MM-DD` meaning 00:00 UTC. */
const Instant = Type.String({ maxLength: 40, description: 'ISO-8601 timestamp with zone, or YYYY-MM-DD (00:00 UTC)' });
const Note = Type.String({ maxLength: 2000 });

export const AssetRef = Type.Object({ id: Uuid, assetTag: Type.String(), name: Nullable(Type.String()) });
export const Holder = Type.Object({ type: TargetTypeSchema, id: Uuid, label: Type.String() });

export const Assignment = Type.Object({
  id: Uuid,
  asset: AssetRef,
  targetType: TargetTypeSchema,
  target: Type.Object({ id: Uuid, label: Type.String() }),
  checkedOutAt: Timestamp,
  checkedOutBy: Nullable(Uuid),
  expectedReturnAt: Nullable(IsoDate),
  checkoutNote: Nullable(Type.String()),
  returnedAt: Nullable(Timestamp),
  returnedBy: Nullable(Uuid),
  checkinNote: Nullable(Type.String()),
  /** Open and past its expected return date (UTC). */
  overdue: Type.Boolean(),
  acceptance: Nullable(Type.Object({ id: Uuid, status: AcceptanceStatusSchema })),
});
export type AssignmentDto = Static<typeof Assignment>;

export const Acceptance = Type.Object({
  id: Uuid,
  status: AcceptanceStatusSchema,
  assignmentId: Uuid,
  asset: AssetRef,
  userId: Uuid,
  termsText: Nullable(Type.String()),
  termsVersion: Nullable(Type.Integer()),
  signature: Nullable(Type.String()),
  note: Nullable(Type.String()),
  respondedAt: Nullable(Timestamp),
  createdAt: Timestamp,
});
export type AcceptanceDto = Static<typeof Acceptance>;

export const CheckoutBody = Type.Object({
  targetType: TargetTypeSchema,
  targetId: Uuid,
  expectedReturnAt: Type.Optional(Nullable(IsoDate)),
  note: Type.Optional(Nullable(Note)),
  checkedOutAt: Type.Optional(Nullable(Instant)),
}, { additionalProperties: false });
export type CheckoutInput = Static<typeof CheckoutBody>;

export const CheckinBody = Type.Object({
  note: Type.Optional(Nullable(Note)),
  locationId: Type.Optional(Nullable(Uuid)),
  updateDefaultLocation: Type.Optional(Type.Boolean()),
  checkedInAt: Type.Optional(Nullable(Instant)),
}, { additionalProperties: false });
export type CheckinInput = Static<typeof CheckinBody>;

const AssetIds = Type.Array(Uuid, { minItems: 1, maxItems: 500 });

export const BulkCheckoutBody = Type.Object({
  assetIds: AssetIds,
  targetType: TargetTypeSchema,
  targetId: Uuid,
  expectedReturnAt: Type.Optional(Nullable(IsoDate)),
  note: Type.Optional(Nullable(Note)),
}, { additionalProperties: false });
export type BulkCheckoutInput = Static<typeof BulkCheckoutBody>;

export const BulkCheckinBody = Type.Object({
  assetIds: AssetIds,
  note: Type.Optional(Nullable(Note)),
}, { additionalProperties: false });
export type BulkCheckinInput = Static<typeof BulkCheckinBody>;

export const OffboardBody = Type.Object({
  note: Type.Optional(Nullable(Note)),
}, { additionalProperties: false });

export const AssignmentQuery = Type.Object({
  assetId: Type.Optional(Uuid),
  userId: Type.Optional(Uuid),
  locationId: Type.Optional(Uuid),
  targetAssetId: Type.Optional(Uuid),
  open: Type.Optional(Type.Boolean()),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
}, { additionalProperties: false });
export type AssignmentQueryInput = Static<typeof AssignmentQuery>;

export const DueQuery = Type.Object({
  days: Type.Optional(Type.Integer({ minimum: 0, maximum: 366, default: 7 })),
  asOf: Type.Optional(Type.String({ format: 'date', description: 'The day to count from (default: today, UTC)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
}, { additionalProperties: false });
export const OverdueQuery = Type.Object({
  asOf: Type.Optional(Type.String({ format: 'date', description: 'The day to judge from (default: today, UTC)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
}, { additionalProperties: false });

export const HeldAtQuery = Type.Object({ assetId: Uuid, at: Instant }, { additionalProperties: false });
export const HeldByQuery = Type.Object({ userId: Uuid, at: Instant }, { additionalProperties: false });

export const AcceptBody = Type.Object({
  signature: Type.String({ maxLength: 200, description: 'The full name, typed' }),
  note: Type.Optional(Nullable(Note)),
}, { additionalProperties: false });
export const DeclineBody = Type.Object({ note: Type.Optional(Nullable(Note)) }, { additionalProperties: false });
