import type { Executor } from '../../db/database.js';
import { containsCi } from '../../db/dialect.js';
import { first, prepare } from '../../db/prepared.js';

export interface MemberRow {
  user_id: string;
  role: string;
  created_at: string;
  email: string;
  display_name: string;
  is_active: number;
  totp_enabled: number;
  last_login_at: string | null;
}

const base = (db: Executor, orgId: string) =>
  db.selectFrom('memberships').innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.user_id', 'memberships.role', 'memberships.created_at', 'users.email', 'users.display_name', 'users.is_active', 'users.totp_enabled', 'users.last_login_at'])
    .where('memberships.org_id', '=', orgId)
    .where('memberships.role', '!=', FORMER_ROLE);

/**
 * Removing someone keeps their membership row as a *former* member: assignments, acceptances and
 * events still reference it, so custody history stays intact. Former members have no permissions,
 * are not listed and cannot be referenced by new records; adding them again revives the row.
 */
export const FORMER_ROLE = 'former';

export function listMembers(db: Executor, orgId: string, q?: string): Promise<MemberRow[]> {
  let query = base(db, orgId);
  if (q) query = query.where((eb) => eb.or([containsCi(eb, eb.ref('users.email'), q), containsCi(eb, eb.ref('users.display_name'), q)]));
  return query.orderBy('users.display_name').orderBy('users.email').execute();
}

// Check-outs to a person read the member and their profile: both statements are built once (db/prepared.ts).
const findMemberQuery = prepare((db: Executor, orgId: string, userId: string) => base(db, orgId).where('memberships.user_id', '=', userId));

export const findMember = (db: Executor, orgId: string, userId: string): Promise<MemberRow | undefined> => first(db, findMemberQuery(db, orgId, userId));

export const insertMembership = (db: Executor, orgId: string, userId: string, role: string, now: string) =>
  db.insertInto('memberships').values({ org_id: orgId, user_id: userId, role, created_at: now, updated_at: now }).execute();

export const updateRole = (db: Executor, orgId: string, userId: string, role: string, now: string) =>
  db.updateTable('memberships').set({ role, updated_at: now }).where('org_id', '=', orgId).where('user_id', '=', userId).execute();

export const findFormer = (db: Executor, orgId: string, userId: string) =>
  db.selectFrom('memberships').select('user_id').where('org_id', '=', orgId).where('user_id', '=', userId).where('role', '=', FORMER_ROLE).executeTakeFirst();

export const deleteTokensOf = (db: Executor, orgId: string, userId: string) =>
  db.deleteFrom('api_tokens').where('org_id', '=', orgId).where('user_id', '=', userId).execute();

/** Profiles of other people that name this member as their manager. */
export const reportsOf = async (db: Executor, orgId: string, userId: string): Promise<string[]> =>
  (await db.selectFrom('member_profiles').select('user_id').where('org_id', '=', orgId).where('manager_user_id', '=', userId).execute()).map((r) => r.user_id);

export const clearManagerOf = (db: Executor, orgId: string, userId: string, now: string) =>
  db.updateTable('member_profiles').set({ manager_user_id: null, updated_at: now }).where('org_id', '=', orgId).where('manager_user_id', '=', userId).execute();

export const countOwners = async (db: Executor, orgId: string): Promise<number> =>
  Number((await db.selectFrom('memberships').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('role', '=', 'owner').executeTakeFirstOrThrow()).n);

export const countMembers = async (db: Executor, orgId: string): Promise<number> =>
  Number((await db.selectFrom('memberships').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('role', '!=', FORMER_ROLE).executeTakeFirstOrThrow()).n);

export const updateDisplayName = (db: Executor, userId: string, displayName: string, now: string) =>
  db.updateTable('users').set({ display_name: displayName, updated_at: now }).where('id', '=', userId).execute();

// ---- Member profiles (employee number, title, phone, department, location, manager) ----

