/**
 * The asset record: create (tag generation, uniqueness of tag and serial, derived dates, custom
 * fields, initial media), detail, partial update, soft delete and restore, children, media and
 * attachments. State changes after creation belong to the lifecycle module; the list to search.
 */
import { parseJsonObject } from '../../lib/json.js';
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import type { AssetMediaTable } from '../../db/schema.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { AppError, conflict, notFound, unprocessable, type FieldError } from '../../errors.js';
import { fromDbBool, isUniqueViolation, violatedConstraint } from '../../db/dialect.js';
import { newId, nowIso } from '../../lib/ids.js';
import * as uploads from '../../lib/uploads.js';
import * as events from '../events/events.service.js';
import * as catalog from '../catalog/catalog.service.js';
import * as fields from '../fields/fields.service.js';
import * as provenance from '../provenance/provenance.service.js';
import * as repo from './assets.repository.js';
import {
  ATTACHMENT_KINDS,
  type AssetDetailDto, type AssetDto, type AssetPatch, type AttachmentDto, type AttachmentKind, type CreateAssetInput,
  type CreateMediumInput, type LifecycleState, type MediumDto, type ModelImageDto, type UpdateMediumInput,
} from './assets.schemas.js';

export type { AssetDto, AssetDetailDto, AssetPatch } from './assets.schemas.js';

const minorDigitsCache = new Map<string, number>();

/** Decimal places of a currency's minor unit (EUR 2, JPY 0, BHD 3); 2 when unknown or unset. */
export function minorDigits(currency: string | null): number {
  if (!currency) return 2;
  let digits = minorDigitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2; // not an ISO 4217 code
    }
    minorDigitsCache.set(currency, digits);
  }
  return digits;
}

export const toMajorUnits = (minor: number | null, currency: string | null): number | null =>
  minor === null ? null : Number(minor) / 10 ** minorDigits(currency);

export const toAssetDto = (r: repo.AssetRow): AssetDto => ({
  id: r.id,
  assetTag: r.asset_tag,
  serial: r.serial,
  name: r.name,
  // Only the app writes this column, always from LIFECYCLE_STATES.
  lifecycleState: r.lifecycle_state as LifecycleState,
  model: { id: r.model_id, name: r.model_name },
  category: { id: r.category_id, name: r.category_name },
  manufacturer: r.manufacturer_id ? { id: r.manufacturer_id, name: r.manufacturer_name ?? '' } : null,
  location: r.location_id ? { id: r.location_id, name: r.location_name ?? '' } : null,
  purchaseDate: r.purchase_date,
  purchaseCost: toMajorUnits(r.purchase_cost_minor, r.currency),
  currency: r.currency,
  warrantyEnd: r.warranty_end,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});


const toMediumDto = (m: AssetMediaTable): MediumDto => ({
  id: m.id,
  mediaType: m.media_type as MediumDto['mediaType'],
  serial: m.serial, model: m.model, manufacturer: m.manufacturer,
  capacityBytes: m.capacity_bytes === null ? null : Number(m.capacity_bytes),
  interface: m.interface,
  status: m.status as MediumDto['status'],
  source: m.source, notes: m.notes, createdAt: m.created_at, updatedAt: m.updated_at,
});

const toAttachmentDto = (a: repo.AttachmentRow): AttachmentDto => ({
  id: a.id,
  kind: (ATTACHMENT_KINDS as readonly string[]).includes(a.kind) ? (a.kind as AttachmentKind) : 'other',
  fileName: a.file_name, contentType: a.content_type, sizeBytes: Number(a.size_bytes), sha256: a.sha256,
  uploadedBy: a.uploaded_by ? { id: a.uploaded_by, displayName: a.uploader_name ?? '' } : null,
  createdAt: a.created_at,
});

// ---------- small helpers: text, dates, money ----------

