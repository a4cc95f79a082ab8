/**
 * Catalog resources (docs/design/inventory.md, modules 1 and 2), typed from the generated schema,
 * plus the labels and helpers the catalog screens use.
 */
import type { BodyOf, ResponseOf } from '../../api';

export const ASSET_CLASSES = [
  'laptop', 'desktop', 'server', 'monitor', 'dock', 'peripheral', 'phone_tablet', 'printer',
  'network_device', 'storage', 'ups', 'conference', 'sim_card', 'other',
] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

/** Variables of a save mutation: create (`id: null`) or update an existing record. */
export type Save<Create, Update> = { id: null; body: Create } | { id: string; body: Update };

const ASSET_CLASS_LABELS: Record<AssetClass, string> = {
  laptop: 'Laptop',
  desktop: 'Desktop',
  server: 'Server',
  monitor: 'Monitor',
  dock: 'Dock',
  peripheral: 'Peripheral',
  phone_tablet: 'Phone / tablet',
  printer: 'Printer',
  network_device: 'Network device',
  storage: 'Storage',
  ups: 'UPS',
  conference: 'Conference equipment',
  sim_card: 'SIM card',
  other: 'Other',
};

export function assetClassLabel(c: string): string {
  return (ASSET_CLASS_LABELS as Record<string, string>)[c] ?? c;
}

export const ASSET_CLASS_OPTIONS = ASSET_CLASSES.map((c) => ({ value: c, label: ASSET_CLASS_LABELS[c] }));

/** Classes the server treats as data-bearing by default (the create form pre-ticks the box). */
export const DATA_BEARING_CLASSES: ReadonlySet<string> = new Set(['laptop', 'desktop', 'server', 'phone_tablet', 'printer', 'network_device', 'storage']);

export function isAssetClass(v: string | null | undefined): v is AssetClass {
  return !!v && (ASSET_CLASSES as readonly string[]).includes(v);
}

export type Category = ResponseOf<'/api/v1/categories', 'get'>[number];

export type CategoryCreate = BodyOf<'/api/v1/categories', 'post'>;
export type CategoryInput = BodyOf<'/api/v1/categories/{id}', 'patch'>;

export type Manufacturer = ResponseOf<'/api/v1/manufacturers', 'get'>[number];

export type ManufacturerInput = BodyOf<'/api/v1/manufacturers', 'post'>;

export type Supplier = ResponseOf<'/api/v1/suppliers', 'get'>[number];

export type SupplierInput = BodyOf<'/api/v1/suppliers', 'post'>;

export type Model = ResponseOf<'/api/v1/models', 'get'>[number];

export type ModelInput = BodyOf<'/api/v1/models', 'post'>;

export type ModelImage = ResponseOf<'/api/v1/models/{id}/image', 'put'>;

export const FIELD_TYPES = ['text', 'long_text', 'number', 'money', 'date', 'boolean', 'select', 'multi_select', 'url', 'email', 'ip', 'mac', 'regex'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FIELD_TYPE_LABELS: Record<FieldType, string> = {
  text: 'Text',
  long_text: 'Long text',
  number: 'Number',
  money: 'Money',
  date: 'Date',
  boolean: 'Yes / no',
  select: 'Select (one option)',
  multi_select: 'Multi-select (several options)',
  url: 'URL',
  email: 'Email',
  ip: 'IP address',
  mac: 'MAC address',
  regex: 'Text matching a pattern',
};

export function isFieldType(v: string | null | undefined): v is FieldType {
  return !!v && (FIELD_TYPES as readonly string[]).includes(v);
}

export type CustomField = ResponseOf<'/api/v1/categories/{id}/fields', 'get'>[number];

export type FieldCreate = BodyOf<'/api/v1/categories/{id}/fields', 'post'>;
export type FieldInput = BodyOf<'/api/v1/fields/{id}', 'patch'>;

export const FIELD_KEY_RE = /^[a-z][a-z0-9_]{0,39}$/;

/** `Serial number` → `serial_number`: a key suggestion from a label. */
export function keyFromLabel(label: string): string {
  const k = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  return k;
}

/** The server's rule (organizations.service TAG_PATTERN_RE): one counter group of 1–12 zeros. */
export const TAG_PATTERN_RE = /^[^{}]{0,20}\{0{1,12}\}[^{}]{0,20}$/;

/**
 * Preview of a tag pattern: `LAP-{00000}` → `LAP-00001` (the counter group is zero-padded to its
 * width). Null when the pattern is not valid.
 */
export function previewTag(pattern: string, n = 1): string | null {
  if (!TAG_PATTERN_RE.test(pattern)) return null;
  return pattern.replace(/\{(0+)\}/, (_m, zeros: string) => String(n).padStart(zeros.length, '0'));
}
