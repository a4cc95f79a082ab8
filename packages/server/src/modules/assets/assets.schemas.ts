import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
import { CatalogRef } from '../catalog/catalog.schemas.js';
import { StringEnum } from '../fields/fields.schemas.js';

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

// ---------- media (storage devices inside an asset) ----------

export const MEDIA_TYPES = ['hdd', 'ssd', 'nvme', 'flash', 'tape', 'optical', 'mobile'] as const;
export const MEDIA_STATUSES = ['installed', 'removed', 'sanitized', 'destroyed'] as const;
const MediaType = StringEnum(MEDIA_TYPES);

export const Medium = Type.Object({
  id: Uuid,
  mediaType: MediaType,
  serial: Nullable(Type.String()),
  model: Nullable(Type.String()),
  manufacturer: Nullable(Type.String()),
  capacityBytes: Nullable(Type.Integer()),
  interface: Nullable(Type.String()),
  status: StringEnum(MEDIA_STATUSES, 'sanitized/destroyed are set by the sanitization records'),
  source: Type.String({ description: 'manual | discovery | import' }),
  notes: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type MediumDto = Static<typeof Medium>;

const Text = (maxLength: number) => Type.Optional(Nullable(Type.String({ maxLength })));

const MediumFields = {
  serial: Text(200),
  model: Text(200),
  manufacturer: Text(200),
  capacityBytes: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  interface: Text(100),
  notes: Text(2000),
};

export const CreateMediumBody = Type.Object({ mediaType: MediaType, ...MediumFields }, { additionalProperties: false });
export type CreateMediumInput = Static<typeof CreateMediumBody>;

export const UpdateMediumBody = Type.Object({
  mediaType: Type.Optional(MediaType),
  ...MediumFields,
  status: Type.Optional(StringEnum(['installed', 'removed'] as const, 'Physical presence; sanitized/destroyed come from sanitization records')),
}, { additionalProperties: false });
export type UpdateMediumInput = Static<typeof UpdateMediumBody>;

// ---------- create / update ----------

const CustomFields = Type.Record(Type.String(), Type.Unknown(), { description: 'Values by custom field key (see GET /categories/{id}/fields); null removes a value' });
const Ref = Type.Optional(Nullable(Uuid));

const EditableFields = {
  serial: Text(200),
  name: Text(200),
  locationId: Ref,
  defaultLocationId: Ref,
  supplierId: Ref,
  departmentId: Ref,
  parentAssetId: Ref,
  purchaseDate: Type.Optional(Nullable(IsoDate)),
  purchaseCost: Type.Optional(Nullable(Type.Number({ description: 'Major units of `currency`; not negative' }))),
  currency: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code' }))),
  orderNumber: Text(200),
  invoiceNumber: Text(200),
  warrantyEnd: Type.Optional(Nullable(IsoDate)),
  warrantyMonths: Type.Optional(Type.Integer({ minimum: 0, maximum: 1200, description: 'Sets warrantyEnd = purchaseDate + months (give one of the two)' })),
  eolDate: Type.Optional(Nullable(IsoDate)),
  notes: Text(20000),
  customFields: Type.Optional(CustomFields),
};

export const CreateAssetBody = Type.Object({
  assetTag: Type.Optional(Type.String({ maxLength: 100, description: 'Generated from the category\'s or organization\'s tag pattern when absent' })),
  modelId: Uuid,
  lifecycleState: Type.Optional(StringEnum(['ordered', 'in_stock'] as const, 'Initial state (default in_stock); later changes go through the lifecycle endpoint')),
  ...EditableFields,
  media: Type.Optional(Type.Array(CreateMediumBody, { maxItems: 64 })),
}, { additionalProperties: false });
export type CreateAssetInput = Static<typeof CreateAssetBody>;

/** PATCH body; `lifecycleState` is not here: state changes go through the lifecycle endpoint. */
export const UpdateAssetBody = Type.Object({
  assetTag: Type.Optional(Type.String({ maxLength: 100 })),
  modelId: Type.Optional(Uuid),
  ...EditableFields,
}, { additionalProperties: false });
export type AssetPatch = Static<typeof UpdateAssetBody>;

// ---------- detail ----------

export const CurrentAssignment = Type.Object({
  id: Uuid,
  targetType: StringEnum(['user', 'location', 'asset'] as const),
  target: Type.Object({ id: Uuid, label: Type.String() }),
  checkedOutAt: Timestamp,
  expectedReturnAt: Nullable(Type.String()),
  acceptance: Nullable(Type.Object({ id: Uuid, status: Type.String({ description: 'pending | accepted | declined | cancelled' }) })),
});

export const AssetDetail = Type.Composite([Asset, Type.Object({
  notes: Nullable(Type.String()),
  orderNumber: Nullable(Type.String()),
  invoiceNumber: Nullable(Type.String()),
  eolDate: Nullable(IsoDate),
  supplier: Nullable(CatalogRef),
  department: Nullable(CatalogRef),
  defaultLocation: Nullable(CatalogRef),
  parent: Nullable(Type.Object({ id: Uuid, assetTag: Type.String() })),
  childCount: Type.Integer(),
  customFields: Type.Record(Type.String(), Type.Unknown()),
  media: Type.Array(Medium),
  attachmentCount: Type.Integer(),
  currentAssignment: Nullable(CurrentAssignment),
  deletedAt: Nullable(Timestamp),
  dataBearing: Type.Boolean(),
})]);
export type AssetDetailDto = Static<typeof AssetDetail>;

export const IncludeDeletedQuery = Type.Object({
  includeDeleted: Type.Optional(Type.Boolean({ default: false, description: 'Also find deleted assets (needs asset.delete)' })),
}, { additionalProperties: false });

// ---------- attachments ----------

export const ATTACHMENT_KINDS = ['invoice', 'photo', 'other'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

export const Attachment = Type.Object({
  id: Uuid,
  kind: StringEnum(ATTACHMENT_KINDS),
  fileName: Type.String(),
  contentType: Type.String({ description: 'Sniffed from the content, not taken from the upload' }),
  sizeBytes: Type.Integer(),
  sha256: Type.String(),
  uploadedBy: Nullable(Type.Object({ id: Uuid, displayName: Type.String() })),
  createdAt: Timestamp,
});
export type AttachmentDto = Static<typeof Attachment>;

export const ModelImage = Type.Object({
  modelId: Uuid,
  contentType: Type.String(),
  sizeBytes: Type.Integer(),
  sha256: Type.String(),
  updatedAt: Timestamp,
});
export type ModelImageDto = Static<typeof ModelImage>;
