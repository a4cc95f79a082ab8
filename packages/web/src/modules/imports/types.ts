import type { BodyOf, ResponseOf } from '../../api';

export type ImportJob = ResponseOf<'/api/v1/imports/{id}', 'get'>;
export type ImportTargetInfo = ResponseOf<'/api/v1/imports/targets', 'get'>[number];
export type TargetField = ImportTargetInfo['fields'][number];
export type ImportTarget = ImportTargetInfo['key'];
export type ImportProblem = ResponseOf<'/api/v1/imports/{id}/errors', 'get'>['items'][number];
export type ImportPreset = ResponseOf<'/api/v1/import-presets', 'get'>[number];
export type UpdateJob = BodyOf<'/api/v1/imports/{id}', 'patch'>;
export type ImportOptions = NonNullable<UpdateJob['options']>;
export type ColumnFormat = ImportJob['formats'][string];
export type DateFormat = NonNullable<ColumnFormat['date']>;
export type NumberFormat = NonNullable<ColumnFormat['number']>;

export const TARGET_LABELS: Record<ImportTarget, string> = {
  assets: 'Assets', models: 'Models', users: 'Users', locations: 'Locations', departments: 'Departments', suppliers: 'Suppliers',
};

/** Where the imported records are listed in the app. */
export const TARGET_PAGES: Record<ImportTarget, string> = {
  assets: '/assets', models: '/catalog/models', users: '/admin/users', locations: '/catalog/locations', departments: '/departments', suppliers: '/catalog/suppliers',
};

export const DATE_FORMATS: { value: DateFormat; label: string }[] = [
  { value: 'iso', label: 'ISO 2024-01-31' },
  { value: 'mdy', label: 'Month first 1/31/2024' },
  { value: 'dmy', label: 'Day first 31/01/2024' },
  { value: 'ymd-slash', label: 'Year first 2024/01/31' },
  { value: 'excel-serial', label: 'Excel day number 45292' },
];

export const NUMBER_FORMATS: { value: NumberFormat; label: string }[] = [
  { value: 'dot', label: 'Decimal point 1,234.56' },
  { value: 'comma', label: 'Decimal comma 1.234,56' },
];

export const STATUS_LABELS: Record<ImportJob['status'], { label: string; color: string }> = {
  uploaded: { label: 'Uploaded', color: 'gray' },
  validating: { label: 'Dry run…', color: 'blue' },
  validated: { label: 'Dry run done', color: 'cyan' },
  committing: { label: 'Importing…', color: 'blue' },
  committed: { label: 'Imported', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'orange' },
};
