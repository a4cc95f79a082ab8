/**
 * The catalog: categories, manufacturers, suppliers and models, plus the lookups other modules
 * build on (`requireModel`, `requireSupplier`, `requireLocation`, `subtreePath`, `memberLocation`).
 */
import { parseJsonObject } from '../../lib/json.js';
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import type { SuppliersTable } from '../../db/schema.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { fromDbBool, isUniqueViolation, toDbBool, violatedConstraint } from '../../db/dialect.js';
import { conflict, notFound, unprocessable, type FieldError } from '../../errors.js';
import { newId, nowIso } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import * as members from '../members/members.service.js';
import { TAG_PATTERN_RE } from '../organizations/organizations.service.js';
import type {
  AssetClass, CategoryCreateInput, CategoryUpdateInput, ManufacturerCreateInput, ManufacturerUpdateInput, ModelCreateInput,
  ModelQueryInput, ModelUpdateInput, SupplierCreateInput, SupplierUpdateInput,
} from './catalog.schemas.js';
import * as repo from './catalog.repository.js';
import { checkEmail, checkPhone, checkUrl, clean } from './catalog.validation.js';

export { requireLocation, subtreePath, type LocationRow } from '../locations/locations.service.js';

export type SupplierRow = SuppliersTable;

// ======================================================================================
// Lookups for other modules
// ======================================================================================

export interface CategoryInfo {
  id: string;
  name: string;
  assetClass: AssetClass;
  dataBearing: boolean;
  requiresAcceptance: boolean;
  acceptanceTerms: string | null;
  acceptanceTermsVersion: number | null;
  tagPattern: string | null;
}

export interface ModelInfo {
  id: string;
  name: string;
  categoryId: string;
  manufacturerId: string | null;
  eolMonths: number | null;
  defaultCustomFields: Record<string, unknown>;
  category: CategoryInfo;
}


const numOrNull = (v: number | null): number | null => (v === null ? null : Number(v));

const toModelInfo = (m: repo.ModelRefsRow): ModelInfo => ({
  id: m.id, name: m.name, categoryId: m.category_id, manufacturerId: m.manufacturer_id,
  eolMonths: numOrNull(m.eol_months),
  defaultCustomFields: parseJsonObject(m.default_custom_fields),
  category: {
    id: m.category_id, name: m.category_name, assetClass: m.asset_class as AssetClass,
    dataBearing: fromDbBool(m.data_bearing), requiresAcceptance: fromDbBool(m.requires_acceptance),
    acceptanceTerms: m.acceptance_terms, acceptanceTermsVersion: numOrNull(m.acceptance_terms_version),
    tagPattern: m.tag_pattern,
  },
});

/** A model of the organization with its category, or 404 with the given field path. */
export async function requireModel(db: Executor, orgId: string, id: string, path?: string): Promise<ModelInfo> {
  const m = await repo.findModelRefs(db, orgId, id);
  if (!m) throw notFound('model', path);
  return toModelInfo(m);
}

/** A supplier of the organization, or 404 with the given field path. */
export async function requireSupplier(db: Executor, orgId: string, id: string, path?: string): Promise<SupplierRow> {
  const s = await repo.findSupplier(db, orgId, id);
  if (!s) throw notFound('supplier', path);
  return s;
}

/** Where a member sits according to their profile (`location_id`), or null. Custody uses it on check-out to a user. */
export async function memberLocation(db: Executor, orgId: string, userId: string): Promise<string | null> {
  return (await members.findProfile(db, orgId, userId))?.location_id ?? null;
}

// ======================================================================================
// Input helpers
// ======================================================================================

function checkName(errors: FieldError[], v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const name = v.trim();
  if (!name) errors.push({ path: '/body/name', message: 'must not be empty', code: 'required' });
  return name;
}

function fail(entity: string, errors: FieldError[]): void {
  if (errors.length) throw unprocessable(`${entity}.invalid`, `The ${entity} is not valid; see errors for each field.`, errors);
}

