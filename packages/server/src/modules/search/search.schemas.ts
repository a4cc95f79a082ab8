import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
import { Asset, LifecycleStateSchema } from '../assets/assets.schemas.js';

/** Columns the list sorts on (each has an `(org_id, column, id)` index); plus `cf.<key>` and `relevance`. */
export const SORT_COLUMNS = ['assetTag', 'name', 'serial', 'lifecycleState', 'purchaseDate', 'purchaseCost', 'warrantyEnd', 'eolDate', 'createdAt', 'updatedAt'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
/** Names of referenced records the list sorts on (case-insensitive; trigger-maintained sort keys). */
export const REF_SORT_COLUMNS = ['model', 'category', 'manufacturer', 'location', 'assignee', 'supplier', 'department'] as const;
export type RefSortColumn = (typeof REF_SORT_COLUMNS)[number];

/** Columns the CSV export can write (in this order by default, except the ones marked optional below). */
export const EXPORT_COLUMNS = [
  'assetTag', 'name', 'serial', 'lifecycleState', 'category', 'manufacturer', 'model', 'location', 'assignee',
  'department', 'supplier', 'purchaseDate', 'purchaseCost', 'currency', 'warrantyEnd', 'eolDate',
  'orderNumber', 'invoiceNumber', 'notes', 'createdAt', 'updatedAt', 'id',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export const DEFAULT_EXPORT_COLUMNS: readonly ExportColumn[] = [
  'assetTag', 'name', 'serial', 'lifecycleState', 'category', 'manufacturer', 'model', 'location', 'assignee',
  'department', 'purchaseDate', 'purchaseCost', 'currency', 'warrantyEnd', 'eolDate',
];

export const CF_KEY = '[a-z][a-z0-9_]{0,39}';
/** `cf.<key>` (equals), `cf.<key>.from`, `cf.<key>.to` (inclusive range). */
export const CF_PARAM_RE = new RegExp(`^cf\\.(${CF_KEY})(?:\\.(from|to))?$`);
const CF_PARAM_PATTERN = `^cf\\.${CF_KEY}(\\.(from|to))?$`;
const SORT_PATTERN = `^-?(${[...SORT_COLUMNS, ...REF_SORT_COLUMNS].join('|')}|relevance|cf\\.${CF_KEY})$`;

const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD (inclusive)' });
const CfValue = Type.String({ maxLength: 200 });

/** The filters of the list, the export and saved views (one definition, so they cannot drift). */
export const FILTER_PROPS = {
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Full text over tag, serial, name, model, manufacturer, assignee and notes; each word a prefix ("dell lat"). Exact tag/serial matches come first, then tag and serial prefixes, then text matches (newest first) unless `sort` is given.' })),
  state: Type.Optional(Type.Array(LifecycleStateSchema, { maxItems: 20, description: 'Lifecycle state; repeat for several' })),
  categoryId: Type.Optional(Uuid),
  modelId: Type.Optional(Uuid),
  manufacturerId: Type.Optional(Uuid),
  supplierId: Type.Optional(Uuid),
  departmentId: Type.Optional(Uuid),
  locationId: Type.Optional(Type.String({ format: 'uuid', description: 'Assets at this location (and below it unless includeSublocations=false)' })),
  includeSublocations: Type.Optional(Type.Boolean({ default: true })),
  assigneeUserId: Type.Optional(Type.String({ format: 'uuid', description: 'Assets currently checked out to this member' })),
  assigned: Type.Optional(Type.Boolean({ description: 'true: checked out to anyone or anything; false: not checked out' })),
  warrantyEndFrom: Type.Optional(IsoDate),
  warrantyEndTo: Type.Optional(IsoDate),
  eolDateFrom: Type.Optional(IsoDate),
  eolDateTo: Type.Optional(IsoDate),
  purchaseDateFrom: Type.Optional(IsoDate),
  purchaseDateTo: Type.Optional(IsoDate),
  includeDeleted: Type.Optional(Type.Boolean({ default: false, description: 'Also list deleted assets (needs asset.delete)' })),
};

const Sort = Type.String({
  pattern: SORT_PATTERN, maxLength: 64,
  description: `${SORT_COLUMNS.join(', ')}; ${REF_SORT_COLUMNS.join(', ')} (by name, case-insensitive; assignee: the member's name, location name or asset tag); cf.<key> or relevance (with q; the default then); a leading "-" sorts descending. Empty values sort last either way.`,
});

/** Objects with fixed members plus `cf.*` members. */
const withCustomFields = <T extends Record<string, TSchema>>(props: T, extra: { description?: string } = {}) =>
  Type.Object(props, { additionalProperties: false, patternProperties: { [CF_PARAM_PATTERN]: CfValue }, ...extra });

export const CF_DESCRIPTION = 'Custom fields (not listed as parameters): add `cf.<key>=value` (custom field equals; for multi-select fields: has the option), `cf.<key>.from` / `cf.<key>.to` (inclusive range, number/money/date/text fields).';

export const AssetListQuery = withCustomFields({
  ...FILTER_PROPS,
  sort: Type.Optional(Sort),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 1024, pattern: '^[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page (opaque; only valid with the same sort)' })),
}, { description: CF_DESCRIPTION });
export type AssetListQueryInput = Static<typeof AssetListQuery>;

export const ExportQuery = withCustomFields({
  ...FILTER_PROPS,
  sort: Type.Optional(Sort),
  columns: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 100, description: `Comma-separated or repeated: ${EXPORT_COLUMNS.join(', ')}, cf.<key>` })),
}, { description: CF_DESCRIPTION });
export type ExportQueryInput = Static<typeof ExportQuery>;

