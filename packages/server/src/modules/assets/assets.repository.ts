import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import { first, prepare, rows } from '../../db/prepared.js';
import type { AssetMediaTable, AssetsTable, AttachmentsTable } from '../../db/schema.js';

/** One asset with the names of what it references, as the list and the detail page show it. */
export interface AssetRow {
  id: string;
  asset_tag: string;
  serial: string | null;
  name: string | null;
  lifecycle_state: string;
  model_id: string;
  model_name: string;
  category_id: string;
  category_name: string;
  manufacturer_id: string | null;
  manufacturer_name: string | null;
  location_id: string | null;
  location_name: string | null;
  purchase_date: string | null;
  purchase_cost_minor: number | null;
  currency: string | null;
  warranty_end: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * assets ⋈ model ⋈ category ⟕ manufacturer ⟕ location in one statement (no N+1). The joins are on
 * the primary keys; the composite foreign keys already guarantee those rows are the same tenant's.
 * Deleted assets are left out unless `includeDeleted` (restore, the audit view).
 */
export const withRefs = (db: Executor, orgId: string, opts: { includeDeleted?: boolean } = {}) => {
  const q = db.selectFrom('assets')
    .innerJoin('models', 'models.id', 'assets.model_id')
    .innerJoin('categories', 'categories.id', 'assets.category_id')
    .leftJoin('manufacturers', 'manufacturers.id', 'assets.manufacturer_id')
    .leftJoin('locations', 'locations.id', 'assets.location_id')
    .select([
      'assets.id', 'assets.asset_tag', 'assets.serial', 'assets.name', 'assets.lifecycle_state',
      'assets.model_id', 'models.name as model_name', 'assets.category_id', 'categories.name as category_name',
      'assets.manufacturer_id', 'manufacturers.name as manufacturer_name', 'assets.location_id', 'locations.name as location_name',
      'assets.purchase_date', 'assets.purchase_cost_minor', 'assets.currency', 'assets.warranty_end', 'assets.created_at', 'assets.updated_at',
    ])
    .where('assets.org_id', '=', orgId);
  return opts.includeDeleted ? q : q.where('assets.deleted_at', 'is', null);
};

export const findAsset = (db: Executor, orgId: string, id: string, opts: { includeDeleted?: boolean } = {}): Promise<AssetRow | undefined> =>
  withRefs(db, orgId, opts).where('assets.id', '=', id).executeTakeFirst();

export interface AssetDetailRow extends AssetRow {
  default_location_id: string | null;
  default_location_name: string | null;
  supplier_id: string | null;
  supplier_name: string | null;
  department_id: string | null;
  department_name: string | null;
  parent_asset_id: string | null;
  parent_tag: string | null;
  notes: string | null;
  order_number: string | null;
  invoice_number: string | null;
  eol_date: string | null;
  custom_fields: string;
  deleted_at: string | null;
  data_bearing: number;
}

// The asset page's five statements are built once (db/prepared.ts): building and compiling them
// on every request cost more of the page's time than running them.
const detailQuery = (includeDeleted: boolean) => prepare((db: Executor, orgId: string, id: string) =>
  withRefs(db, orgId, { includeDeleted })
    .leftJoin('locations as dl', 'dl.id', 'assets.default_location_id')
    .leftJoin('suppliers', 'suppliers.id', 'assets.supplier_id')
    .leftJoin('departments', 'departments.id', 'assets.department_id')
    .leftJoin('assets as parent', 'parent.id', 'assets.parent_asset_id')
    .select([
      'assets.default_location_id', 'dl.name as default_location_name', 'assets.supplier_id', 'suppliers.name as supplier_name',
      'assets.department_id', 'departments.name as department_name', 'assets.parent_asset_id', 'parent.asset_tag as parent_tag',
      'assets.notes', 'assets.order_number', 'assets.invoice_number', 'assets.eol_date', 'assets.custom_fields', 'assets.deleted_at',
      'categories.data_bearing',
    ])
    .where('assets.id', '=', id));
const liveDetailQuery = detailQuery(false);
const anyDetailQuery = detailQuery(true);

export const findAssetDetail = (db: Executor, orgId: string, id: string, opts: { includeDeleted?: boolean } = {}): Promise<AssetDetailRow | undefined> =>
  first(db, (opts.includeDeleted ? anyDetailQuery : liveDetailQuery)(db, orgId, id));

/** An `assets` row as stored. */
export type AssetRecord = Selectable<AssetsTable>;

/** The stored row itself (deleted ones included), for the rules of update, delete and restore. */
export const findRaw = (db: Executor, orgId: string, id: string): Promise<AssetRecord | undefined> =>
  db.selectFrom('assets').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const insertAsset = (db: Executor, row: Insertable<AssetsTable>) => db.insertInto('assets').values(row).execute();

export const updateAsset = (db: Executor, orgId: string, id: string, patch: Omit<Updateable<AssetsTable>, 'id' | 'org_id'>) =>
  db.updateTable('assets').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

/** Tag and serial stay reserved by deleted assets, so these look at every row. */
export const findByTag = (db: Executor, orgId: string, tag: string) =>
  db.selectFrom('assets').select(['id', 'asset_tag', 'deleted_at']).where('org_id', '=', orgId).where('asset_tag', '=', tag).executeTakeFirst();

export const findBySerial = (db: Executor, orgId: string, manufacturerId: string | null, serial: string, exceptId?: string) => {
  let q = db.selectFrom('assets').select(['id', 'asset_tag', 'deleted_at']).where('org_id', '=', orgId).where('serial', '=', serial);
  q = manufacturerId === null ? q.where('manufacturer_id', 'is', null) : q.where('manufacturer_id', '=', manufacturerId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.orderBy('asset_tag').limit(1).executeTakeFirst();
};

export const parentOf = async (db: Executor, orgId: string, id: string): Promise<string | null | undefined> =>
  (await db.selectFrom('assets').select('parent_asset_id').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst())?.parent_asset_id;

export const listChildren = (db: Executor, orgId: string, parentId: string, opts: { includeDeleted?: boolean } = {}): Promise<AssetRow[]> =>
  withRefs(db, orgId, opts).where('assets.parent_asset_id', '=', parentId).orderBy('assets.asset_tag').orderBy('assets.id').execute();

export const liveChildren = (db: Executor, orgId: string, parentId: string, limit: number) =>
  db.selectFrom('assets').select(['id', 'asset_tag']).where('org_id', '=', orgId).where('parent_asset_id', '=', parentId)
    .where('deleted_at', 'is', null).orderBy('asset_tag').limit(limit).execute();

const countChildrenQuery = prepare((db: Executor, orgId: string, parentId: string) =>
  db.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId)
    .where('parent_asset_id', '=', parentId).where('deleted_at', 'is', null));

export const countChildren = async (db: Executor, orgId: string, parentId: string): Promise<number> =>
  Number((await first(db, countChildrenQuery(db, orgId, parentId)))?.n ?? 0);

// ---------- organization settings and tag counters ----------

export const orgTagPattern = async (db: Executor, orgId: string): Promise<string> =>
  (await db.selectFrom('organizations').select('asset_tag_pattern').where('id', '=', orgId).executeTakeFirstOrThrow()).asset_tag_pattern;

export const ensureCounter = (db: Executor, orgId: string, pattern: string) =>
  db.insertInto('tag_counters').values({ org_id: orgId, pattern, next_value: 1 }).onConflict((oc) => oc.columns(['org_id', 'pattern']).doNothing()).execute();

/** Takes the counter's next value atomically (the row stays locked until the transaction ends). */
export const takeCounter = async (db: Executor, orgId: string, pattern: string): Promise<number> => {
  const r = await db.updateTable('tag_counters').set((eb) => ({ next_value: eb('next_value', '+', 1) }))
    .where('org_id', '=', orgId).where('pattern', '=', pattern).returning('next_value').executeTakeFirstOrThrow();
  return Number(r.next_value) - 1;
};

// ---------- references owned by modules without a lookup service ----------

export const findDepartment = (db: Executor, orgId: string, id: string) =>
  db.selectFrom('departments').select(['id', 'name']).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

// ---------- custody (read-only here; the custody module writes it) ----------

const openAssignmentQuery = prepare((db: Executor, orgId: string, assetId: string) =>
  db.selectFrom('assignments')
    .leftJoin('users', 'users.id', 'assignments.target_user_id')
    .leftJoin('locations', 'locations.id', 'assignments.target_location_id')
    .leftJoin('assets as target', 'target.id', 'assignments.target_asset_id')
    .leftJoin('acceptances', (j) => j.onRef('acceptances.assignment_id', '=', 'assignments.id').onRef('acceptances.org_id', '=', 'assignments.org_id'))
    .select([
      'assignments.id', 'assignments.target_type', 'assignments.target_user_id', 'assignments.target_location_id', 'assignments.target_asset_id',
      'assignments.checked_out_at', 'assignments.expected_return_at', 'users.display_name as user_label', 'locations.name as location_label',
      'target.asset_tag as asset_label', 'acceptances.id as acceptance_id', 'acceptances.status as acceptance_status',
    ])
    .where('assignments.org_id', '=', orgId).where('assignments.asset_id', '=', assetId).where('assignments.returned_at', 'is', null));

export const openAssignment = (db: Executor, orgId: string, assetId: string) => first(db, openAssignmentQuery(db, orgId, assetId));

/** Open assignments whose target is this asset (other assets checked out to it). */
export const heldAssets = (db: Executor, orgId: string, assetId: string, limit: number) =>
  db.selectFrom('assignments').innerJoin('assets', 'assets.id', 'assignments.asset_id')
    .select(['assets.id', 'assets.asset_tag'])
    .where('assignments.org_id', '=', orgId).where('assignments.target_asset_id', '=', assetId).where('assignments.returned_at', 'is', null)
    .orderBy('assets.asset_tag').limit(limit).execute();

// ---------- media ----------

const listMediaQuery = prepare((db: Executor, orgId: string, assetId: string) =>
  db.selectFrom('asset_media').selectAll().where('org_id', '=', orgId).where('asset_id', '=', assetId).orderBy('created_at').orderBy('id'));

export const listMedia = (db: Executor, orgId: string, assetId: string): Promise<AssetMediaTable[]> => rows(db, listMediaQuery(db, orgId, assetId));

export const findMedium = (db: Executor, orgId: string, assetId: string, id: string): Promise<AssetMediaTable | undefined> =>
  db.selectFrom('asset_media').selectAll().where('org_id', '=', orgId).where('asset_id', '=', assetId).where('id', '=', id).executeTakeFirst();

export const insertMedia = (db: Executor, rows: AssetMediaTable[]) =>
  rows.length ? db.insertInto('asset_media').values(rows).execute() : Promise.resolve([]);

export const updateMedium = (db: Executor, orgId: string, id: string, patch: Partial<AssetMediaTable>) =>
  db.updateTable('asset_media').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deleteMedium = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('asset_media').where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------- attachments ----------

export type AttachmentRow = AttachmentsTable & { uploader_name: string | null };

const attachmentsQuery = (db: Executor, orgId: string) =>
  db.selectFrom('attachments').leftJoin('users', 'users.id', 'attachments.uploaded_by')
    .selectAll('attachments').select('users.display_name as uploader_name')
    .where('attachments.org_id', '=', orgId);

export const listAttachments = (db: Executor, orgId: string, entityType: string, entityId: string): Promise<AttachmentRow[]> =>
  attachmentsQuery(db, orgId).where('attachments.entity_type', '=', entityType).where('attachments.entity_id', '=', entityId)
    .orderBy('attachments.created_at', 'desc').orderBy('attachments.id', 'desc').execute();

export const findAttachment = (db: Executor, orgId: string, id: string): Promise<AttachmentRow | undefined> =>
  attachmentsQuery(db, orgId).where('attachments.id', '=', id).executeTakeFirst();

const countAttachmentsQuery = prepare((db: Executor, orgId: string, entityType: string, entityId: string) =>
  db.selectFrom('attachments').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId)
    .where('entity_type', '=', entityType).where('entity_id', '=', entityId));

export const countAttachments = async (db: Executor, orgId: string, entityType: string, entityId: string): Promise<number> =>
  Number((await first(db, countAttachmentsQuery(db, orgId, entityType, entityId)))?.n ?? 0);

export const insertAttachment = (db: Executor, row: AttachmentsTable) => db.insertInto('attachments').values(row).execute();

export const deleteAttachment = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('attachments').where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------- model image (models.image_path holds the id of its `attachments` row) ----------

export const modelImageId = async (db: Executor, orgId: string, modelId: string): Promise<string | null | undefined> =>
  (await db.selectFrom('models').select('image_path').where('org_id', '=', orgId).where('id', '=', modelId).executeTakeFirst())?.image_path;

export const setModelImage = (db: Executor, orgId: string, modelId: string, attachmentId: string | null, now: string) =>
  db.updateTable('models').set({ image_path: attachmentId, updated_at: now }).where('org_id', '=', orgId).where('id', '=', modelId).execute();
