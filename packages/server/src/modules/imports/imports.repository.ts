/**
 * SQL of imports: the job table and its errors, presets, external ids, the reference maps a run
 * preloads once, the per-chunk lookups of existing records (one statement per chunk, never per
 * row) and the bulk writers (multi-row inserts chunked under the engines' bind-parameter limits:
 * 32 766 on SQLite, 65 535 on PostgreSQL).
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import { bulkInsert } from '../../db/dialect.js';
import type {
  AcceptancesTable, AssetFieldValuesTable, AssetsTable, AssignmentsTable, CategoriesTable, DepartmentsTable, ExternalIdsTable, ImportJobErrorsTable,
  ImportJobsTable, ImportPresetsTable, LocationsTable, ManufacturersTable, ModelsTable, SuppliersTable,
} from '../../db/schema.js';
import { toFieldDto, type FieldDto } from '../fields/fields.service.js';

/** `where x in (…)` lists, split under the parameter limit. */
async function inChunks<K, R>(keys: readonly K[], q: (chunk: K[]) => Promise<R[]>, size = 5000): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < keys.length; i += size) out.push(...(await q(keys.slice(i, i + size))));
  return out;
}

// ---------- jobs ----------

export type JobRow = Selectable<ImportJobsTable>;

export const insertJob = (db: Executor, row: Insertable<ImportJobsTable>) => db.insertInto('import_jobs').values(row).execute();

export const findJob = (db: Executor, orgId: string, id: string): Promise<JobRow | undefined> =>
  db.selectFrom('import_jobs').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const listJobs = (db: Executor, orgId: string, opts: { before?: string; limit: number; target?: string }): Promise<JobRow[]> => {
  let q = db.selectFrom('import_jobs').selectAll().where('org_id', '=', orgId);
  if (opts.target) q = q.where('target', '=', opts.target);
  if (opts.before) q = q.where('id', '<', opts.before);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
};

export const updateJob = (db: Executor, orgId: string, id: string, patch: Updateable<ImportJobsTable>) =>
  db.updateTable('import_jobs').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