/** What the list, export and views share: the filters plus `cf.*`. */
export type FilterInput = Partial<Record<keyof typeof FILTER_PROPS, unknown>> & Record<string, unknown>;

export const Assignee = Type.Object({
  type: Type.Union([Type.Literal('user'), Type.Literal('location'), Type.Literal('asset')]),
  id: Uuid,
  label: Type.String({ description: 'Display name, location name or asset tag' }),
});

export const AssetListItem = Type.Composite([Asset, Type.Object({
  assignee: Nullable(Assignee),
  customFields: Type.Record(Type.String(), Type.Unknown(), { description: 'Custom field values by key' }),
})]);
export type AssetListItemDto = Static<typeof AssetListItem>;

export const AssetPage = Type.Object({
  items: Type.Array(AssetListItem),
  nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' })),
});

// ---------- bulk edit ----------

export const BulkEditBody = Type.Object({
  ids: Type.Array(Uuid, { minItems: 1, maxItems: 1000 }),
  set: Type.Object({
    locationId: Type.Optional(Nullable(Uuid)),
    defaultLocationId: Type.Optional(Nullable(Uuid)),
    supplierId: Type.Optional(Nullable(Uuid)),
    departmentId: Type.Optional(Nullable(Uuid)),
    notes: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
    warrantyEnd: Type.Optional(Nullable(IsoDate)),
    customFields: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Values by key; merged into each asset\'s values, null removes one' })),
  }, { additionalProperties: false, minProperties: 1 }),
}, { additionalProperties: false });
export type BulkEditInput = Static<typeof BulkEditBody>;

export const BulkEditResult = Type.Object({
  updated: Type.Integer({ description: 'Assets that changed (unchanged ones write no event)' }),
  items: Type.Array(AssetListItem),
});

// ---------- saved views ----------

// Stored as given: no defaults filled in.
export const ViewFilters = withCustomFields({
  ...FILTER_PROPS,
  includeSublocations: Type.Optional(Type.Boolean()),
  includeDeleted: Type.Optional(Type.Boolean()),
});

export const ViewDefinition = Type.Object({
  filters: Type.Optional(ViewFilters),
  sort: Type.Optional(Nullable(Sort)),
  columns: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 })),
}, { additionalProperties: false });
export type ViewDefinitionInput = Static<typeof ViewDefinition>;

const ViewName = Type.String({ minLength: 1, maxLength: 100 });

export const CreateViewBody = Type.Object({
  name: ViewName,
  entity: Type.Literal('assets'),
  definition: ViewDefinition,
  shared: Type.Optional(Type.Boolean({ default: false, description: 'Visible to everyone in the organization who can list assets' })),
}, { additionalProperties: false });
export type CreateViewInput = Static<typeof CreateViewBody>;

export const UpdateViewBody = Type.Object({
  name: Type.Optional(ViewName),
  definition: Type.Optional(ViewDefinition),
  shared: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 });
export type UpdateViewInput = Static<typeof UpdateViewBody>;

export const View = Type.Object({
  id: Uuid,
  name: Type.String(),
  entity: Type.Literal('assets'),
  definition: Type.Object({
    filters: Type.Record(Type.String(), Type.Unknown()),
    sort: Nullable(Type.String()),
    columns: Type.Array(Type.String()),
  }),
  shared: Type.Boolean(),
  owner: Type.Object({ userId: Uuid, displayName: Type.String() }),
  mine: Type.Boolean({ description: 'Owned by the caller (only the owner may change or delete it)' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ViewDto = Static<typeof View>;

export const ViewListQuery = Type.Object({
  entity: Type.Optional(Type.Literal('assets')),
}, { additionalProperties: false });

// ---------- timelines ----------

const Change = Type.Object({ before: Type.Unknown(), after: Type.Unknown() });
export const TimelineEvent = Type.Object({
  id: Uuid, seq: Type.Integer(), occurredAt: Timestamp,
  actor: Type.Object({ type: Type.String(), id: Nullable(Type.String()), label: Type.String() }),
  action: Type.String(), entityType: Type.String(), entityId: Type.String(),
  changes: Type.Record(Type.String(), Change), meta: Type.Record(Type.String(), Type.Unknown()),
  requestId: Nullable(Type.String()), hash: Type.String(),
});

export const TimelineQuery = Type.Object({
  cursor: Type.Optional(Type.String({ pattern: '^\\d{1,15}$', description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
}, { additionalProperties: false });
export type TimelineQueryInput = Static<typeof TimelineQuery>;

export const AssetTimelineQuery = Type.Object({
  ...TimelineQuery.properties,
  includeDeleted: Type.Optional(Type.Boolean({ default: false, description: 'The timeline of a deleted asset (needs asset.delete)' })),
}, { additionalProperties: false });
export type AssetTimelineQueryInput = Static<typeof AssetTimelineQuery>;

export const TimelinePage = Type.Object({
  items: Type.Array(TimelineEvent),
  nextCursor: Nullable(Type.String()),
});

export const UserIdParams = Type.Object({ userId: Uuid });

// ---------- quick search ----------

export const QuickSearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 200 }),
}, { additionalProperties: false });

export const QuickSearchResult = Type.Object({
  assets: Type.Array(AssetListItem, { description: 'Exact tag/serial first, then tag and serial prefixes, then text matches; at most 10' }),
  people: Type.Array(Type.Object({ userId: Uuid, displayName: Type.String(), email: Type.String() }), { description: 'Members by name or email (needs member.read); at most 10' }),
  locations: Type.Array(Type.Object({ id: Uuid, name: Type.String(), pathNames: Type.Array(Type.String()) }), { description: 'By name (needs location.read); at most 10' }),
});
export type QuickSearchResultDto = Static<typeof QuickSearchResult>;