const clean = (v: string | null | undefined): string | null => (v === undefined || v === null || !v.trim() ? null : v.trim());

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` + n months; the day is clamped to the target month's length (Jan 31 + 1 → Feb 28/29). */
export function addMonths(date: string, months: number): string {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`not a date: ${date}`);
  const total = Number(m[1]) * 12 + (Number(m[2]) - 1) + months;
  const year = Math.floor(total / 12);
  const month = total % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(Number(m[3]), lastDay);
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

let knownCurrencies: Set<string> | null = null;
const isCurrency = (c: string) => (knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'))).has(c);

/** Major units → minor units of the currency, or a field error (negative, too many decimals, too large). */
export function toMinor(major: number, currency: string | null, path: string, errors: FieldError[]): number | null {
  if (major < 0) {
    errors.push({ path, message: 'must not be negative', code: 'minimum' });
    return null;
  }
  const digits = minorDigits(currency);
  const scaled = major * 10 ** digits;
  const minor = Math.round(scaled);
  if (Math.abs(minor - scaled) > 1e-6 * Math.max(1, Math.abs(scaled))) {
    errors.push({ path, message: `must have at most ${digits} decimal place(s) in ${currency ?? 'this currency'}`, code: 'multipleOf' });
    return null;
  }
  if (!Number.isSafeInteger(minor)) {
    errors.push({ path, message: 'is too large', code: 'maximum' });
    return null;
  }
  return minor;
}

const invalid = (errors: FieldError[]) => unprocessable('asset.invalid', 'The asset is not valid; see errors.', errors);

// ---------- event snapshots ----------

export type Flat = Record<string, unknown>;

export function snapshot(a: repo.AssetRecord): Flat {
  const out: Flat = {
    assetTag: a.asset_tag, serial: a.serial, name: a.name, modelId: a.model_id, categoryId: a.category_id,
    manufacturerId: a.manufacturer_id, locationId: a.location_id, defaultLocationId: a.default_location_id,
    supplierId: a.supplier_id, departmentId: a.department_id, parentAssetId: a.parent_asset_id,
    purchaseDate: a.purchase_date, purchaseCost: toMajorUnits(a.purchase_cost_minor, a.currency), currency: a.currency,
    orderNumber: a.order_number, invoiceNumber: a.invoice_number, warrantyEnd: a.warranty_end, eolDate: a.eol_date, notes: a.notes,
  };
  for (const [k, v] of Object.entries(parseJsonObject(a.custom_fields))) out[`customFields.${k}`] = v;
  return out;
}

/** Values whose JSON texts differ exactly when the values are not `===` (so no JSON is needed to compare them). */
const scalar = (v: unknown): boolean => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** Field-level before/after of two flat snapshots (custom fields as `customFields.<key>`). */
export function flatDiff(before: Flat | null, after: Flat | null): events.Changes {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const out: events.Changes = {};
  for (const k of keys) {
    const b = before?.[k] ?? null;
    const a = after?.[k] ?? null;
    if (b === a) continue;
    if ((scalar(b) && scalar(a)) || JSON.stringify(b) !== JSON.stringify(a)) out[k] = { before: b, after: a };
  }
  return out;
}

// ---------- reads ----------

function checkIncludeDeleted(ctx: Ctx, includeDeleted: boolean | undefined): boolean {
  if (includeDeleted) authorize(ctx.actor, 'asset.delete');
  return !!includeDeleted;
}

/** The full detail of one asset (see the contract): a constant number of statements. */
export async function detail(db: Executor, orgId: string, id: string, opts: { includeDeleted?: boolean } = {}): Promise<AssetDetailDto> {
  const r = await repo.findAssetDetail(db, orgId, id, opts);
  if (!r) throw notFound('asset');
  const [media, childCount, attachmentCount, assignment] = [
    await repo.listMedia(db, orgId, id), await repo.countChildren(db, orgId, id),
    await repo.countAttachments(db, orgId, 'asset', id), await repo.openAssignment(db, orgId, id),
  ];
  let currentAssignment: AssetDetailDto['currentAssignment'] = null;
  if (assignment) {
    const targetType = assignment.target_type as 'user' | 'location' | 'asset';
    const target = targetType === 'user'
      ? { id: assignment.target_user_id ?? '', label: assignment.user_label ?? '' }
      : targetType === 'location'
        ? { id: assignment.target_location_id ?? '', label: assignment.location_label ?? '' }
        : { id: assignment.target_asset_id ?? '', label: assignment.asset_label ?? '' };
    currentAssignment = {
      id: assignment.id, targetType, target, checkedOutAt: assignment.checked_out_at, expectedReturnAt: assignment.expected_return_at,
      acceptance: assignment.acceptance_id ? { id: assignment.acceptance_id, status: assignment.acceptance_status ?? 'pending' } : null,
    };
  }
  return {
    ...toAssetDto(r),
    notes: r.notes, orderNumber: r.order_number, invoiceNumber: r.invoice_number, eolDate: r.eol_date,
    supplier: r.supplier_id ? { id: r.supplier_id, name: r.supplier_name ?? '' } : null,
    department: r.department_id ? { id: r.department_id, name: r.department_name ?? '' } : null,
    defaultLocation: r.default_location_id ? { id: r.default_location_id, name: r.default_location_name ?? '' } : null,
    parent: r.parent_asset_id ? { id: r.parent_asset_id, assetTag: r.parent_tag ?? '' } : null,
    childCount, customFields: parseJsonObject(r.custom_fields), media: media.map(toMediumDto), attachmentCount,
    currentAssignment, deletedAt: r.deleted_at, dataBearing: fromDbBool(r.data_bearing),
  };
}

export async function get(ctx: Ctx, id: string, q: { includeDeleted?: boolean } = {}): Promise<AssetDetailDto> {
  authorize(ctx.actor, 'asset.read');
  return detail(ctx.db, orgOf(ctx), id, { includeDeleted: checkIncludeDeleted(ctx, q.includeDeleted) });
}

export async function children(ctx: Ctx, id: string, q: { includeDeleted?: boolean } = {}): Promise<AssetDto[]> {
  authorize(ctx.actor, 'asset.read');
  const orgId = orgOf(ctx);
  const includeDeleted = checkIncludeDeleted(ctx, q.includeDeleted);
  if (!(await repo.findAsset(ctx.db, orgId, id, { includeDeleted }))) throw notFound('asset');
  return (await repo.listChildren(ctx.db, orgId, id, { includeDeleted })).map(toAssetDto);
}

/** A live (not deleted) asset of the organization, or 404 with the field path. */
async function requireLive(db: Executor, orgId: string, id: string, path?: string): Promise<repo.AssetRecord> {
  const a = await repo.findRaw(db, orgId, id);
  if (!a || a.deleted_at) throw notFound('asset', path);
  return a;
}

/** True when `candidateId` is `ancestorId` itself or sits anywhere below it in the parent chain. */
export async function isSelfOrDescendant(db: Executor, orgId: string, ancestorId: string, candidateId: string): Promise<boolean> {
  let current: string | null | undefined = candidateId;
  for (let depth = 0; current && depth < 1000; depth++) {
    if (current === ancestorId) return true;
    current = await repo.parentOf(db, orgId, current);
  }
  return false;
}

// ---------- uniqueness of tag and serial ----------

function duplicateTag(other: { id: string; asset_tag: string; deleted_at: string | null }, path: string) {
  return conflict('asset.duplicate_tag', `The tag ${other.asset_tag} is already used by ${other.deleted_at ? 'a deleted asset (restore it instead)' : 'another asset'}.`,
    { conflict: { id: other.id, assetTag: other.asset_tag, deleted: !!other.deleted_at } },
    [{ path, message: `is already used by ${other.asset_tag}`, code: 'duplicate' }]);
}

function duplicateSerial(other: { id: string; asset_tag: string; deleted_at: string | null }, serial: string, path: string) {
  return conflict('asset.duplicate_serial', `Serial ${serial} is already recorded for ${other.asset_tag}${other.deleted_at ? ' (deleted)' : ''} of the same manufacturer.`,
    { conflict: { id: other.id, assetTag: other.asset_tag, deleted: !!other.deleted_at } },
    [{ path, message: `is already used by ${other.asset_tag}`, code: 'duplicate' }]);
}

/** Maps a unique violation that slipped past the checks (a concurrent writer) to the named 409. */
async function mapUniqueViolation(err: unknown, trx: Executor, orgId: string, row: { id: string; asset_tag: string; serial: string | null; manufacturer_id: string | null }, prefix: string): Promise<never> {
  if (isUniqueViolation(err)) {
    const which = violatedConstraint(err);
    if (/serial/.test(which) && row.serial) {
      const other = await repo.findBySerial(trx, orgId, row.manufacturer_id, row.serial, row.id);
      if (other) throw duplicateSerial(other, row.serial, `${prefix}/serial`);
    }
    const other = await repo.findByTag(trx, orgId, row.asset_tag);
    if (other && other.id !== row.id) throw duplicateTag(other, `${prefix}/assetTag`);
  }
  throw err;
}

const PLACEHOLDER = /\{(0+)\}/;

/**
 * Next free tag of a pattern (`LAP-{00000}` → `LAP-00042`): the counter row is incremented in the
 * caller's transaction (atomic; concurrent creators queue on the row), tags already taken by hand
 * are skipped.
 */
async function generateTag(trx: Executor, orgId: string, pattern: string, prefix: string): Promise<string> {
  const m = PLACEHOLDER.exec(pattern);
  if (!m) {
    throw invalid([{ path: `${prefix}/assetTag`, message: `is required: the tag pattern "${pattern}" has no counter such as {00000}`, code: 'required' }]);
  }
  const width = m[1]!.length;
  await repo.ensureCounter(trx, orgId, pattern);
  for (let i = 0; i < 100_000; i++) {
    const n = await repo.takeCounter(trx, orgId, pattern);
    const tag = pattern.replace(PLACEHOLDER, String(n).padStart(width, '0'));
    if (!(await repo.findByTag(trx, orgId, tag))) return tag;
  }
  throw conflict('asset.tag_exhausted', `No free tag found for the pattern "${pattern}"; enter a tag.`);
}

// ---------- shared validation of create and update ----------

interface Refs { locationId?: string | null; defaultLocationId?: string | null; supplierId?: string | null; departmentId?: string | null }

/** Each given reference must be a row of this organization (404 with the field path). */
async function checkRefs(trx: Executor, orgId: string, input: Refs, prefix: string): Promise<void> {
  if (input.locationId) await catalog.requireLocation(trx, orgId, input.locationId, `${prefix}/locationId`);
  if (input.defaultLocationId) await catalog.requireLocation(trx, orgId, input.defaultLocationId, `${prefix}/defaultLocationId`);
  if (input.supplierId) await catalog.requireSupplier(trx, orgId, input.supplierId, `${prefix}/supplierId`);
  if (input.departmentId && !(await repo.findDepartment(trx, orgId, input.departmentId))) throw notFound('department', `${prefix}/departmentId`);
}

export function checkCurrency(currency: string | null, prefix: string, errors: FieldError[]): string | null {
  if (currency === null) return null;
  const c = currency.toUpperCase();
  if (!isCurrency(c)) errors.push({ path: `${prefix}/currency`, message: `"${currency}" is not an ISO 4217 currency code`, code: 'enum' });
  return c;
}

// ---------- create ----------

export async function create(ctx: Ctx, input: CreateAssetInput): Promise<AssetDetailDto> {
  authorize(ctx.actor, 'asset.write');
  return ctx.db.transaction().execute(async (trx) => detail(trx, orgOf(ctx), await createInTransaction(trx, ctx, input, '/body')));
}

/**
 * Creates an asset inside the caller's transaction with the rules and events of `POST /assets`
 * (the caller authorizes); returns its id. Discovery and imports create assets through here.
 */
export async function createInTransaction(trx: Executor, ctx: Ctx, input: CreateAssetInput, prefix: string): Promise<string> {
  const orgId = orgOf(ctx);
  {
    const errors: FieldError[] = [];
    const currency = checkCurrency(clean(input.currency), prefix, errors);
    const purchaseCostMinor = input.purchaseCost === undefined || input.purchaseCost === null ? null : toMinor(input.purchaseCost, currency, `${prefix}/purchaseCost`, errors);
    const purchaseDate = input.purchaseDate ?? null;
    let warrantyEnd = input.warrantyEnd ?? null;
    if (input.warrantyMonths !== undefined) {
      if (input.warrantyEnd !== undefined && input.warrantyEnd !== null) errors.push({ path: `${prefix}/warrantyMonths`, message: 'give either warrantyEnd or warrantyMonths, not both', code: 'conflict' });
      else if (!purchaseDate) errors.push({ path: `${prefix}/warrantyMonths`, message: 'needs a purchaseDate to count from', code: 'required' });
      else warrantyEnd = addMonths(purchaseDate, input.warrantyMonths);
    }
    if (errors.length) throw invalid(errors);

    const model = await catalog.requireModel(trx, orgId, input.modelId, `${prefix}/modelId`);
    await checkRefs(trx, orgId, input, prefix);
    const parentAssetId = input.parentAssetId ?? null;
    if (parentAssetId) await requireLive(trx, orgId, parentAssetId, `${prefix}/parentAssetId`);

    // Custom fields: the model's defaults (for fields the category has) first, then the input.
    const defs = await fields.definitions(trx, orgId, model.categoryId);
    const known = new Set(defs.map((f) => f.key));
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(model.defaultCustomFields)) if (known.has(k)) values[k] = v;
    Object.assign(values, input.customFields ?? {});
    const id = newId();
    const custom = await fields.validateValues(trx, orgId, model.categoryId, values, { assetId: id, pathPrefix: `${prefix}/customFields` });

    const serial = clean(input.serial);
    if (serial) {
      const other = await repo.findBySerial(trx, orgId, model.manufacturerId, serial);
      if (other) throw duplicateSerial(other, serial, `${prefix}/serial`);
    }
    const givenTag = clean(input.assetTag);
    let assetTag: string;
    if (givenTag) {
      const other = await repo.findByTag(trx, orgId, givenTag);
      if (other) throw duplicateTag(other, `${prefix}/assetTag`);
      assetTag = givenTag;
    } else {
      assetTag = await generateTag(trx, orgId, model.category.tagPattern ?? await repo.orgTagPattern(trx, orgId), prefix);
    }

    const locationId = input.locationId !== undefined && input.locationId !== null ? input.locationId : (input.defaultLocationId ?? null);
    const now = nowIso();
    const row: repo.AssetRecord = {
      id, org_id: orgId, asset_tag: assetTag, serial, name: clean(input.name), model_id: model.id, category_id: model.categoryId,
      manufacturer_id: model.manufacturerId, lifecycle_state: input.lifecycleState ?? 'in_stock', location_id: locationId,
      default_location_id: input.defaultLocationId ?? null, supplier_id: input.supplierId ?? null, department_id: input.departmentId ?? null,
      purchase_date: purchaseDate, purchase_cost_minor: purchaseCostMinor, currency,
      order_number: clean(input.orderNumber), invoice_number: clean(input.invoiceNumber), warranty_end: warrantyEnd,
      eol_date: input.eolDate ?? (purchaseDate && model.eolMonths !== null ? addMonths(purchaseDate, model.eolMonths) : null),
      notes: clean(input.notes), parent_asset_id: parentAssetId, custom_fields: JSON.stringify(custom.json), created_at: now, updated_at: now,
      deleted_at: null,
    };
    try {
      await repo.insertAsset(trx, row);
    } catch (err) {
      await mapUniqueViolation(err, trx, orgId, row, prefix);
    }
    await fields.writeIndex(trx, orgId, id, custom.index);
    await events.record(trx, ctx, {
      action: 'asset.created', entityType: 'asset', entityId: id,
      changes: flatDiff(null, { ...snapshot(row), lifecycleState: row.lifecycle_state }),
    });
    await provenance.recordWrites(trx, ctx, id, (['name', 'serial', 'modelId', 'parentAssetId'] as const).filter((f) => input[f]));
    const media = (input.media ?? []).map((m) => mediumRow(orgId, id, m, now));
    await repo.insertMedia(trx, media);
    for (const m of media) await recordMedium(trx, ctx, 'asset.media_added', id, m.id, null, toMediumDto(m));
    return id;
  }
}

// ---------- update ----------

/**
 * Applies a partial update inside the caller's transaction, with the same rules and event as
 * `PATCH /assets/:id`; error paths start with `pathPrefix` (`/body` for PATCH, `/body/set` for
 * bulk edit). Returns the field-level changes (empty when nothing changed: no write, no event).
 */
export async function updateInTransaction(trx: Executor, ctx: Ctx, assetId: string, patch: AssetPatch, pathPrefix: string): Promise<events.Changes> {
  authorize(ctx.actor, 'asset.write');
  const orgId = orgOf(ctx);
  const before = await requireLive(trx, orgId, assetId);
  const next: repo.AssetRecord = { ...before };
  const errors: FieldError[] = [];
  const p = pathPrefix;

  if (patch.assetTag !== undefined) {
    const tag = clean(patch.assetTag);
    if (!tag) errors.push({ path: `${p}/assetTag`, message: 'must not be empty', code: 'required' });
    else next.asset_tag = tag;
  }
  if (patch.serial !== undefined) next.serial = clean(patch.serial);
  if (patch.name !== undefined) next.name = clean(patch.name);
  if (patch.notes !== undefined) next.notes = clean(patch.notes);
  if (patch.orderNumber !== undefined) next.order_number = clean(patch.orderNumber);
  if (patch.invoiceNumber !== undefined) next.invoice_number = clean(patch.invoiceNumber);
  if (patch.purchaseDate !== undefined) next.purchase_date = patch.purchaseDate;

  // Money: a new currency re-expresses the stored cost unless a new cost is given too.
  if (patch.currency !== undefined) next.currency = checkCurrency(clean(patch.currency), p, errors);
  if (patch.purchaseCost !== undefined) {
    next.purchase_cost_minor = patch.purchaseCost === null ? null : toMinor(patch.purchaseCost, next.currency, `${p}/purchaseCost`, errors);
  } else if (next.currency !== before.currency && before.purchase_cost_minor !== null && !errors.length) {
    next.purchase_cost_minor = toMinor(toMajorUnits(before.purchase_cost_minor, before.currency) ?? 0, next.currency, `${p}/currency`, errors);
  }

  if (patch.warrantyEnd !== undefined) next.warranty_end = patch.warrantyEnd;
  if (patch.warrantyMonths !== undefined) {
    if (patch.warrantyEnd !== undefined && patch.warrantyEnd !== null) errors.push({ path: `${p}/warrantyMonths`, message: 'give either warrantyEnd or warrantyMonths, not both', code: 'conflict' });
    else if (!next.purchase_date) errors.push({ path: `${p}/warrantyMonths`, message: 'needs a purchaseDate to count from', code: 'required' });
    else next.warranty_end = addMonths(next.purchase_date, patch.warrantyMonths);
  }
  if (patch.parentAssetId !== undefined && patch.parentAssetId === assetId) {
    errors.push({ path: `${p}/parentAssetId`, message: 'an asset cannot be its own parent', code: 'cycle' });
  }
  if (errors.length) throw invalid(errors);

  // References.
  const oldModel = await catalog.requireModel(trx, orgId, before.model_id);
  const model = patch.modelId !== undefined && patch.modelId !== before.model_id ? await catalog.requireModel(trx, orgId, patch.modelId, `${p}/modelId`) : oldModel;
  next.model_id = model.id;
  next.category_id = model.categoryId;
  next.manufacturer_id = model.manufacturerId;
  await checkRefs(trx, orgId, patch, p);
  if (patch.locationId !== undefined) next.location_id = patch.locationId;
  if (patch.defaultLocationId !== undefined) {
    next.default_location_id = patch.defaultLocationId;
    // Only the default location given: the current one follows it, unless the asset is out with someone.
    if (patch.locationId === undefined && patch.defaultLocationId !== null && !(await repo.openAssignment(trx, orgId, assetId))) {
      next.location_id = patch.defaultLocationId;
    }
  }
  if (patch.supplierId !== undefined) next.supplier_id = patch.supplierId;
  if (patch.departmentId !== undefined) next.department_id = patch.departmentId;
  if (patch.parentAssetId !== undefined) {
    if (patch.parentAssetId) {
      await requireLive(trx, orgId, patch.parentAssetId, `${p}/parentAssetId`);
      if (await isSelfOrDescendant(trx, orgId, assetId, patch.parentAssetId)) {
        throw invalid([{ path: `${p}/parentAssetId`, message: 'would create a cycle: it is this asset or one of its descendants', code: 'cycle' }]);
      }
    }
    next.parent_asset_id = patch.parentAssetId;
  }

  // End of life: explicit wins; otherwise re-derived when it was derived (or empty) and its inputs changed.
  if (patch.eolDate !== undefined) {
    next.eol_date = patch.eolDate;
  } else if (next.purchase_date !== before.purchase_date || model.id !== oldModel.id) {
    const derivedBefore = before.purchase_date && oldModel.eolMonths !== null ? addMonths(before.purchase_date, oldModel.eolMonths) : null;
    if (before.eol_date === null || before.eol_date === derivedBefore) {
      next.eol_date = next.purchase_date && model.eolMonths !== null ? addMonths(next.purchase_date, model.eolMonths) : null;
    }
  }

  // Custom fields: revalidated when given or when the category changed. Values of keys the
  // category does not have (kept from an earlier category) are carried along untouched.
  let index: fields.IndexEntry[] | null = null;
  if (patch.customFields !== undefined || next.category_id !== before.category_id) {
    const defs = await fields.definitions(trx, orgId, next.category_id);
    const known = new Set(defs.map((f) => f.key));
    const stored = parseJsonObject(before.custom_fields);
    const carried: Record<string, unknown> = {};
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(stored)) (known.has(k) ? values : carried)[k] = v;
    if (model.id !== oldModel.id) for (const [k, v] of Object.entries(model.defaultCustomFields)) if (known.has(k) && !(k in values)) values[k] = v;
    for (const [k, v] of Object.entries(patch.customFields ?? {})) {
      if (!known.has(k) && k in carried && v === null) delete carried[k];
      else values[k] = v;
    }
    const custom = await fields.validateValues(trx, orgId, next.category_id, values, { assetId, pathPrefix: `${p}/customFields` });
    next.custom_fields = JSON.stringify({ ...carried, ...custom.json });
    index = custom.index;
  }

  if (next.asset_tag !== before.asset_tag) {
    const other = await repo.findByTag(trx, orgId, next.asset_tag);
    if (other && other.id !== assetId) throw duplicateTag(other, `${p}/assetTag`);
  }
  if (next.serial && (next.serial !== before.serial || next.manufacturer_id !== before.manufacturer_id)) {
    const other = await repo.findBySerial(trx, orgId, next.manufacturer_id, next.serial, assetId);
    if (other) throw duplicateSerial(other, next.serial, `${p}/serial`);
  }

  // Every stored column is in the snapshot, so no change there means nothing to write.
  const changes = flatDiff(snapshot(before), snapshot(next));
  if (!Object.keys(changes).length) return {};
  const { id: _id, org_id: _org, created_at: _created, deleted_at: _deleted, ...rest } = next;
  try {
    await repo.updateAsset(trx, orgId, assetId, { ...rest, updated_at: nowIso() });
  } catch (err) {
    await mapUniqueViolation(err, trx, orgId, next, p);
  }
  if (index) await fields.writeIndex(trx, orgId, assetId, index);
  await events.record(trx, ctx, { action: 'asset.updated', entityType: 'asset', entityId: assetId, changes });
  await provenance.recordWrites(trx, ctx, assetId, Object.keys(changes));
  return changes;
}

export async function update(ctx: Ctx, id: string, patch: AssetPatch): Promise<AssetDetailDto> {
  authorize(ctx.actor, 'asset.write');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    await updateInTransaction(trx, ctx, id, patch, '/body');
    return detail(trx, orgId, id);
  });
}

// ---------- delete and restore ----------

/** Soft delete (an asset created in error): refused while it is checked out, holds others, or has children. */
export async function remove(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'asset.delete');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const a = await requireLive(trx, orgId, id);
    const open = await repo.openAssignment(trx, orgId, id);
    if (open) {
      const holder = open.user_label ?? open.location_label ?? open.asset_label ?? '';
      throw conflict('asset.checked_out', `${a.asset_tag} is checked out to ${holder}; check it in before deleting it.`, {
        holder: { type: open.target_type, id: open.target_user_id ?? open.target_location_id ?? open.target_asset_id, label: holder }, assignmentId: open.id,
      });
    }
    const held = await repo.heldAssets(trx, orgId, id, 10);
    if (held.length) {
      throw conflict('asset.holds_assets', `${a.asset_tag} has assets checked out to it (${held.map((h) => h.asset_tag).join(', ')}); check them in first.`, {
        assets: held.map((h) => ({ id: h.id, assetTag: h.asset_tag })),
      });
    }
    const kids = await repo.liveChildren(trx, orgId, id, 10);
    if (kids.length) {
      const total = await repo.countChildren(trx, orgId, id);
      throw conflict('asset.has_children', `${a.asset_tag} has ${total} child asset(s) (${kids.map((k) => k.asset_tag).join(', ')}${total > kids.length ? ', …' : ''}); move or delete them first.`, {
        childCount: total, children: kids.map((k) => ({ id: k.id, assetTag: k.asset_tag })),
      });
    }
    const now = nowIso();
    await repo.updateAsset(trx, orgId, id, { deleted_at: now, updated_at: now });
    await events.record(trx, ctx, { action: 'asset.deleted', entityType: 'asset', entityId: id, changes: { deletedAt: { before: null, after: now } }, meta: { assetTag: a.asset_tag } });
  });
}

export async function restore(ctx: Ctx, id: string): Promise<AssetDetailDto> {
  authorize(ctx.actor, 'asset.delete');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const a = await repo.findRaw(trx, orgId, id);
    if (!a) throw notFound('asset');
    if (!a.deleted_at) throw conflict('asset.not_deleted', `${a.asset_tag} is not deleted.`);
    if (a.parent_asset_id) {
      const parent = await repo.findRaw(trx, orgId, a.parent_asset_id);
      if (parent?.deleted_at) {
        throw conflict('asset.parent_deleted', `${a.asset_tag} belongs to ${parent.asset_tag}, which is deleted; restore that first.`, { parent: { id: parent.id, assetTag: parent.asset_tag } });
      }
    }
    await repo.updateAsset(trx, orgId, id, { deleted_at: null, updated_at: nowIso() });
    await events.record(trx, ctx, { action: 'asset.restored', entityType: 'asset', entityId: id, changes: { deletedAt: { before: a.deleted_at, after: null } }, meta: { assetTag: a.asset_tag } });
    return detail(trx, orgId, id);
  });
}

// ---------- media ----------

function mediumRow(orgId: string, assetId: string, m: CreateMediumInput, now: string): AssetMediaTable {
  return {
    id: newId(), org_id: orgId, asset_id: assetId, media_type: m.mediaType, serial: clean(m.serial), model: clean(m.model),
    manufacturer: clean(m.manufacturer), capacity_bytes: m.capacityBytes ?? null, interface: clean(m.interface),
    status: 'installed', source: 'manual', notes: clean(m.notes), created_at: now, updated_at: now,
  };
}

const MEDIUM_FIELDS = ['mediaType', 'serial', 'model', 'manufacturer', 'capacityBytes', 'interface', 'status', 'notes'] as const;

async function recordMedium(trx: Executor, ctx: Ctx, action: string, assetId: string, mediumId: string, before: MediumDto | null, after: MediumDto | null): Promise<void> {
  const changes: events.Changes = {};
  for (const [k, v] of Object.entries(events.diff<MediumDto>(before, after, MEDIUM_FIELDS))) changes[`media.${k}`] = v;
  await events.record(trx, ctx, { action, entityType: 'asset', entityId: assetId, changes, meta: { mediumId } });
}

export async function listMedia(ctx: Ctx, assetId: string): Promise<MediumDto[]> {
  authorize(ctx.actor, 'asset.read');
  const orgId = orgOf(ctx);
  await requireLive(ctx.db, orgId, assetId);
  return (await repo.listMedia(ctx.db, orgId, assetId)).map(toMediumDto);
}

export async function addMedium(ctx: Ctx, assetId: string, input: CreateMediumInput): Promise<MediumDto> {
  authorize(ctx.actor, 'asset.write');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    await requireLive(trx, orgId, assetId);
    const row = mediumRow(orgId, assetId, input, nowIso());
    await repo.insertMedia(trx, [row]);
    const dto = toMediumDto(row);
    await recordMedium(trx, ctx, 'asset.media_added', assetId, row.id, null, dto);
    return dto;
  });
}

/** Media of an asset on its way out (or gone) are evidence for disposal: no longer edited by hand. */
function assertMediaEditable(a: repo.AssetRecord): void {
  if (a.lifecycle_state === 'pending_disposition' || a.lifecycle_state === 'disposed') {
    throw conflict('asset.media_locked', `${a.asset_tag} is ${a.lifecycle_state}; its media can no longer be changed.`, { state: a.lifecycle_state });
  }
}

async function requireMedium(db: Executor, orgId: string, assetId: string, mediumId: string): Promise<AssetMediaTable> {
  const m = await repo.findMedium(db, orgId, assetId, mediumId);
  if (!m) throw notFound('medium');
  return m;
}

export async function updateMedium(ctx: Ctx, assetId: string, mediumId: string, input: UpdateMediumInput): Promise<MediumDto> {
  authorize(ctx.actor, 'asset.write');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    assertMediaEditable(await requireLive(trx, orgId, assetId));
    const before = await requireMedium(trx, orgId, assetId, mediumId);
    if (input.status !== undefined && (before.status === 'sanitized' || before.status === 'destroyed')) {
      throw conflict('asset.medium_final', `This medium is ${before.status}; its status comes from the sanitization record.`, { status: before.status }, [
        { path: '/body/status', message: `cannot change a ${before.status} medium`, code: 'final' },
      ]);
    }
    const patch: Partial<AssetMediaTable> = {};
    if (input.mediaType !== undefined) patch.media_type = input.mediaType;
    if (input.serial !== undefined) patch.serial = clean(input.serial);
    if (input.model !== undefined) patch.model = clean(input.model);
    if (input.manufacturer !== undefined) patch.manufacturer = clean(input.manufacturer);
    if (input.capacityBytes !== undefined) patch.capacity_bytes = input.capacityBytes;
    if (input.interface !== undefined) patch.interface = clean(input.interface);
    if (input.notes !== undefined) patch.notes = clean(input.notes);
    if (input.status !== undefined) patch.status = input.status;
    const afterRow = { ...before, ...patch };
    const changed = (Object.keys(patch) as (keyof AssetMediaTable)[]).some((k) => patch[k] !== before[k]);
    if (!changed) return toMediumDto(before);
    afterRow.updated_at = nowIso();
    await repo.updateMedium(trx, orgId, mediumId, { ...patch, updated_at: afterRow.updated_at });
    const dto = toMediumDto(afterRow);
    await recordMedium(trx, ctx, 'asset.media_updated', assetId, mediumId, toMediumDto(before), dto);
    return dto;
  });
}

export async function removeMedium(ctx: Ctx, assetId: string, mediumId: string): Promise<void> {
  authorize(ctx.actor, 'asset.write');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    assertMediaEditable(await requireLive(trx, orgId, assetId));
    const before = await requireMedium(trx, orgId, assetId, mediumId);
    await repo.deleteMedium(trx, orgId, mediumId);
    await recordMedium(trx, ctx, 'asset.media_removed', assetId, mediumId, toMediumDto(before), null);
  });
}

// ---------- attachments ----------

export async function listAttachments(ctx: Ctx, assetId: string): Promise<AttachmentDto[]> {
  authorize(ctx.actor, 'asset.read');
  const orgId = orgOf(ctx);
  await requireLive(ctx.db, orgId, assetId);
  return (await repo.listAttachments(ctx.db, orgId, 'asset', assetId)).map(toAttachmentDto);
}

/**
 * `POST /assets/:id/attachments` (multipart: `file`, optional `kind`). The file is streamed to a
 * temporary file and sniffed before the transaction; the transaction inserts the row and its event
 * and moves the file into place as its last step, so a failure leaves neither row nor file.
 */
export async function addAttachment(ctx: Ctx, assetId: string, src: uploads.MultipartSource): Promise<AttachmentDto> {
  authorize(ctx.actor, 'asset.write');
  const orgId = orgOf(ctx);
  await requireLive(ctx.db, orgId, assetId);
  const id = newId();
  const upload = await uploads.receiveUpload(src, { dataDir: ctx.config.dataDir, orgId, id, maxBytes: ctx.config.maxUploadBytes, policy: 'document' });
  try {
    const kind = upload.fields.kind?.trim() || 'other';
    if (!(ATTACHMENT_KINDS as readonly string[]).includes(kind)) {
      throw invalid([{ path: '/body/kind', message: `must be one of ${ATTACHMENT_KINDS.join(', ')}`, code: 'enum' }]);
    }
    return await ctx.db.transaction().execute(async (trx) => {
      await requireLive(trx, orgId, assetId);
      await repo.insertAttachment(trx, {
        id, org_id: orgId, entity_type: 'asset', entity_id: assetId, kind, file_name: upload.fileName, content_type: upload.contentType,
        size_bytes: upload.sizeBytes, sha256: upload.sha256, storage_key: `attachments/${orgId}/${id}`, uploaded_by: ctx.actor.userId, created_at: nowIso(),
      });
      await events.record(trx, ctx, {
        action: 'asset.attachment_added', entityType: 'asset', entityId: assetId,
        changes: { attachments: { before: null, after: upload.fileName } },
        meta: { attachmentId: id, kind, contentType: upload.contentType, sizeBytes: upload.sizeBytes, sha256: upload.sha256 },
      });
      const row = await repo.findAttachment(trx, orgId, id);
      if (!row) throw new Error('attachment vanished');
      await uploads.store(upload, ctx.config.dataDir, orgId, id);
      return toAttachmentDto(row);
    });
  } catch (err) {
    await uploads.discard(upload.tempPath);
    await uploads.discard(uploads.storagePath(ctx.config.dataDir, orgId, id));
    throw err;
  }
}

/** An attachment of a live asset of this organization, or 404. */
async function requireAssetAttachment(db: Executor, orgId: string, id: string): Promise<repo.AttachmentRow> {
  const a = await repo.findAttachment(db, orgId, id);
  if (!a || a.entity_type !== 'asset') throw notFound('attachment');
  const owner = await repo.findRaw(db, orgId, a.entity_id);
  if (!owner || owner.deleted_at) throw notFound('attachment');
  return a;
}

/** What the download route streams. */
export interface StoredFile { path: string; contentType: string; fileName: string; sizeBytes: number; sha256: string }

const storedFile = (dataDir: string, a: repo.AttachmentRow): StoredFile => ({
  path: uploads.storagePath(dataDir, a.org_id, a.id), contentType: a.content_type, fileName: a.file_name, sizeBytes: Number(a.size_bytes), sha256: a.sha256,
});

export async function attachmentContent(ctx: Ctx, id: string): Promise<StoredFile> {
  authorize(ctx.actor, 'asset.read');
  const orgId = orgOf(ctx);
  return storedFile(ctx.config.dataDir, await requireAssetAttachment(ctx.db, orgId, id));
}

export async function removeAttachment(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'asset.write');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const a = await requireAssetAttachment(trx, orgId, id);
    await repo.deleteAttachment(trx, orgId, id);
    await events.record(trx, ctx, {
      action: 'asset.attachment_removed', entityType: 'asset', entityId: a.entity_id,
      changes: { attachments: { before: a.file_name, after: null } }, meta: { attachmentId: id, sha256: a.sha256 },
    });
  });
  // After the commit: a failed transaction must not lose the file.
  await uploads.discard(uploads.storagePath(ctx.config.dataDir, orgId, id));
}

// ---------- model image ----------

/** `PUT /models/:id/image`: PNG, JPEG, GIF or WebP; replaces (and deletes) the previous image. */
export async function putModelImage(ctx: Ctx, modelId: string, src: uploads.MultipartSource): Promise<ModelImageDto> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  await catalog.requireModel(ctx.db, orgId, modelId);
  const id = newId();
  const upload = await uploads.receiveUpload(src, { dataDir: ctx.config.dataDir, orgId, id, maxBytes: ctx.config.maxUploadBytes, policy: 'image' });
  let replaced: string | null = null;
  try {
    const result = await ctx.db.transaction().execute(async (trx) => {
      await catalog.requireModel(trx, orgId, modelId);
      const previous = await repo.modelImageId(trx, orgId, modelId);
      const now = nowIso();
      await repo.insertAttachment(trx, {
        id, org_id: orgId, entity_type: 'model', entity_id: modelId, kind: 'image', file_name: upload.fileName, content_type: upload.contentType,
        size_bytes: upload.sizeBytes, sha256: upload.sha256, storage_key: `attachments/${orgId}/${id}`, uploaded_by: ctx.actor.userId, created_at: now,
      });
      await repo.setModelImage(trx, orgId, modelId, id, now);
      if (previous) await repo.deleteAttachment(trx, orgId, previous);
      await events.record(trx, ctx, {
        action: 'model.image_updated', entityType: 'model', entityId: modelId,
        changes: { image: { before: previous ?? null, after: id } }, meta: { contentType: upload.contentType, sizeBytes: upload.sizeBytes, sha256: upload.sha256 },
      });
      await uploads.store(upload, ctx.config.dataDir, orgId, id);
      replaced = previous ?? null;
      return { modelId, contentType: upload.contentType, sizeBytes: upload.sizeBytes, sha256: upload.sha256, updatedAt: now };
    });
    if (replaced) await uploads.discard(uploads.storagePath(ctx.config.dataDir, orgId, replaced));
    return result;
  } catch (err) {
    await uploads.discard(upload.tempPath);
    await uploads.discard(uploads.storagePath(ctx.config.dataDir, orgId, id));
    throw err;
  }
}

export async function modelImage(ctx: Ctx, modelId: string): Promise<StoredFile> {
  authorize(ctx.actor, 'catalog.read');
  const orgId = orgOf(ctx);
  await catalog.requireModel(ctx.db, orgId, modelId);
  const imageId = await repo.modelImageId(ctx.db, orgId, modelId);
  const a = imageId ? await repo.findAttachment(ctx.db, orgId, imageId) : undefined;
  if (!a) throw new AppError(404, 'model.no_image', 'This model has no image.');
  return storedFile(ctx.config.dataDir, a);
}