const duplicateName = (entity: string, other: { id: string; name: string }, what = `A ${entity} named "${other.name}" already exists.`) =>
  conflict(`${entity}.duplicate_name`, what, { conflict: { id: other.id, name: other.name } }, [{ path: '/body/name', message: `is already used by another ${entity}`, code: 'duplicate' }]);

const plural = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;

function describeUsage(u: repo.Usage): string {
  const parts: string[] = [];
  if (u.models) parts.push(plural(u.models, 'model'));
  if (u.assets || u.deletedAssets) {
    parts.push(u.deletedAssets ? `${plural(u.assets + u.deletedAssets, 'asset')} (${u.deletedAssets} deleted)` : plural(u.assets, 'asset'));
  }
  if (u.fields) parts.push(plural(u.fields, 'custom field'));
  return parts.join(', ');
}

function refuseDeleteWhileUsed(entity: string, name: string, u: repo.Usage, hint: string): void {
  if (!u.models && !u.assets && !u.deletedAssets && !u.fields) return;
  throw conflict(`${entity}.in_use`, `${entity[0]?.toUpperCase()}${entity.slice(1)} "${name}" is still used by ${describeUsage(u)}; ${hint}`, { usage: u });
}

// ======================================================================================
// Categories
// ======================================================================================

/** Classes whose devices usually store data; a category's `dataBearing` defaults from them. */
export const DATA_BEARING_CLASSES: readonly AssetClass[] = ['laptop', 'desktop', 'server', 'phone_tablet', 'printer', 'storage', 'network_device'];

export interface CategoryDto {
  id: string; name: string; assetClass: AssetClass; dataBearing: boolean; requiresAcceptance: boolean;
  acceptanceTerms: string | null; acceptanceTermsVersion: number | null; tagPattern: string | null;
  modelCount: number; assetCount: number; fieldCount: number; createdAt: string; updatedAt: string;
}

const toCategoryDto = (c: repo.CategoryRow): CategoryDto => ({
  id: c.id, name: c.name, assetClass: c.asset_class as AssetClass, dataBearing: fromDbBool(c.data_bearing),
  requiresAcceptance: fromDbBool(c.requires_acceptance), acceptanceTerms: c.acceptance_terms,
  acceptanceTermsVersion: numOrNull(c.acceptance_terms_version), tagPattern: c.tag_pattern,
  modelCount: c.model_count, assetCount: c.asset_count, fieldCount: c.field_count, createdAt: c.created_at, updatedAt: c.updated_at,
});

const CATEGORY_FIELDS = ['name', 'assetClass', 'dataBearing', 'requiresAcceptance', 'acceptanceTerms', 'acceptanceTermsVersion', 'tagPattern'] as const;
type CategorySnap = Pick<CategoryDto, (typeof CATEGORY_FIELDS)[number]>;
const categorySnap = (c: repo.CategoryInsert): CategorySnap => ({
  name: c.name, assetClass: c.asset_class as AssetClass, dataBearing: fromDbBool(c.data_bearing), requiresAcceptance: fromDbBool(c.requires_acceptance),
  acceptanceTerms: c.acceptance_terms, acceptanceTermsVersion: numOrNull(c.acceptance_terms_version), tagPattern: c.tag_pattern,
});

async function requireCategory(db: Executor, orgId: string, id: string, path?: string): Promise<repo.CategoryRow> {
  const c = await repo.findCategory(db, orgId, id);
  if (!c) throw notFound('category', path);
  return c;
}

function checkTagPattern(errors: FieldError[], v: string | null | undefined): void {
  if (v && !TAG_PATTERN_RE.test(v)) {
    errors.push({ path: '/body/tagPattern', message: 'must contain exactly one group of zeros in braces, e.g. LAP-{00000}', code: 'pattern' });
  }
}

export async function listCategories(ctx: Ctx, q: { q?: string }): Promise<CategoryDto[]> {
  authorize(ctx.actor, 'catalog.read');
  return (await repo.listCategories(ctx.db, orgOf(ctx), q.q?.trim() || undefined)).map(toCategoryDto);
}

