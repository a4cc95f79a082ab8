import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
import { StringEnum } from '../fields/fields.schemas.js';
import { TARGETS } from './imports.targets.js';

const DATE_FORMATS = ['iso', 'mdy', 'dmy', 'ymd-slash', 'excel-serial'] as const;
const NUMBER_FORMATS = ['dot', 'comma'] as const;
export const JOB_STATUSES = ['uploaded', 'validating', 'validated', 'committing', 'committed', 'failed', 'cancelled'] as const;

export const TargetSchema = StringEnum(TARGETS, 'Import target');

export const TargetField = Type.Object({
  key: Type.String({ description: 'Field key used in mappings (`cf.<key>` for custom fields)' }),
  label: Type.String({ description: 'Canonical header (what exports write)' }),
  type: Type.String(),
  required: Type.Boolean(),
  ref: Nullable(Type.String({ description: 'What a reference column names (model, location, user …)' })),
  creatable: Type.Boolean({ description: 'Unknown names can be created with createMissing' }),
  synonyms: Type.Array(Type.String()),
  description: Nullable(Type.String()),
  exported: Type.Boolean(),
});

export const Target = Type.Object({
  key: TargetSchema,
  label: Type.String(),
  matchKeys: Type.Array(Type.String()),
  fields: Type.Array(TargetField),
});

export const ColumnFormat = Type.Object({
  date: Type.Optional(Nullable(StringEnum(DATE_FORMATS))),
  number: Type.Optional(Nullable(StringEnum(NUMBER_FORMATS))),
  detected: Type.Optional(Type.Object({
    date: Type.Optional(Nullable(StringEnum(DATE_FORMATS))),
    number: Type.Optional(Nullable(StringEnum(NUMBER_FORMATS))),
    ambiguous: Type.Boolean(),
  })),
}, { additionalProperties: false });

export const ImportOptionsSchema = Type.Object({
  mode: Type.Optional(StringEnum(['all-or-nothing', 'valid-only'] as const, 'all-or-nothing (default): one transaction, nothing written if any row fails; valid-only: batches, invalid rows skipped')),
  createMissing: Type.Optional(Type.Boolean({ description: 'Create unknown categories, models, manufacturers, locations, suppliers, departments by name' })),
  matchBy: Type.Optional(Type.String({ maxLength: 40, description: 'Match existing records on this field (assets: assetTag | serial | externalId)' })),
  updateExisting: Type.Optional(Type.Boolean({ description: 'Update matched records (default true); off: a change to an existing record is an error' })),
  externalIdSource: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'System the External Id values come from (default "import")' })),
  batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'Rows per transaction in valid-only mode (default 1000)' })),
}, { additionalProperties: false });
export type ImportOptionsInput = Static<typeof ImportOptionsSchema>;

export const SourceOptionsSchema = Type.Object({
  format: Type.Optional(StringEnum(['csv', 'xlsx'] as const)),
  encoding: Type.Optional(StringEnum(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const)),
  delimiter: Type.Optional(StringEnum([',', ';', '\t', '|'] as const)),
  sheet: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });
export type SourceOptionsInput = Static<typeof SourceOptionsSchema>;

const Mapping = Type.Record(Type.String(), Nullable(Type.String()), { description: 'Column (header key) → field key, or null to ignore the column' });

