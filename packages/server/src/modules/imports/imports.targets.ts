/**
 * Import targets as data: for each target, its columns (canonical header = the export header,
 * type, required, synonyms, how references resolve), its match keys and its permissions. The
 * auto-mapping, the dry run, the commit and the exports all read these definitions, so a new
 * target (licenses, contracts) is a new entry here plus its row processor.
 */
import type { Executor } from '../../db/database.js';
import type { Permission } from '../../authz/permissions.js';
import type { FieldDto } from '../fields/fields.service.js';
import * as repo from './imports.repository.js';

export const TARGETS = ['assets', 'models', 'users', 'locations', 'departments', 'suppliers'] as const;
export type TargetKey = (typeof TARGETS)[number];
export const isTarget = (v: string): v is TargetKey => (TARGETS as readonly string[]).includes(v);

/** What a reference column names, resolved by name (or path, email …) within the organization. */
export type RefKind = 'model' | 'category' | 'manufacturer' | 'location' | 'supplier' | 'department' | 'user';

export type ColumnType =
  | 'text' | 'long_text' | 'email' | 'date' | 'money' | 'number' | 'integer' | 'boolean' | 'ref' | 'state' | 'role' | 'asset_class' | 'custom';

export interface TargetField {
  /** Stable key used in mappings: `assetTag`, `model`, `cf.color` … */
  key: string;
  /** Canonical header (what exports write and what the auto-mapping knows first). */
  label: string;
  type: ColumnType;
  required?: boolean;
  /** Other header names this column is known by (Snipe-IT, GLPI, common spreadsheets). */
  synonyms?: readonly string[];
  maxLength?: number;
  ref?: RefKind;
  /** Whether an unknown name may be created (with `createMissing`). */
  creatable?: boolean;
  /** How the column is used, shown in the mapping UI. */
  description?: string;
  /** For `custom`: the custom field definitions with this key (one per category using it). */
  custom?: FieldDto[];
  /** Not exported (e.g. warranty months: exports write the end date). */
  importOnly?: boolean;
}

export interface TargetDef {
  key: TargetKey;
  label: string;
  /** Permission needed to import into it (besides `import.run`). */
  writePermission: Permission;
  /** Permission needed to export it. */
  readPermission: Permission;
  /** Field keys an existing record can be matched on (first = default). */
  matchKeys: readonly string[];
  /** Static columns; assets add the organization's custom fields (see `fieldsOf`). */
  fields: readonly TargetField[];
}

const f = (key: string, label: string, type: ColumnType, extra: Partial<TargetField> = {}): TargetField => ({ key, label, type, ...extra });

const ASSET_FIELDS: readonly TargetField[] = [
  f('assetTag', 'Asset Tag', 'text', { maxLength: 100, synonyms: ['tag', 'asset', 'asset number', 'asset no', 'asset id tag', 'inventory number', 'inventory no', 'otherserial', 'asset_tag'], description: 'Unique tag; generated from the tag pattern when empty on a new asset' }),
  f('name', 'Name', 'text', { maxLength: 200, synonyms: ['asset name', 'item name', 'hostname', 'device name', 'computer name'] }),
  f('serial', 'Serial', 'text', { maxLength: 200, synonyms: ['serial number', 'serialnumber', 'serial no', 's/n', 'sn', 'service tag'] }),
  f('model', 'Model', 'ref', { required: true, ref: 'model', creatable: true, synonyms: ['model name', 'asset model', 'product'], description: 'Model by name; created (in the row\'s Category) when missing and createMissing is on' }),
  f('modelNumber', 'Model Number', 'text', { maxLength: 100, synonyms: ['model no', 'model_number', 'part number', 'product number', 'mpn'], description: 'Used when the model is created' }),
  f('category', 'Category', 'ref', { ref: 'category', creatable: true, synonyms: ['type', 'asset type', 'device type', 'category name'], description: 'Needed to create a model; must match an existing model\'s category' }),
  f('manufacturer', 'Manufacturer', 'ref', { ref: 'manufacturer', creatable: true, synonyms: ['make', 'brand', 'vendor', 'manufacturer name'], description: 'Picks the model among same-named ones; used when the model is created' }),
  f('status', 'Status', 'state', { synonyms: ['state', 'lifecycle state', 'status label', 'asset status'], description: 'Lifecycle state by key or label (also Snipe-IT labels such as "Ready to Deploy")' }),
  f('location', 'Location', 'ref', { ref: 'location', creatable: true, synonyms: ['default location', 'rtd location', 'site', 'home location', 'location name'], description: 'Name or path ("HQ / Floor 2"): the asset\'s home; on a new asset also where it is' }),
  f('currentLocation', 'Current Location', 'ref', { ref: 'location', creatable: true, synonyms: ['current location', 'actual location'], description: 'Where the asset is now, when different from its home' }),
  f('supplier', 'Supplier', 'ref', { ref: 'supplier', creatable: true, synonyms: ['supplier name', 'purchased from', 'reseller'] }),
  f('department', 'Department', 'ref', { ref: 'department', creatable: true, synonyms: ['department name', 'cost centre', 'cost center', 'dept'] }),
  f('purchaseDate', 'Purchase Date', 'date', { synonyms: ['purchased', 'date purchased', 'date of purchase', 'purchase_date', 'acquisition date', 'order date'] }),
  f('purchaseCost', 'Purchase Cost', 'money', { synonyms: ['cost', 'price', 'purchase price', 'unit cost', 'value', 'purchase_cost'] }),
  f('currency', 'Currency', 'text', { maxLength: 3, synonyms: ['currency code'] }),
  f('orderNumber', 'Order Number', 'text', { maxLength: 200, synonyms: ['order', 'po', 'po number', 'purchase order', 'order no', 'order_number'] }),
  f('invoiceNumber', 'Invoice Number', 'text', { maxLength: 200, synonyms: ['invoice', 'invoice no', 'bill number'] }),
  f('warrantyMonths', 'Warranty', 'integer', { importOnly: true, synonyms: ['warranty months', 'warranty (months)', 'warranty duration', 'warranty_months'], description: 'Months from the purchase date; sets Warranty End' }),
  f('warrantyEnd', 'Warranty End', 'date', { synonyms: ['warranty expires', 'warranty expiration', 'warranty expiration date', 'warranty end date', 'warranty until'] }),
  f('eolDate', 'Asset EOL Date', 'date', { synonyms: ['eol', 'eol date', 'end of life', 'end of life date', 'eol_date'] }),
  f('notes', 'Notes', 'long_text', { maxLength: 20000, synonyms: ['note', 'comments', 'comment', 'description', 'remarks'] }),
  f('checkedOutTo', 'Checked Out To: Username', 'ref', {
    ref: 'user',
    synonyms: ['checked out to', 'checked out to: email', 'checked out to: name', 'checked out to username', 'assigned to', 'assignee', 'user', 'username', 'holder', 'employee'],
    description: 'Email, employee number or name of an active member: the asset is checked out to them',
  }),
  f('externalId', 'External Id', 'text', { maxLength: 200, synonyms: ['external id', 'source id', 'legacy id', 'import id'], description: 'The record\'s id in the system it comes from (matching key)' }),
];

