import type { Executor } from '../../db/database.js';
import type { CategoriesTable, ManufacturersTable, ModelsTable, SuppliersTable } from '../../db/schema.js';
import { containsCi } from '../../db/dialect.js';

/*
 * SQL of the catalog. Every statement is scoped by `org_id`; counts are correlated subqueries on
 * indexed columns (models_category_idx, assets_category_tag_idx, custom_fields_category_key_uq …),
 * so a list is one statement whatever its length.
 */

const n = (v: unknown): number => Number(v ?? 0);

// ---------- categories ----------

export type CategoryInsert = Omit<CategoriesTable, 'tag_pattern'> & { tag_pattern: string | null };
export type CategoryRow = CategoryInsert & { model_count: number; asset_count: number; field_count: number };

const categoriesWithCounts = (db: Executor, orgId: string) =>
  db.selectFrom('categories')
    .selectAll('categories')
    .select((eb) => [
      eb.selectFrom('models').select((e) => e.fn.countAll().as('c'))
        .whereRef('models.org_id', '=', 'categories.org_id').whereRef('models.category_id', '=', 'categories.id').as('model_count'),
      eb.selectFrom('assets').select((e) => e.fn.countAll().as('c'))
        .whereRef('assets.org_id', '=', 'categories.org_id').whereRef('assets.category_id', '=', 'categories.id')
        .where('assets.deleted_at', 'is', null).as('asset_count'),
      eb.selectFrom('custom_fields').select((e) => e.fn.countAll().as('c'))
        .whereRef('custom_fields.org_id', '=', 'categories.org_id').whereRef('custom_fields.category_id', '=', 'categories.id').as('field_count'),
    ])
    .where('categories.org_id', '=', orgId);

const toCategoryRow = <T extends { model_count: unknown; asset_count: unknown; field_count: unknown; tag_pattern: string | null }>(r: T) =>
  ({ ...r, model_count: n(r.model_count), asset_count: n(r.asset_count), field_count: n(r.field_count) });

export async function listCategories(db: Executor, orgId: string, q?: string): Promise<CategoryRow[]> {
  let query = categoriesWithCounts(db, orgId);
  if (q) query = query.where((eb) => containsCi(eb, eb.ref('categories.name'), q));
  return (await query.orderBy((eb) => eb.fn('lower', [eb.ref('categories.name')])).orderBy('categories.name').orderBy('categories.id').execute()).map(toCategoryRow);
}

export async function findCategory(db: Executor, orgId: string, id: string): Promise<CategoryRow | undefined> {
  const r = await categoriesWithCounts(db, orgId).where('categories.id', '=', id).executeTakeFirst();
  return r ? toCategoryRow(r) : undefined;
}

export const insertCategory = (db: Executor, row: CategoryInsert) => db.insertInto('categories').values(row).execute();