export async function getCategory(ctx: Ctx, id: string): Promise<CategoryDto> {
  authorize(ctx.actor, 'catalog.read');
  return toCategoryDto(await requireCategory(ctx.db, orgOf(ctx), id));
}

export async function createCategory(ctx: Ctx, input: CategoryCreateInput): Promise<CategoryDto> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  const errors: FieldError[] = [];
  const name = checkName(errors, input.name) ?? '';
  const terms = clean(input.acceptanceTerms) ?? null;
  const tagPattern = clean(input.tagPattern) ?? null;
  checkTagPattern(errors, tagPattern);
  fail('category', errors);
  return ctx.db.transaction().execute(async (trx) => {
    const other = await repo.findByName(trx, 'categories', orgId, name);
    if (other) throw duplicateName('category', other);
    const now = nowIso();
    const row: repo.CategoryInsert = {
      id: newId(), org_id: orgId, name, asset_class: input.assetClass,
      data_bearing: toDbBool(input.dataBearing ?? DATA_BEARING_CLASSES.includes(input.assetClass)),
      requires_acceptance: toDbBool(input.requiresAcceptance ?? false),
      acceptance_terms: terms, acceptance_terms_version: terms ? 1 : null, tag_pattern: tagPattern,
      created_at: now, updated_at: now,
    };
    try {
      await repo.insertCategory(trx, row);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateName('category', { id: '', name });
      throw err;
    }
    await events.record(trx, ctx, { action: 'category.created', entityType: 'category', entityId: row.id, changes: events.diff<CategorySnap>(null, categorySnap(row), CATEGORY_FIELDS) });
    return toCategoryDto(await requireCategory(trx, orgId, row.id));
  });
}

export async function updateCategory(ctx: Ctx, id: string, input: CategoryUpdateInput): Promise<CategoryDto> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireCategory(trx, orgId, id);
    const errors: FieldError[] = [];
    const name = checkName(errors, input.name);
    if (input.assetClass !== undefined && input.assetClass !== before.asset_class) {
      errors.push({ path: '/body/assetClass', message: `cannot change once set (it is ${before.asset_class}); create a new category instead`, code: 'immutable' });
    }
    const tagPattern = clean(input.tagPattern);
    checkTagPattern(errors, tagPattern);
    if (errors.length) {
      const immutable = errors.some((e) => e.code === 'immutable');
      throw unprocessable(immutable ? 'category.asset_class_immutable' : 'category.invalid',
        immutable ? 'The asset class of a category cannot be changed.' : 'The category is not valid; see errors for each field.', errors);
    }
    const patch: Partial<repo.CategoryInsert> = {};
    if (name !== undefined && name !== before.name) {
      const other = await repo.findByName(trx, 'categories', orgId, name, id);
      if (other) throw duplicateName('category', other);
      patch.name = name;
    }
    if (input.dataBearing !== undefined) patch.data_bearing = toDbBool(input.dataBearing);
    if (input.requiresAcceptance !== undefined) patch.requires_acceptance = toDbBool(input.requiresAcceptance);
    if (tagPattern !== undefined) patch.tag_pattern = tagPattern;
    const terms = clean(input.acceptanceTerms);
    if (terms !== undefined && terms !== before.acceptance_terms) {
      patch.acceptance_terms = terms;
      // A new text is a new version: acceptances record the version the employee signed.
      if (terms !== null) patch.acceptance_terms_version = (numOrNull(before.acceptance_terms_version) ?? 0) + 1;
    }
    if (!Object.keys(patch).length) return toCategoryDto(before);
    patch.updated_at = nowIso();
    try {
      await repo.updateCategory(trx, orgId, id, patch);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateName('category', { id: '', name: patch.name ?? before.name });
      throw err;
    }
    const after = await requireCategory(trx, orgId, id);
    const changes = events.diff<CategorySnap>(categorySnap(before), categorySnap(after), CATEGORY_FIELDS);
    if (Object.keys(changes).length) await events.record(trx, ctx, { action: 'category.updated', entityType: 'category', entityId: id, changes });
    return toCategoryDto(after);
  });
}

