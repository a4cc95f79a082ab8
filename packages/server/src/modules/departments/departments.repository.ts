import type { Executor } from '../../db/database.js';
import type { DepartmentsTable } from '../../db/schema.js';

export type DepartmentRow = DepartmentsTable & { manager_name?: string | null };

const withManager = (db: Executor, orgId: string) =>
  db.selectFrom('departments')
    .leftJoin('users', 'users.id', 'departments.manager_user_id')
    .selectAll('departments')
    .select('users.display_name as manager_name')
    .where('departments.org_id', '=', orgId);

export const listDepartments = (db: Executor, orgId: string) => withManager(db, orgId).orderBy('departments.name').execute();

export const findDepartment = (db: Executor, orgId: string, id: string) =>
  withManager(db, orgId).where('departments.id', '=', id).executeTakeFirst();

export const insertDepartment = (db: Executor, row: DepartmentsTable) => db.insertInto('departments').values(row).execute();

export const updateDepartment = (db: Executor, orgId: string, id: string, patch: Partial<DepartmentsTable>) =>
  db.updateTable('departments').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deleteDepartment = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('departments').where('org_id', '=', orgId).where('id', '=', id).execute();

export const departmentsManagedBy = (db: Executor, orgId: string, userId: string) =>
  db.selectFrom('departments').select(['id', 'name']).where('org_id', '=', orgId).where('manager_user_id', '=', userId).execute();

export const countDepartments = async (db: Executor, orgId: string): Promise<number> =>
  Number((await db.selectFrom('departments').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n);

/** Members whose profile names this department. */
export const profilesInDepartment = async (db: Executor, orgId: string, id: string): Promise<string[]> =>
  (await db.selectFrom('member_profiles').select('user_id').where('org_id', '=', orgId).where('department_id', '=', id).execute()).map((r) => r.user_id);

export const detachProfiles = (db: Executor, orgId: string, id: string, now: string) =>
  db.updateTable('member_profiles').set({ department_id: null, updated_at: now }).where('org_id', '=', orgId).where('department_id', '=', id).execute();

export const countAssetsInDepartment = async (db: Executor, orgId: string, id: string): Promise<number> =>
  Number((await db.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('department_id', '=', id).executeTakeFirstOrThrow()).n);