export const updateCategory = (db: Executor, orgId: string, id: string, patch: Partial<CategoryInsert>) =>
  db.updateTable('categories').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deleteCategory = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('categories').where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------- name uniqueness (case-insensitive, checked before the database's exact unique keys) ----------

type NamedTable = 'categories' | 'manufacturers' | 'suppliers';

/** Another row of the table with the same name, ignoring case. */
export const findByName = (db: Executor, table: NamedTable, orgId: string, name: string, exceptId?: string) => {
  let q = db.selectFrom(table).select(['id', 'name']).where('org_id', '=', orgId)
    .where((eb) => eb(eb.fn('lower', [eb.ref('name')]), '=', name.toLowerCase()));
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.executeTakeFirst();
};

// ---------- manufacturers ----------

export type ManufacturerRow = ManufacturersTable & { model_count: number; asset_count: number };

const manufacturersWithCounts = (db: Executor, orgId: string) =>
  db.selectFrom('manufacturers')
    .selectAll('manufacturers')
    .select((eb) => [
      eb.selectFrom('models').select((e) => e.fn.countAll().as('c'))
        .whereRef('models.org_id', '=', 'manufacturers.org_id').whereRef('models.manufacturer_id', '=', 'manufacturers.id').as('model_count'),
      eb.selectFrom('assets').select((e) => e.fn.countAll().as('c'))
        .whereRef('assets.org_id', '=', 'manufacturers.org_id').whereRef('assets.manufacturer_id', '=', 'manufacturers.id')
        .where('assets.deleted_at', 'is', null).as('asset_count'),
    ])
    .where('manufacturers.org_id', '=', orgId);

const toManufacturerRow = <T extends { model_count: unknown; asset_count: unknown }>(r: T) =>
  ({ ...r, model_count: n(r.model_count), asset_count: n(r.asset_count) });

export async function listManufacturers(db: Executor, orgId: string, q?: string): Promise<ManufacturerRow[]> {
  let query = manufacturersWithCounts(db, orgId);
  if (q) query = query.where((eb) => containsCi(eb, eb.ref('manufacturers.name'), q));
  return (await query.orderBy((eb) => eb.fn('lower', [eb.ref('manufacturers.name')])).orderBy('manufacturers.name').orderBy('manufacturers.id').execute()).map(toManufacturerRow);
}

export async function findManufacturer(db: Executor, orgId: string, id: string): Promise<ManufacturerRow | undefined> {
  const r = await manufacturersWithCounts(db, orgId).where('manufacturers.id', '=', id).executeTakeFirst();
  return r ? toManufacturerRow(r) : undefined;
}

export const insertManufacturer = (db: Executor, row: ManufacturersTable) => db.insertInto('manufacturers').values(row).execute();

export const updateManufacturer = (db: Executor, orgId: string, id: string, patch: Partial<ManufacturersTable>) =>
  db.updateTable('manufacturers').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deleteManufacturer = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('manufacturers').where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------- suppliers ----------

export type SupplierRow = SuppliersTable & { asset_count: number };

const suppliersWithCounts = (db: Executor, orgId: string) =>
  db.selectFrom('suppliers')
    .selectAll('suppliers')
    .select((eb) => [
      eb.selectFrom('assets').select((e) => e.fn.countAll().as('c'))
        .whereRef('assets.org_id', '=', 'suppliers.org_id').whereRef('assets.supplier_id', '=', 'suppliers.id')
        .where('assets.deleted_at', 'is', null).as('asset_count'),
    ])
    .where('suppliers.org_id', '=', orgId);

export async function listSuppliers(db: Executor, orgId: string, q?: string): Promise<SupplierRow[]> {
  let query = suppliersWithCounts(db, orgId);
  if (q) query = query.where((eb) => containsCi(eb, eb.ref('suppliers.name'), q));
  return (await query.orderBy((eb) => eb.fn('lower', [eb.ref('suppliers.name')])).orderBy('suppliers.name').orderBy('suppliers.id').execute()).map((r) => ({ ...r, asset_count: n(r.asset_count) }));
}

export async function findSupplierWithCounts(db: Executor, orgId: string, id: string): Promise<SupplierRow | undefined> {
  const r = await suppliersWithCounts(db, orgId).where('suppliers.id', '=', id).executeTakeFirst();
  return r ? { ...r, asset_count: n(r.asset_count) } : undefined;
}

export const findSupplier = (db: Executor, orgId: string, id: string): Promise<SuppliersTable | undefined> =>
  db.selectFrom('suppliers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const insertSupplier = (db: Executor, row: SuppliersTable) => db.insertInto('suppliers').values(row).execute();

export const updateSupplier = (db: Executor, orgId: string, id: string, patch: Partial<SuppliersTable>) =>
  db.updateTable('suppliers').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deleteSupplier = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('suppliers').where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------- models ----------

const modelsWithNames = (db: Executor, orgId: string) =>
  db.selectFrom('models')
    .innerJoin('categories', 'categories.id', 'models.category_id')
    .leftJoin('manufacturers', 'manufacturers.id', 'models.manufacturer_id')
    .selectAll('models')
    .select([
      'categories.name as category_name', 'categories.asset_class', 'categories.data_bearing', 'categories.requires_acceptance',
      'categories.acceptance_terms', 'categories.acceptance_terms_version', 'categories.tag_pattern',
      'manufacturers.name as manufacturer_name',
    ])
    .where('models.org_id', '=', orgId);

/**
 * A model with its category and manufacturer, without its asset count (which reads every asset of
 * the model): what writing an asset needs.
 */
export const findModelRefs = (db: Executor, orgId: string, id: string) =>
  modelsWithNames(db, orgId).where('models.id', '=', id).executeTakeFirst();
export type ModelRefsRow = NonNullable<Awaited<ReturnType<typeof findModelRefs>>>;

const modelsWithRefs = (db: Executor, orgId: string) =>
  modelsWithNames(db, orgId)
    .select((eb) => [
      eb.selectFrom('assets').select((e) => e.fn.countAll().as('c'))
        .whereRef('assets.org_id', '=', 'models.org_id').whereRef('assets.model_id', '=', 'models.id')
        .where('assets.deleted_at', 'is', null).as('asset_count'),
    ]);

type RawModelRow = NonNullable<Awaited<ReturnType<ReturnType<typeof modelsWithRefs>['executeTakeFirst']>>>;
export type ModelRow = Omit<RawModelRow, 'asset_count'> & { asset_count: number };

const toModelRow = (r: RawModelRow): ModelRow => ({ ...r, asset_count: n(r.asset_count) });

export interface ModelFilter { q?: string; categoryId?: string; manufacturerId?: string }

export async function listModels(db: Executor, orgId: string, f: ModelFilter): Promise<ModelRow[]> {
  let query = modelsWithRefs(db, orgId);
  if (f.categoryId) query = query.where('models.category_id', '=', f.categoryId);
  if (f.manufacturerId) query = query.where('models.manufacturer_id', '=', f.manufacturerId);
  const q = f.q;
  if (q) query = query.where((eb) => eb.or([containsCi(eb, eb.ref('models.name'), q), containsCi(eb, eb.ref('models.model_number'), q)]));
  return (await query.orderBy((eb) => eb.fn('lower', [eb.ref('models.name')])).orderBy('models.name').orderBy('models.id').execute()).map(toModelRow);
}

export async function findModel(db: Executor, orgId: string, id: string): Promise<ModelRow | undefined> {
  const r = await modelsWithRefs(db, orgId).where('models.id', '=', id).executeTakeFirst();
  return r ? toModelRow(r) : undefined;
}

/** Another model with the same name (ignoring case) and the same manufacturer (or both without one). */
export const findModelByName = (db: Executor, orgId: string, name: string, manufacturerId: string | null, exceptId?: string) => {
  let q = db.selectFrom('models').select(['id', 'name']).where('org_id', '=', orgId)
    .where((eb) => eb(eb.fn('lower', [eb.ref('name')]), '=', name.toLowerCase()));
  q = manufacturerId === null ? q.where('manufacturer_id', 'is', null) : q.where('manufacturer_id', '=', manufacturerId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.executeTakeFirst();
};

export const insertModel = (db: Executor, row: ModelsTable) => db.insertInto('models').values(row).execute();

export const updateModel = (db: Executor, orgId: string, id: string, patch: Partial<ModelsTable>) =>
  db.updateTable('models').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deleteModel = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('models').where('org_id', '=', orgId).where('id', '=', id).execute();

/**
 * The assets' copy of the model's manufacturer. ON UPDATE CASCADE follows a change from one
 * manufacturer to another (or to none), but a composite key with a NULL column matches nothing,
 * so assets of a model that had no manufacturer are brought along here.
 */
export const fillAssetManufacturer = (db: Executor, orgId: string, modelId: string, manufacturerId: string, now: string) =>
  db.updateTable('assets').set({ manufacturer_id: manufacturerId, updated_at: now })
    .where('org_id', '=', orgId).where('model_id', '=', modelId).where('manufacturer_id', 'is', null).execute();

// ---------- usage counts for delete guards (deleted assets included: they still reference the row) ----------

type AssetRefColumn = 'category_id' | 'manufacturer_id' | 'supplier_id' | 'model_id';

/** Live and soft-deleted assets referencing `id` through `column`. */
async function assetUsage(db: Executor, orgId: string, column: AssetRefColumn, id: string): Promise<{ assets: number; deletedAssets: number }> {
  const r = await db.selectFrom('assets')
    .select((eb) => [
      eb.fn.countAll().as('total'),
      eb.fn.count('deleted_at').as('deleted'),
    ])
    .where('org_id', '=', orgId).where(column, '=', id)
    .executeTakeFirstOrThrow();
  const total = n(r.total);
  const deleted = n(r.deleted);
  return { assets: total - deleted, deletedAssets: deleted };
}

const countModels = async (db: Executor, orgId: string, column: 'category_id' | 'manufacturer_id', id: string): Promise<number> =>
  n((await db.selectFrom('models').select((eb) => eb.fn.countAll().as('c')).where('org_id', '=', orgId).where(column, '=', id).executeTakeFirstOrThrow()).c);

const countFields = async (db: Executor, orgId: string, categoryId: string): Promise<number> =>
  n((await db.selectFrom('custom_fields').select((eb) => eb.fn.countAll().as('c')).where('org_id', '=', orgId).where('category_id', '=', categoryId).executeTakeFirstOrThrow()).c);

export interface Usage { models: number; assets: number; deletedAssets: number; fields: number }

export const categoryUsage = async (db: Executor, orgId: string, id: string): Promise<Usage> =>
  ({ models: await countModels(db, orgId, 'category_id', id), fields: await countFields(db, orgId, id), ...(await assetUsage(db, orgId, 'category_id', id)) });

export const manufacturerUsage = async (db: Executor, orgId: string, id: string): Promise<Usage> =>
  ({ models: await countModels(db, orgId, 'manufacturer_id', id), fields: 0, ...(await assetUsage(db, orgId, 'manufacturer_id', id)) });

export const supplierUsage = async (db: Executor, orgId: string, id: string): Promise<Usage> =>
  ({ models: 0, fields: 0, ...(await assetUsage(db, orgId, 'supplier_id', id)) });

export const modelUsage = async (db: Executor, orgId: string, id: string): Promise<Usage> =>
  ({ models: 0, fields: 0, ...(await assetUsage(db, orgId, 'model_id', id)) });