export async function deleteCategory(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const before = await requireCategory(trx, orgId, id);
    refuseDeleteWhileUsed('category', before.name, await repo.categoryUsage(trx, orgId, id),
      'move or delete its models and assets, and delete its custom fields, first.');
    await repo.deleteCategory(trx, orgId, id);
    await events.record(trx, ctx, { action: 'category.deleted', entityType: 'category', entityId: id, changes: events.diff<CategorySnap>(categorySnap(before), null, CATEGORY_FIELDS) });
  });
}

// ======================================================================================
// Manufacturers
// ======================================================================================

export interface ManufacturerDto {
  id: string; name: string; supportUrl: string | null; warrantyLookupUrl: string | null;
  modelCount: number; assetCount: number; createdAt: string; updatedAt: string;
}

const toManufacturerDto = (m: repo.ManufacturerRow): ManufacturerDto => ({
  id: m.id, name: m.name, supportUrl: m.support_url, warrantyLookupUrl: m.warranty_lookup_url,
  modelCount: m.model_count, assetCount: m.asset_count, createdAt: m.created_at, updatedAt: m.updated_at,
});

const MANUFACTURER_FIELDS = ['name', 'supportUrl', 'warrantyLookupUrl'] as const;
type ManufacturerSnap = Pick<ManufacturerDto, (typeof MANUFACTURER_FIELDS)[number]>;
const manufacturerSnap = (m: { name: string; support_url: string | null; warranty_lookup_url: string | null }): ManufacturerSnap =>
  ({ name: m.name, supportUrl: m.support_url, warrantyLookupUrl: m.warranty_lookup_url });

async function requireManufacturer(db: Executor, orgId: string, id: string, path?: string): Promise<repo.ManufacturerRow> {
  const m = await repo.findManufacturer(db, orgId, id);
  if (!m) throw notFound('manufacturer', path);
  return m;
}

export async function listManufacturers(ctx: Ctx, q: { q?: string }): Promise<ManufacturerDto[]> {
  authorize(ctx.actor, 'catalog.read');
  return (await repo.listManufacturers(ctx.db, orgOf(ctx), q.q?.trim() || undefined)).map(toManufacturerDto);
}

export async function getManufacturer(ctx: Ctx, id: string): Promise<ManufacturerDto> {
  authorize(ctx.actor, 'catalog.read');
  return toManufacturerDto(await requireManufacturer(ctx.db, orgOf(ctx), id));
}

export async function createManufacturer(ctx: Ctx, input: ManufacturerCreateInput): Promise<ManufacturerDto> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  const errors: FieldError[] = [];
  const name = checkName(errors, input.name) ?? '';
  const supportUrl = clean(input.supportUrl) ?? null;
  const warrantyLookupUrl = clean(input.warrantyLookupUrl) ?? null;
  checkUrl(errors, '/body/supportUrl', supportUrl);
  checkUrl(errors, '/body/warrantyLookupUrl', warrantyLookupUrl);
  fail('manufacturer', errors);
  return ctx.db.transaction().execute(async (trx) => {
    const other = await repo.findByName(trx, 'manufacturers', orgId, name);
    if (other) throw duplicateName('manufacturer', other);
    const now = nowIso();
    const row = { id: newId(), org_id: orgId, name, support_url: supportUrl, warranty_lookup_url: warrantyLookupUrl, created_at: now, updated_at: now };
    try {
      await repo.insertManufacturer(trx, row);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateName('manufacturer', { id: '', name });
      throw err;
    }
    await events.record(trx, ctx, { action: 'manufacturer.created', entityType: 'manufacturer', entityId: row.id, changes: events.diff<ManufacturerSnap>(null, manufacturerSnap(row), MANUFACTURER_FIELDS) });
    return toManufacturerDto(await requireManufacturer(trx, orgId, row.id));
  });
}