const findProfileQuery = prepare((db: Executor, orgId: string, userId: string) =>
  db.selectFrom('member_profiles').selectAll().where('org_id', '=', orgId).where('user_id', '=', userId));

export const findProfile = (db: Executor, orgId: string, userId: string) => first(db, findProfileQuery(db, orgId, userId));

export interface ProfileRow {
  user_id: string;
  employee_number: string | null;
  title: string | null;
  phone: string | null;
  department_id: string | null;
  department_name: string | null;
  location_id: string | null;
  manager_user_id: string | null;
  manager_name: string | null;
  updated_at: string | null;
}

/** A member's profile with the names it references; all null when no profile was saved yet. Undefined when not a member. */
export const findProfileWithRefs = (db: Executor, orgId: string, userId: string): Promise<ProfileRow | undefined> =>
  db.selectFrom('memberships')
    .leftJoin('member_profiles', (j) => j.onRef('member_profiles.org_id', '=', 'memberships.org_id').onRef('member_profiles.user_id', '=', 'memberships.user_id'))
    .leftJoin('departments', 'departments.id', 'member_profiles.department_id')
    .leftJoin('users as manager', 'manager.id', 'member_profiles.manager_user_id')
    .select([
      'memberships.user_id', 'member_profiles.employee_number', 'member_profiles.title', 'member_profiles.phone',
      'member_profiles.department_id', 'departments.name as department_name', 'member_profiles.location_id',
      'member_profiles.manager_user_id', 'manager.display_name as manager_name', 'member_profiles.updated_at',
    ])
    .where('memberships.org_id', '=', orgId).where('memberships.user_id', '=', userId)
    .executeTakeFirst();

export interface ProfileValues {
  employee_number: string | null;
  title: string | null;
  phone: string | null;
  department_id: string | null;
  location_id: string | null;
  manager_user_id: string | null;
}

export const insertProfile = (db: Executor, orgId: string, userId: string, v: ProfileValues, now: string) =>
  db.insertInto('member_profiles').values({ org_id: orgId, user_id: userId, ...v, updated_at: now }).execute();

export const updateProfile = (db: Executor, orgId: string, userId: string, v: ProfileValues, now: string) =>
  db.updateTable('member_profiles').set({ ...v, updated_at: now }).where('org_id', '=', orgId).where('user_id', '=', userId).execute();

export const findByEmployeeNumber = (db: Executor, orgId: string, employeeNumber: string, exceptUserId: string) =>
  db.selectFrom('member_profiles').innerJoin('users', 'users.id', 'member_profiles.user_id')
    .select(['member_profiles.user_id', 'users.display_name'])
    .where('member_profiles.org_id', '=', orgId).where('member_profiles.employee_number', '=', employeeNumber)
    .where('member_profiles.user_id', '!=', exceptUserId)
    .executeTakeFirst();

export const departmentExists = async (db: Executor, orgId: string, id: string): Promise<boolean> =>
  !!(await db.selectFrom('departments').select('id').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst());

/** Live assets the member currently holds (open check-out to them) that are not at `locationId`. */
export const heldAssetsElsewhere = (db: Executor, orgId: string, userId: string, locationId: string) =>
  db.selectFrom('assignments').innerJoin('assets', 'assets.id', 'assignments.asset_id')
    .select(['assets.id', 'assets.location_id'])
    .where('assignments.org_id', '=', orgId).where('assignments.target_user_id', '=', userId).where('assignments.returned_at', 'is', null)
    .where('assets.org_id', '=', orgId).where('assets.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('assets.location_id', 'is', null), eb('assets.location_id', '!=', locationId)]))
    .execute();

export const setAssetLocation = (db: Executor, orgId: string, assetId: string, locationId: string, now: string) =>
  db.updateTable('assets').set({ location_id: locationId, updated_at: now }).where('org_id', '=', orgId).where('id', '=', assetId).execute();