export const TARGET_DEFS: Record<TargetKey, TargetDef> = {
  assets: {
    key: 'assets', label: 'Assets', writePermission: 'asset.write', readPermission: 'asset.read',
    matchKeys: ['assetTag', 'serial', 'externalId'], fields: ASSET_FIELDS,
  },
  models: {
    key: 'models', label: 'Models', writePermission: 'catalog.manage', readPermission: 'catalog.read', matchKeys: ['name'],
    fields: [
      f('name', 'Name', 'text', { required: true, maxLength: 200, synonyms: ['model', 'model name'] }),
      f('modelNumber', 'Model Number', 'text', { maxLength: 100, synonyms: ['model no', 'part number', 'model_number'] }),
      f('category', 'Category', 'ref', { required: true, ref: 'category', creatable: true, synonyms: ['type', 'category name'] }),
      f('manufacturer', 'Manufacturer', 'ref', { ref: 'manufacturer', creatable: true, synonyms: ['make', 'brand', 'vendor'] }),
      f('eolMonths', 'EOL Months', 'integer', { synonyms: ['eol', 'end of life months', 'eol (months)'] }),
    ],
  },
  users: {
    key: 'users', label: 'Users', writePermission: 'member.manage', readPermission: 'member.read', matchKeys: ['email'],
    fields: [
      f('email', 'Email', 'email', { required: true, maxLength: 254, synonyms: ['e-mail', 'email address', 'mail', 'username'] }),
      f('displayName', 'Name', 'text', { maxLength: 200, synonyms: ['full name', 'display name', 'fullname'], description: 'Or give First Name and Last Name' }),
      f('firstName', 'First Name', 'text', { maxLength: 100, importOnly: true, synonyms: ['firstname', 'given name', 'first'] }),
      f('lastName', 'Last Name', 'text', { maxLength: 100, importOnly: true, synonyms: ['lastname', 'surname', 'family name', 'last'] }),
      f('role', 'Role', 'role', { synonyms: ['user role', 'access'], description: 'Role key or label; new people default to employee' }),
      f('employeeNumber', 'Employee Number', 'text', { maxLength: 50, synonyms: ['employee no', 'employee id', 'employee_num', 'staff number'] }),
      f('title', 'Title', 'text', { maxLength: 200, synonyms: ['job title', 'position'] }),
      f('phone', 'Phone', 'text', { maxLength: 50, synonyms: ['phone number', 'telephone', 'mobile'] }),
      f('department', 'Department', 'ref', { ref: 'department', creatable: true, synonyms: ['dept', 'department name'] }),
      f('location', 'Location', 'ref', { ref: 'location', creatable: true, synonyms: ['office', 'site'] }),
      f('manager', 'Manager', 'ref', { ref: 'user', synonyms: ['manager email', 'reports to', 'supervisor'] }),
    ],
  },
  locations: {
    key: 'locations', label: 'Locations', writePermission: 'location.manage', readPermission: 'location.read', matchKeys: ['name'],
    fields: [
      f('name', 'Name', 'text', { required: true, maxLength: 1000, synonyms: ['location', 'location name', 'path'], description: 'Name, or the full path "HQ / Floor 2 / Room 4"' }),
      f('parent', 'Parent', 'ref', { ref: 'location', creatable: true, synonyms: ['parent location', 'parent name', 'in'], description: 'Name or path of the parent location' }),
      f('address', 'Address', 'text', { maxLength: 1000, synonyms: ['street', 'street address'] }),
      f('latitude', 'Latitude', 'number', { synonyms: ['lat'] }),
      f('longitude', 'Longitude', 'number', { synonyms: ['lng', 'lon', 'long'] }),
    ],
  },
  departments: {
    key: 'departments', label: 'Departments', writePermission: 'department.manage', readPermission: 'department.read', matchKeys: ['name'],
    fields: [
      f('name', 'Name', 'text', { required: true, maxLength: 200, synonyms: ['department', 'department name'] }),
      f('code', 'Code', 'text', { maxLength: 50, synonyms: ['department code', 'short name'] }),
      f('costCentre', 'Cost Centre', 'text', { maxLength: 50, synonyms: ['cost center', 'cost centre code', 'cost_centre'] }),
      f('manager', 'Manager', 'ref', { ref: 'user', synonyms: ['manager email', 'head', 'department head'] }),
    ],
  },
  suppliers: {
    key: 'suppliers', label: 'Suppliers', writePermission: 'catalog.manage', readPermission: 'catalog.read', matchKeys: ['name'],
    fields: [
      f('name', 'Name', 'text', { required: true, maxLength: 200, synonyms: ['supplier', 'supplier name', 'vendor'] }),
      f('contactName', 'Contact Name', 'text', { maxLength: 200, synonyms: ['contact', 'contact person'] }),
      f('email', 'Email', 'email', { maxLength: 254, synonyms: ['e-mail', 'contact email'] }),
      f('phone', 'Phone', 'text', { maxLength: 50, synonyms: ['telephone', 'phone number'] }),
      f('url', 'URL', 'text', { maxLength: 2000, synonyms: ['website', 'web', 'homepage'] }),
      f('notes', 'Notes', 'long_text', { maxLength: 10000, synonyms: ['comments', 'note'] }),
    ],
  },
};