export async function updateManufacturer(ctx: Ctx, id: string, input: ManufacturerUpdateInput): Promise<ManufacturerDto> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireManufacturer(trx, orgId, id);
    const errors: FieldError[] = [];
    const name = checkName(errors, input.name);
    const supportUrl = clean(input.supportUrl);
    const warrantyLookupUrl = clean(input.warrantyLookupUrl);
    checkUrl(errors, '/body/supportUrl', supportUrl);
    checkUrl(errors, '/body/warrantyLookupUrl', warrantyLookupUrl);
    fail('manufacturer', errors);
    const patch: Partial<repo.ManufacturerRow> = {};
    if (name !== undefined && name !== before.name) {
      const other = await repo.findByName(trx, 'manufacturers', orgId, name, id);
      if (other) throw duplicateName('manufacturer', other);
      patch.name = name;
    }
    if (supportUrl !== undefined) patch.support_url = supportUrl;
    if (warrantyLookupUrl !== undefined) patch.warranty_lookup_url = warrantyLookupUrl;
    const changes = events.diff<ManufacturerSnap>(manufacturerSnap(before), manufacturerSnap({ ...before, ...patch }), MANUFACTURER_FIELDS);
    if (!Object.keys(changes).length) return toManufacturerDto(before);
    try {
      await repo.updateManufacturer(trx, orgId, id, { ...patch, updated_at: nowIso() });
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateName('manufacturer', { id: '', name: patch.name ?? before.name });
      throw err;
    }
    await events.record(trx, ctx, { action: 'manufacturer.updated', entityType: 'manufacturer', entityId: id, changes });
    return toManufacturerDto(await requireManufacturer(trx, orgId, id));
  });
}

export async function deleteManufacturer(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const before = await requireManufacturer(trx, orgId, id);
    refuseDeleteWhileUsed('manufacturer', before.name, await repo.manufacturerUsage(trx, orgId, id), 'move or delete its models first.');
    await repo.deleteManufacturer(trx, orgId, id);
    await events.record(trx, ctx, { action: 'manufacturer.deleted', entityType: 'manufacturer', entityId: id, changes: events.diff<ManufacturerSnap>(manufacturerSnap(before), null, MANUFACTURER_FIELDS) });
  });
}

// ======================================================================================
// Suppliers
// ======================================================================================

export interface SupplierDto {
  id: string; name: string; contactName: string | null; email: string | null; phone: string | null; url: string | null;
  notes: string | null; assetCount: number; createdAt: string; updatedAt: string;
}

const toSupplierDto = (s: repo.SupplierRow): SupplierDto => ({
  id: s.id, name: s.name, contactName: s.contact_name, email: s.email, phone: s.phone, url: s.url, notes: s.notes,
  assetCount: s.asset_count, createdAt: s.created_at, updatedAt: s.updated_at,
});

const SUPPLIER_FIELDS = ['name', 'contactName', 'email', 'phone', 'url', 'notes'] as const;
type SupplierSnap = Pick<SupplierDto, (typeof SUPPLIER_FIELDS)[number]>;
const supplierSnap = (s: SuppliersTable): SupplierSnap => ({ name: s.name, contactName: s.contact_name, email: s.email, phone: s.phone, url: s.url, notes: s.notes });

async function requireSupplierDto(db: Executor, orgId: string, id: string): Promise<repo.SupplierRow> {
  const s = await repo.findSupplierWithCounts(db, orgId, id);
  if (!s) throw notFound('supplier');
  return s;
}

function supplierPatch(errors: FieldError[], input: SupplierUpdateInput): Partial<SuppliersTable> {
  const patch: Partial<SuppliersTable> = {};
  const contactName = clean(input.contactName);
  const email = clean(input.email);
  const phone = clean(input.phone);
  const url = clean(input.url);
  const notes = clean(input.notes);
  checkEmail(errors, '/body/email', email);
  checkPhone(errors, '/body/phone', phone);
  checkUrl(errors, '/body/url', url);
  if (contactName !== undefined) patch.contact_name = contactName;
  if (email !== undefined) patch.email = email;
  if (phone !== undefined) patch.phone = phone;
  if (url !== undefined) patch.url = url;
  if (notes !== undefined) patch.notes = notes;
  return patch;
}