export const ImportJob = Type.Object({
  id: Uuid,
  target: TargetSchema,
  status: StringEnum(JOB_STATUSES),
  phase: Nullable(StringEnum(['validate', 'commit'] as const)),
  fileName: Type.String(),
  fileSize: Type.Integer(),
  createdBy: Type.Object({ id: Nullable(Type.String()), label: Type.String() }),
  source: Type.Object({
    format: Type.String(),
    encoding: Nullable(Type.String()),
    delimiter: Nullable(Type.String()),
    sheets: Type.Array(Type.String()),
    sheet: Nullable(Type.String()),
    headers: Type.Array(Type.String()),
    headerKeys: Type.Array(Type.String()),
    sample: Type.Array(Type.Array(Type.String())),
    detected: Type.Object({ encoding: Type.Boolean(), delimiter: Type.Boolean() }),
  }),
  sourceOptions: SourceOptionsSchema,
  mapping: Mapping,
  formats: Type.Record(Type.String(), ColumnFormat),
  options: Type.Object({
    mode: StringEnum(['all-or-nothing', 'valid-only'] as const), createMissing: Type.Boolean(), matchBy: Type.String(), updateExisting: Type.Boolean(),
    externalIdSource: Type.String(), batchSize: Type.Integer(),
  }),
  progress: Type.Object({
    processed: Type.Integer(),
    total: Nullable(Type.Integer()),
    percent: Nullable(Type.Number()),
    rowsPerSecond: Nullable(Type.Number()),
    etaSeconds: Nullable(Type.Number()),
  }),
  counts: Type.Object({
    created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), failed: Type.Integer(),
    errors: Type.Integer({ description: 'Problems found (a row can have several)' }),
    committedRows: Type.Integer({ description: 'Rows whose changes are in the database' }),
  }),
  report: Nullable(Type.Object({
    rows: Type.Integer(), created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), failed: Type.Integer(), errors: Type.Integer(),
    errorsTruncated: Type.Boolean(), seconds: Type.Number(),
    newReferences: Type.Object({
      counts: Type.Record(Type.String(), Type.Integer()),
      items: Type.Array(Type.Object({ kind: Type.String(), name: Type.String() }), { description: 'Records the import creates by name (first 1000)' }),
    }),
  })),
  failureReason: Nullable(Type.String()),
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ImportJobDto = Static<typeof ImportJob>;

export const JobPage = Type.Object({ items: Type.Array(ImportJob), nextCursor: Nullable(Type.String()) });

export const JobListQuery = Type.Object({
  target: Type.Optional(TargetSchema),
  cursor: Type.Optional(Uuid),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
}, { additionalProperties: false });

export const UpdateJobBody = Type.Object({
  mapping: Type.Optional(Mapping),
  formats: Type.Optional(Type.Record(Type.String(), ColumnFormat)),
  options: Type.Optional(ImportOptionsSchema),
  source: Type.Optional(SourceOptionsSchema),
  presetId: Type.Optional(Uuid),
}, { additionalProperties: false });
export type UpdateJobInput = Static<typeof UpdateJobBody>;

export const CommitBody = Type.Object({ options: Type.Optional(ImportOptionsSchema) }, { additionalProperties: false });
export type CommitInput = Static<typeof CommitBody>;

export const ImportError = Type.Object({
  seq: Type.Integer(),
  line: Type.Integer({ description: 'Row number in the file (header = 1); 0 for the whole file' }),
  column: Nullable(Type.String({ description: 'Header key of the cell' })),
  field: Nullable(Type.String()),
  code: Type.String(),
  message: Type.String(),
});
export const ErrorPage = Type.Object({ items: Type.Array(ImportError), nextCursor: Nullable(Type.String()) });
export const ErrorQuery = Type.Object({
  cursor: Type.Optional(Type.String({ pattern: '^\\d+$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  line: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: false });

export const Preset = Type.Object({
  id: Uuid, target: TargetSchema, name: Type.String(),
  mapping: Type.Record(Type.String(), Nullable(Type.String()), { description: 'Header as in the file → field key' }),
  formats: Type.Record(Type.String(), ColumnFormat),
  createdAt: Timestamp, updatedAt: Timestamp,
});
export type PresetDto = Static<typeof Preset>;
export const CreatePresetBody = Type.Object({
  target: TargetSchema,
  name: Type.String({ minLength: 1, maxLength: 100 }),
  mapping: Type.Optional(Type.Record(Type.String({ maxLength: 500 }), Nullable(Type.String({ maxLength: 100 })))),
  formats: Type.Optional(Type.Record(Type.String(), ColumnFormat)),
  fromJobId: Type.Optional(Uuid),
}, { additionalProperties: false });
export type CreatePresetInput = Static<typeof CreatePresetBody>;
export const PresetQuery = Type.Object({ target: Type.Optional(TargetSchema) }, { additionalProperties: false });

export const ExportParams = Type.Object({
  file: Type.String({ pattern: `^(${TARGETS.join('|')})\\.(csv|xlsx)$`, description: '<target>.csv or <target>.xlsx' }),
});
