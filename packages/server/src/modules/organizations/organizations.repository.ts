import type { Executor } from '../../db/database.js';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { OrganizationsTable } from '../../db/schema.js';

export type OrgRow = Selectable<OrganizationsTable>;

export const insertOrg = (db: Executor, row: Insertable<OrganizationsTable>) => db.insertInto('organizations').values(row).execute();
export const findOrg = (db: Executor, id: string) => db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
export const slugTaken = async (db: Executor, slug: string) =>
  !!(await db.selectFrom('organizations').select('id').where('slug', '=', slug).executeTakeFirst());
export const updateOrg = (db: Executor, id: string, patch: Updateable<OrganizationsTable>) => db.updateTable('organizations').set(patch).where('id', '=', id).execute();