export async function listSuppliers(ctx: Ctx, q: { q?: string }): Promise<SupplierDto[]> {
  authorize(ctx.actor, 'catalog.read');
  return (await repo.listSuppliers(ctx.db, orgOf(ctx), q.q?.trim() || undefined)).map(toSupplierDto);
}

export async function getSupplier(ctx: Ctx, id: string): Promise<SupplierDto> {
  authorize(ctx.actor, 'catalog.read');
  return toSupplierDto(await requireSupplierDto(ctx.db, orgOf(ctx), id));
}

export async function createSupplier(ctx: Ctx, input: SupplierCreateInput): Promise<SupplierDto> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  const errors: FieldError[] = [];
  const name = checkName(errors, input.name) ?? '';
  const patch = supplierPatch(errors, input);
  fail('supplier', errors);
  return ctx.db.transaction().execute(async (trx) => {
    const other = await repo.findByName(trx, 'suppliers', orgId, name);
    if (other) throw duplicateName('supplier', other);
    const now = nowIso();
    const row: SuppliersTable = {
      id: newId(), org_id: orgId, name, contact_name: null, email: null, phone: null, url: null, notes: null, ...patch, created_at: now, updated_at: now,
    };
    try {
      await repo.insertSupplier(trx, row);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateName('supplier', { id: '', name });
      throw err;
    }
    await events.record(trx, ctx, { action: 'supplier.created', entityType: 'supplier', entityId: row.id, changes: events.diff<SupplierSnap>(null, supplierSnap(row), SUPPLIER_FIELDS) });
    return toSupplierDto(await requireSupplierDto(trx, orgId, row.id));
  });
}

export async function updateSupplier(ctx: Ctx, id: string, input: SupplierUpdateInput): Promise<SupplierDto> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireSupplierDto(trx, orgId, id);
    const errors: FieldError[] = [];
    const name = checkName(errors, input.name);
    const patch = supplierPatch(errors, input);
    fail('supplier', errors);
    if (name !== undefined && name !== before.name) {
      const other = await repo.findByName(trx, 'suppliers', orgId, name, id);
      if (other) throw duplicateName('supplier', other);
      patch.name = name;
    }
    const changes = events.diff<SupplierSnap>(supplierSnap(before), supplierSnap({ ...before, ...patch }), SUPPLIER_FIELDS);
    if (!Object.keys(changes).length) return toSupplierDto(before);
    try {
      await repo.updateSupplier(trx, orgId, id, { ...patch, updated_at: nowIso() });
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateName('supplier', { id: '', name: patch.name ?? before.name });
      throw err;
    }
    await events.record(trx, ctx, { action: 'supplier.updated', entityType: 'supplier', entityId: id, changes });
    return toSupplierDto(await requireSupplierDto(trx, orgId, id));
  });
}

export async function deleteSupplier(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const before = await requireSupplierDto(trx, orgId, id);
    refuseDeleteWhileUsed('supplier', before.name, await repo.supplierUsage(trx, orgId, id), 'change the supplier of those assets first.');
    await repo.deleteSupplier(trx, orgId, id);
    await events.record(trx, ctx, { action: 'supplier.deleted', entityType: 'supplier', entityId: id, changes: events.diff<SupplierSnap>(supplierSnap(before), null, SUPPLIER_FIELDS) });
  });
}

// ======================================================================================
// Models
// ======================================================================================

export interface ModelDto {
  id: string; name: string; modelNumber: string | null;
  categoryId: string; category: { id: string; name: string; assetClass: AssetClass };
  manufacturerId: string | null; manufacturer: { id: string; name: string } | null;
  eolMonths: number | null; defaultCustomFields: Record<string, unknown>; hasImage: boolean; assetCount: number;
  createdAt: string; updatedAt: string;
}