/** Moves a job from one of `from` to a new status; false when it was not in one of them (someone else moved it). */
export async function transitionJob(db: Executor, orgId: string, id: string, from: readonly string[], patch: Updateable<ImportJobsTable>): Promise<boolean> {
  const r = await db.updateTable('import_jobs').set(patch).where('org_id', '=', orgId).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Jobs of every organization left in a running status (server start). */
export const runningJobs = (db: Executor): Promise<JobRow[]> =>
  db.selectFrom('import_jobs').selectAll().where('status', 'in', ['validating', 'committing']).execute();

export const deleteJob = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('import_jobs').where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------- errors ----------

export type ErrorRow = Selectable<ImportJobErrorsTable>;

export const deleteErrors = (db: Executor, orgId: string, jobId: string) =>
  db.deleteFrom('import_job_errors').where('org_id', '=', orgId).where('job_id', '=', jobId).execute();

export const insertErrors = (db: Executor, rows: readonly ErrorRow[]) =>
  bulkInsert(db, 'import_job_errors', rows);

export const listErrors = (db: Executor, orgId: string, jobId: string, opts: { afterSeq?: number; limit: number; line?: number }): Promise<ErrorRow[]> => {
  let q = db.selectFrom('import_job_errors').selectAll().where('org_id', '=', orgId).where('job_id', '=', jobId);
  if (opts.afterSeq !== undefined) q = q.where('seq', '>', opts.afterSeq);
  if (opts.line !== undefined) q = q.where('line', '=', opts.line);
  return q.orderBy('seq').limit(opts.limit).execute();
};

/** Errors by line order, a page at a time (for the error file, merged with the re-read rows). */
export const errorsFromLine = (db: Executor, orgId: string, jobId: string, after: { line: number; seq: number }, limit: number): Promise<ErrorRow[]> =>
  db.selectFrom('import_job_errors').selectAll().where('org_id', '=', orgId).where('job_id', '=', jobId)
    .where((eb) => eb.or([eb('line', '>', after.line), eb.and([eb('line', '=', after.line), eb('seq', '>', after.seq)])]))
    .orderBy('line').orderBy('seq').limit(limit).execute();

// ---------- presets ----------

export type PresetRow = Selectable<ImportPresetsTable>;

export const listPresets = (db: Executor, orgId: string, target?: string): Promise<PresetRow[]> => {
  let q = db.selectFrom('import_presets').selectAll().where('org_id', '=', orgId);
  if (target) q = q.where('target', '=', target);
  return q.orderBy('target').orderBy('name').execute();
};

export const findPreset = (db: Executor, orgId: string, id: string): Promise<PresetRow | undefined> =>
  db.selectFrom('import_presets').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const findPresetByName = (db: Executor, orgId: string, target: string, name: string): Promise<PresetRow | undefined> =>
  db.selectFrom('import_presets').selectAll().where('org_id', '=', orgId).where('target', '=', target).where('name', '=', name).executeTakeFirst();

export const insertPreset = (db: Executor, row: PresetRow) => db.insertInto('import_presets').values(row).execute();

export const updatePreset = (db: Executor, orgId: string, id: string, patch: Updateable<ImportPresetsTable>) =>
  db.updateTable('import_presets').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deletePreset = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('import_presets').where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------- external ids ----------

export const findExternalIds = (db: Executor, orgId: string, target: string, source: string, values: readonly string[]) =>
  inChunks(values, (chunk) => db.selectFrom('external_ids').select(['value', 'entity_id']).where('org_id', '=', orgId).where('target', '=', target)
    .where('source', '=', source).where('value', 'in', chunk).execute());

export const insertExternalIds = (db: Executor, rows: readonly ExternalIdsTable[]) =>
  bulkInsert(db, 'external_ids', rows);

export const externalIdsOf = (db: Executor, orgId: string, target: string, source: string, entityIds: readonly string[]) =>
  inChunks(entityIds, (chunk) => db.selectFrom('external_ids').select(['value', 'entity_id']).where('org_id', '=', orgId).where('target', '=', target)
    .where('source', '=', source).where('entity_id', 'in', chunk).execute());

// ---------- reference maps (preloaded once per run) ----------

export const categories = (db: Executor, orgId: string): Promise<Selectable<CategoriesTable>[]> =>
  db.selectFrom('categories').selectAll().where('org_id', '=', orgId).execute();

export const manufacturers = (db: Executor, orgId: string): Promise<Selectable<ManufacturersTable>[]> =>
  db.selectFrom('manufacturers').selectAll().where('org_id', '=', orgId).execute();

export const models = (db: Executor, orgId: string): Promise<Selectable<ModelsTable>[]> =>
  db.selectFrom('models').selectAll().where('org_id', '=', orgId).execute();

export const locations = (db: Executor, orgId: string): Promise<Selectable<LocationsTable>[]> =>
  db.selectFrom('locations').selectAll().where('org_id', '=', orgId).execute();

export const suppliers = (db: Executor, orgId: string): Promise<Selectable<SuppliersTable>[]> =>
  db.selectFrom('suppliers').selectAll().where('org_id', '=', orgId).execute();

export const departments = (db: Executor, orgId: string): Promise<Selectable<DepartmentsTable>[]> =>
  db.selectFrom('departments').selectAll().where('org_id', '=', orgId).execute();

export interface MemberRef {
  user_id: string; email: string; display_name: string; is_active: number; role: string;
  employee_number: string | null; location_id: string | null; department_id: string | null; manager_user_id: string | null;
  title: string | null; phone: string | null; has_profile: string | null;
}

/** Members of the organization (former ones included: they keep their history, the caller filters). */
export const members = (db: Executor, orgId: string): Promise<MemberRef[]> =>
  db.selectFrom('memberships').innerJoin('users', 'users.id', 'memberships.user_id')
    .leftJoin('member_profiles', (j) => j.onRef('member_profiles.org_id', '=', 'memberships.org_id').onRef('member_profiles.user_id', '=', 'memberships.user_id'))
    .select([
      'memberships.user_id', 'users.email', 'users.display_name', 'users.is_active', 'memberships.role', 'member_profiles.employee_number',
      'member_profiles.location_id', 'member_profiles.department_id', 'member_profiles.manager_user_id', 'member_profiles.title',
      'member_profiles.phone', 'member_profiles.user_id as has_profile',
    ])
    .where('memberships.org_id', '=', orgId).execute();

export const customFields = async (db: Executor, orgId: string): Promise<FieldDto[]> =>
  (await db.selectFrom('custom_fields').selectAll().where('org_id', '=', orgId).orderBy('position').orderBy('key').execute()).map(toFieldDto);

export const orgTagPattern = async (db: Executor, orgId: string): Promise<string> =>
  (await db.selectFrom('organizations').select('asset_tag_pattern').where('id', '=', orgId).executeTakeFirstOrThrow()).asset_tag_pattern;

// ---------- assets: per-chunk lookups ----------

export type AssetRecord = Selectable<AssetsTable>;

export const assetsByTag = (db: Executor, orgId: string, tags: readonly string[]): Promise<AssetRecord[]> =>
  inChunks(tags, (chunk) => db.selectFrom('assets').selectAll().where('org_id', '=', orgId).where('asset_tag', 'in', chunk).execute());

export const assetsBySerial = (db: Executor, orgId: string, serials: readonly string[]): Promise<AssetRecord[]> =>
  inChunks(serials, (chunk) => db.selectFrom('assets').selectAll().where('org_id', '=', orgId).where('serial', 'in', chunk).execute());

export const assetsById = (db: Executor, orgId: string, ids: readonly string[]): Promise<AssetRecord[]> =>
  inChunks(ids, (chunk) => db.selectFrom('assets').selectAll().where('org_id', '=', orgId).where('id', 'in', chunk).execute());

export interface OpenAssignment { id: string; asset_id: string; target_type: string; target_user_id: string | null; target_location_id: string | null; target_asset_id: string | null }

export const openAssignments = (db: Executor, orgId: string, assetIds: readonly string[]): Promise<OpenAssignment[]> =>
  inChunks(assetIds, (chunk) => db.selectFrom('assignments')
    .select(['id', 'asset_id', 'target_type', 'target_user_id', 'target_location_id', 'target_asset_id'])
    .where('org_id', '=', orgId).where('asset_id', 'in', chunk).where('returned_at', 'is', null).execute());

/** Values of unique custom fields other assets already hold (deleted ones included). */
export const fieldValueHolders = (db: Executor, orgId: string, fieldIds: readonly string[], texts: readonly string[], nums: readonly number[]) => {
  if (!fieldIds.length || (!texts.length && !nums.length)) return Promise.resolve([]);
  return db.selectFrom('asset_field_values').innerJoin('assets', (j) => j.onRef('assets.id', '=', 'asset_field_values.asset_id').onRef('assets.org_id', '=', 'asset_field_values.org_id'))
    .select(['asset_field_values.field_id', 'asset_field_values.value_text', 'asset_field_values.value_num', 'asset_field_values.asset_id', 'assets.asset_tag'])
    .where('asset_field_values.org_id', '=', orgId).where('asset_field_values.field_id', 'in', fieldIds)
    .where((eb) => eb.or([
      ...(texts.length ? [eb('asset_field_values.value_text', 'in', texts)] : []),
      ...(nums.length ? [eb('asset_field_values.value_num', 'in', nums)] : []),
    ]))
    .execute();
};

/** Which of these tags are taken (generated tags are checked in bulk). */
export const takenTags = async (db: Executor, orgId: string, tags: readonly string[]): Promise<Set<string>> =>
  new Set((await inChunks(tags, (chunk) => db.selectFrom('assets').select('asset_tag').where('org_id', '=', orgId).where('asset_tag', 'in', chunk).execute())).map((r) => r.asset_tag));

/** Takes `n` consecutive values of a tag counter; returns the first. */
export async function takeCounterRange(db: Executor, orgId: string, pattern: string, n: number): Promise<number> {
  await db.insertInto('tag_counters').values({ org_id: orgId, pattern, next_value: 1 }).onConflict((oc) => oc.columns(['org_id', 'pattern']).doNothing()).execute();
  const r = await db.updateTable('tag_counters').set((eb) => ({ next_value: eb('next_value', '+', n) }))
    .where('org_id', '=', orgId).where('pattern', '=', pattern).returning('next_value').executeTakeFirstOrThrow();
  return Number(r.next_value) - n;
}

// ---------- bulk writers ----------

/**
 * `oneRowPerStatement`: while a bulk commit has the asset insert triggers dropped (SQLite,
 * dialect.deferAssetIndexing), single-row INSERTs need no statement journal, where a multi-row one
 * (because of the foreign keys) copies every page it touches into it first: with 25 indexes that
 * is most of the pages. 100,000 rows into a 100,000-asset table: 13.5–17.6 s → 10.7–11.3 s of CPU.
 */
export const insertAssets = (db: Executor, rows: readonly Insertable<AssetsTable>[], oneRowPerStatement = false) =>
  bulkInsert(db, 'assets', rows, oneRowPerStatement ? 1 : undefined);

export const updateAsset = (db: Executor, orgId: string, id: string, patch: Updateable<AssetsTable>) =>
  db.updateTable('assets').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deleteFieldValues = (db: Executor, orgId: string, assetIds: readonly string[]) =>
  inChunks(assetIds, async (chunk) => { await db.deleteFrom('asset_field_values').where('org_id', '=', orgId).where('asset_id', 'in', chunk).execute(); return []; });

export const insertFieldValues = (db: Executor, rows: readonly AssetFieldValuesTable[]) =>
  bulkInsert(db, 'asset_field_values', rows);

export const insertAssignments = (db: Executor, rows: readonly AssignmentsTable[]) =>
  bulkInsert(db, 'assignments', rows);

export const insertAcceptances = (db: Executor, rows: readonly AcceptancesTable[]) =>
  bulkInsert(db, 'acceptances', rows);

export const insertCategories = (db: Executor, rows: readonly Selectable<CategoriesTable>[]) =>
  bulkInsert(db, 'categories', rows);

export const insertManufacturers = (db: Executor, rows: readonly Selectable<ManufacturersTable>[]) =>
  bulkInsert(db, 'manufacturers', rows);

export const insertModels = (db: Executor, rows: readonly Selectable<ModelsTable>[]) =>
  bulkInsert(db, 'models', rows);

export const updateModel = (db: Executor, orgId: string, id: string, patch: Updateable<ModelsTable>) =>
  db.updateTable('models').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const insertLocations = (db: Executor, rows: readonly Selectable<LocationsTable>[]) =>
  bulkInsert(db, 'locations', rows);

export const updateLocation = (db: Executor, orgId: string, id: string, patch: Updateable<LocationsTable>) =>
  db.updateTable('locations').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const insertSuppliers = (db: Executor, rows: readonly Selectable<SuppliersTable>[]) =>
  bulkInsert(db, 'suppliers', rows);

export const updateSupplier = (db: Executor, orgId: string, id: string, patch: Updateable<SuppliersTable>) =>
  db.updateTable('suppliers').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const insertDepartments = (db: Executor, rows: readonly Selectable<DepartmentsTable>[]) =>
  bulkInsert(db, 'departments', rows);

export const updateDepartment = (db: Executor, orgId: string, id: string, patch: Updateable<DepartmentsTable>) =>
  db.updateTable('departments').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------- members (users import) ----------

export const insertMembership = (db: Executor, orgId: string, userId: string, role: string, now: string) =>
  db.insertInto('memberships').values({ org_id: orgId, user_id: userId, role, created_at: now, updated_at: now }).execute();

export const setMembershipRole = (db: Executor, orgId: string, userId: string, role: string, now: string) =>
  db.updateTable('memberships').set({ role, updated_at: now }).where('org_id', '=', orgId).where('user_id', '=', userId).execute();

export interface ProfileValues {
  employee_number: string | null; title: string | null; phone: string | null; department_id: string | null; location_id: string | null; manager_user_id: string | null;
}

export const saveProfile = (db: Executor, orgId: string, userId: string, v: ProfileValues, now: string, exists: boolean) =>
  exists
    ? db.updateTable('member_profiles').set({ ...v, updated_at: now }).where('org_id', '=', orgId).where('user_id', '=', userId).execute()
    : db.insertInto('member_profiles').values({ org_id: orgId, user_id: userId, ...v, updated_at: now }).execute();

// ---------- exports (keyset pages) ----------

export const assetsPage = (db: Executor, orgId: string, afterId: string | null, limit: number): Promise<AssetRecord[]> => {
  let q = db.selectFrom('assets').selectAll().where('org_id', '=', orgId).where('deleted_at', 'is', null);
  if (afterId) q = q.where('id', '>', afterId);
  return q.orderBy('id').limit(limit).execute();
};