/** Lower-case letters and digits only: "Checked Out To: Username" → "checkedouttousername". */
export const normHeader = (h: string): string => h.normalize('NFKD').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** The target's columns, with (assets) one `cf.<key>` column per custom field key of the organization. */
export async function fieldsOf(db: Executor, orgId: string, target: TargetKey): Promise<TargetField[]> {
  const def = TARGET_DEFS[target];
  if (target !== 'assets') return [...def.fields];
  const custom = await repo.customFields(db, orgId);
  const byKey = new Map<string, FieldDto[]>();
  for (const c of custom) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  const cf: TargetField[] = [...byKey.entries()].map(([key, defs]) => ({
    key: `cf.${key}`, label: defs[0]!.label, type: 'custom' as const, custom: defs, synonyms: [key],
    description: `Custom field (${[...new Set(defs.map((d) => d.type))].join('/')})`,
  }));
  // Labels are per category: a label repeated by different keys is not unique, so its key is the header.
  const labels = new Map<string, number>();
  for (const c of cf) labels.set(normHeader(c.label), (labels.get(normHeader(c.label)) ?? 0) + 1);
  const staticLabels = new Set(def.fields.map((x) => normHeader(x.label)));
  for (const c of cf) if ((labels.get(normHeader(c.label)) ?? 0) > 1 || staticLabels.has(normHeader(c.label))) c.label = c.key;
  return [...def.fields, ...cf];
}

/**
 * Suggests a field for every column from its header: the canonical label, the key and the
 * synonyms, compared case-, space- and punctuation-insensitively. A field is taken by the first
 * column that names it; later columns with the same meaning stay unmapped.
 */
export function autoMap(headers: readonly string[], headerKeys: readonly string[], fields: readonly TargetField[]): Record<string, string | null> {
  const names = new Map<string, string>();
  const add = (name: string, key: string) => { const n = normHeader(name); if (n && !names.has(n)) names.set(n, key); };
  for (const fd of fields) add(fd.label, fd.key);
  for (const fd of fields) add(fd.key, fd.key);
  for (const fd of fields) for (const s of fd.synonyms ?? []) add(s, fd.key);
  const taken = new Set<string>();
  const out: Record<string, string | null> = {};
  headerKeys.forEach((hk, i) => {
    const key = names.get(normHeader(headers[i] ?? hk)) ?? names.get(normHeader(hk)) ?? null;
    if (key && !taken.has(key)) {
      taken.add(key);
      out[hk] = key;
    } else {
      out[hk] = null;
    }
  });
  return out;
}