const toModelDto = (m: repo.ModelRow): ModelDto => ({
  id: m.id, name: m.name, modelNumber: m.model_number,
  categoryId: m.category_id, category: { id: m.category_id, name: m.category_name, assetClass: m.asset_class as AssetClass },
  manufacturerId: m.manufacturer_id, manufacturer: m.manufacturer_id ? { id: m.manufacturer_id, name: m.manufacturer_name ?? '' } : null,
  eolMonths: numOrNull(m.eol_months), defaultCustomFields: parseJsonObject(m.default_custom_fields), hasImage: m.image_path !== null,
  assetCount: m.asset_count, createdAt: m.created_at, updatedAt: m.updated_at,
});

const MODEL_FIELDS = ['name', 'modelNumber', 'categoryId', 'manufacturerId', 'eolMonths', 'defaultCustomFields'] as const;
type ModelSnap = Pick<ModelDto, (typeof MODEL_FIELDS)[number]>;
const modelSnap = (m: { name: string; model_number: string | null; category_id: string; manufacturer_id: string | null; eol_months: number | null; default_custom_fields: string }): ModelSnap => ({
  name: m.name, modelNumber: m.model_number, categoryId: m.category_id, manufacturerId: m.manufacturer_id,
  eolMonths: numOrNull(m.eol_months), defaultCustomFields: parseJsonObject(m.default_custom_fields),
});

const MAX_DEFAULTS_CHARS = 20_000;

async function requireModelRow(db: Executor, orgId: string, id: string): Promise<repo.ModelRow> {
  const m = await repo.findModel(db, orgId, id);
  if (!m) throw notFound('model');
  return m;
}

function defaultsJson(errors: FieldError[], v: Record<string, unknown> | undefined): string | undefined {
  if (v === undefined) return undefined;
  const json = JSON.stringify(v);
  if (json.length > MAX_DEFAULTS_CHARS) errors.push({ path: '/body/defaultCustomFields', message: `must be at most ${MAX_DEFAULTS_CHARS} characters of JSON`, code: 'maxLength' });
  for (const key of Object.keys(v)) {
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(key)) errors.push({ path: `/body/defaultCustomFields/${key}`, message: 'is not a custom field key (a-z, 0-9, _)', code: 'pattern' });
  }
  return json;
}

/** Changing a model's manufacturer may make two of its assets' serials collide under the new one. */
function serialCollision(err: unknown): never {
  if (isUniqueViolation(err) && /assets_serial_uq|assets\.serial/.test(violatedConstraint(err))) {
    throw conflict('model.serial_conflict', 'An asset of this model has the same serial as another asset of that manufacturer; fix the serials first.', {},
      [{ path: '/body/manufacturerId', message: 'would give two assets of the same manufacturer the same serial', code: 'duplicate' }]);
  }
  throw err;
}

export async function listModels(ctx: Ctx, q: ModelQueryInput): Promise<ModelDto[]> {
  authorize(ctx.actor, 'catalog.read');
  return (await repo.listModels(ctx.db, orgOf(ctx), { q: q.q?.trim() || undefined, categoryId: q.categoryId, manufacturerId: q.manufacturerId })).map(toModelDto);
}

export async function getModel(ctx: Ctx, id: string): Promise<ModelDto> {
  authorize(ctx.actor, 'catalog.read');
  return toModelDto(await requireModelRow(ctx.db, orgOf(ctx), id));
}

const duplicateModel = (other: { id: string; name: string }) =>
  duplicateName('model', other, `A model named "${other.name}" of the same manufacturer already exists.`);

export async function createModel(ctx: Ctx, input: ModelCreateInput): Promise<ModelDto> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  const errors: FieldError[] = [];
  const name = checkName(errors, input.name) ?? '';
  const defaults = defaultsJson(errors, input.defaultCustomFields) ?? '{}';
  fail('model', errors);
  return ctx.db.transaction().execute(async (trx) => {
    await requireCategory(trx, orgId, input.categoryId, '/body/categoryId');
    const manufacturerId = input.manufacturerId ?? null;
    if (manufacturerId) await requireManufacturer(trx, orgId, manufacturerId, '/body/manufacturerId');
    const other = await repo.findModelByName(trx, orgId, name, manufacturerId);
    if (other) throw duplicateModel(other);
    const now = nowIso();
    const row = {
      id: newId(), org_id: orgId, name, model_number: clean(input.modelNumber) ?? null, category_id: input.categoryId, manufacturer_id: manufacturerId,
      eol_months: input.eolMonths ?? null, default_custom_fields: defaults, image_path: null, created_at: now, updated_at: now,
    };
    try {
      await repo.insertModel(trx, row);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateModel({ id: '', name });
      throw err;
    }
    await events.record(trx, ctx, { action: 'model.created', entityType: 'model', entityId: row.id, changes: events.diff<ModelSnap>(null, modelSnap(row), MODEL_FIELDS) });
    return toModelDto(await requireModelRow(trx, orgId, row.id));
  });
}

