import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { AssetFieldValuesTable, CustomFieldsTable } from '../../db/schema.js';

export type FieldRow = CustomFieldsTable;

export const findCategory = (db: Executor, orgId: string, categoryId: string) =>
  db.selectFrom('categories').select(['id', 'name']).where('org_id', '=', orgId).where('id', '=', categoryId).executeTakeFirst();

export const listFields = (db: Executor, orgId: string, categoryId: string): Promise<FieldRow[]> =>
  db.selectFrom('custom_fields').selectAll().where('org_id', '=', orgId).where('category_id', '=', categoryId)
    .orderBy('position').orderBy('key').execute();

export const findField = (db: Executor, orgId: string, id: string): Promise<FieldRow | undefined> =>
  db.selectFrom('custom_fields').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const findFieldByKey = (db: Executor, orgId: string, categoryId: string, key: string): Promise<FieldRow | undefined> =>
  db.selectFrom('custom_fields').selectAll().where('org_id', '=', orgId).where('category_id', '=', categoryId).where('key', '=', key).executeTakeFirst();

export const nextPosition = async (db: Executor, orgId: string, categoryId: string): Promise<number> => {
  const r = await db.selectFrom('custom_fields').select((eb) => eb.fn.max<number | null>('position').as('p'))
    .where('org_id', '=', orgId).where('category_id', '=', categoryId).executeTakeFirst();
  return r?.p === null || r?.p === undefined ? 0 : Number(r.p) + 1;
};

export const insertField = (db: Executor, row: FieldRow) => db.insertInto('custom_fields').values(row).execute();

export const updateField = (db: Executor, orgId: string, id: string, patch: Partial<FieldRow>) =>
  db.updateTable('custom_fields').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deleteField = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('custom_fields').where('org_id', '=', orgId).where('id', '=', id).execute();

/**
 * Takes a row lock on the field definition (a no-op update). Writers of a `unique` field's value
 * serialize on it, so two concurrent transactions cannot both see "no duplicate" on PostgreSQL
 * (SQLite already runs one writer at a time).
 */
export const lockField = (db: Executor, orgId: string, id: string) =>
  db.updateTable('custom_fields').set((eb) => ({ position: eb.ref('position') })).where('org_id', '=', orgId).where('id', '=', id).execute();

/** How many assets (deleted ones included) hold a value for the field. */
export const countValues = async (db: Executor, orgId: string, fieldId: string): Promise<number> =>
  Number((await db.selectFrom('asset_field_values').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId).where('field_id', '=', fieldId).executeTakeFirstOrThrow()).n);

/** Another asset holding the same indexed value of the field (deleted assets included: their values stay reserved). */
export const findDuplicate = (db: Executor, orgId: string, fieldId: string, v: { valueText: string | null; valueNum: number | null }, exceptAssetId?: string) => {
  let q = db.selectFrom('asset_field_values')
    .innerJoin('assets', (j) => j.onRef('assets.id', '=', 'asset_field_values.asset_id').onRef('assets.org_id', '=', 'asset_field_values.org_id'))
    .select(['assets.id', 'assets.asset_tag', 'assets.deleted_at'])
    .where('asset_field_values.org_id', '=', orgId).where('asset_field_values.field_id', '=', fieldId);
  q = v.valueNum !== null ? q.where('asset_field_values.value_num', '=', v.valueNum) : q.where('asset_field_values.value_text', '=', v.valueText);
  if (exceptAssetId) q = q.where('asset_field_values.asset_id', '!=', exceptAssetId);
  return q.orderBy('assets.asset_tag').limit(1).executeTakeFirst();
};

/** A value that occurs on more than one asset (used before switching a field to `unique`). */
export const firstRepeatedValue = (db: Executor, orgId: string, fieldId: string) =>
  db.selectFrom('asset_field_values').select(['value_text', 'value_num', (eb) => eb.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId).where('field_id', '=', fieldId)
    .groupBy(['value_text', 'value_num']).having((eb) => eb.fn.countAll(), '>', 1).limit(1).executeTakeFirst();

/** Assets whose indexed value equals `text`, or (multi-select) contains the `|option|` segment. */
export const countValuesMatching = async (db: Executor, orgId: string, fieldId: string, how: 'equals' | 'contains', text: string): Promise<number> => {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  const r = await db.selectFrom('asset_field_values').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId).where('field_id', '=', fieldId)
    .where((eb) => (how === 'equals' ? eb('value_text', '=', text) : eb('value_text', 'like', sql<string>`${`%${escaped}%`} escape '\\'`)))
    .executeTakeFirstOrThrow();
  return Number(r.n);
};

export const deleteValues = (db: Executor, orgId: string, assetId: string) =>
  db.deleteFrom('asset_field_values').where('org_id', '=', orgId).where('asset_id', '=', assetId).execute();

export const insertValues = (db: Executor, rows: AssetFieldValuesTable[]) =>
  rows.length ? db.insertInto('asset_field_values').values(rows).execute() : Promise.resolve([]);