export async function updateModel(ctx: Ctx, id: string, input: ModelUpdateInput): Promise<ModelDto> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireModelRow(trx, orgId, id);
    const errors: FieldError[] = [];
    const name = checkName(errors, input.name);
    const defaults = defaultsJson(errors, input.defaultCustomFields);
    fail('model', errors);
    const patch: Partial<repo.ModelRow> = {};
    if (name !== undefined) patch.name = name;
    const modelNumber = clean(input.modelNumber);
    if (modelNumber !== undefined) patch.model_number = modelNumber;
    if (input.categoryId !== undefined && input.categoryId !== before.category_id) {
      await requireCategory(trx, orgId, input.categoryId, '/body/categoryId');
      patch.category_id = input.categoryId;
    }
    if (input.manufacturerId !== undefined && input.manufacturerId !== before.manufacturer_id) {
      if (input.manufacturerId) await requireManufacturer(trx, orgId, input.manufacturerId, '/body/manufacturerId');
      patch.manufacturer_id = input.manufacturerId;
    }
    if (input.eolMonths !== undefined) patch.eol_months = input.eolMonths;
    if (defaults !== undefined) patch.default_custom_fields = defaults;
    const merged = { ...before, ...patch };
    const changes = events.diff<ModelSnap>(modelSnap(before), modelSnap(merged), MODEL_FIELDS);
    if (!Object.keys(changes).length) return toModelDto(before);
    if (changes.name || changes.manufacturerId) {
      const other = await repo.findModelByName(trx, orgId, merged.name, merged.manufacturer_id, id);
      if (other) throw duplicateModel(other);
    }
    const now = nowIso();
    try {
      // Category and manufacturer changes reach the model's assets through ON UPDATE CASCADE.
      await repo.updateModel(trx, orgId, id, {
        name: merged.name, model_number: merged.model_number, category_id: merged.category_id, manufacturer_id: merged.manufacturer_id,
        eol_months: merged.eol_months, default_custom_fields: merged.default_custom_fields, updated_at: now,
      });
      if (changes.manufacturerId && merged.manufacturer_id && !before.manufacturer_id) {
        await repo.fillAssetManufacturer(trx, orgId, id, merged.manufacturer_id, now);
      }
    } catch (err) {
      if (isUniqueViolation(err) && !/assets_serial_uq|assets\.serial/.test(violatedConstraint(err))) throw duplicateModel({ id: '', name: merged.name });
      serialCollision(err);
    }
    const affected = changes.categoryId || changes.manufacturerId ? (await repo.modelUsage(trx, orgId, id)) : null;
    await events.record(trx, ctx, {
      action: 'model.updated', entityType: 'model', entityId: id, changes,
      ...(affected ? { meta: { assetsAffected: affected.assets + affected.deletedAssets } } : {}),
    });
    return toModelDto(await requireModelRow(trx, orgId, id));
  });
}

export async function deleteModel(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const before = await requireModelRow(trx, orgId, id);
    refuseDeleteWhileUsed('model', before.name, await repo.modelUsage(trx, orgId, id), 'move its assets to another model first.');
    await repo.deleteModel(trx, orgId, id);
    await events.record(trx, ctx, { action: 'model.deleted', entityType: 'model', entityId: id, changes: events.diff<ModelSnap>(modelSnap(before), null, MODEL_FIELDS) });
  });
}
