import type { Executor } from '../../db/database.js';
import { containsCi } from '../../db/dialect.js';

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
    .where('memberships.org_id', '=', orgId);

export function listMembers(db: Executor, orgId: string, q?: string): Promise<MemberRow[]> {
  let query = base(db, orgId);
  if (q) query = query.where((eb) => eb.or([containsCi(eb, eb.ref('users.email'), q), containsCi(eb, eb.ref('users.display_name'), q)]));
  return query.orderBy('users.display_name').orderBy('users.email').execute();
}

export const findMember = (db: Executor, orgId: string, userId: string): Promise<MemberRow | undefined> =>
  base(db, orgId).where('memberships.user_id', '=', userId).executeTakeFirst();

export const insertMembership = (db: Executor, orgId: string, userId: string, role: string, now: string) =>
  db.insertInto('memberships').values({ org_id: orgId, user_id: userId, role, created_at: now, updated_at: now }).execute();

export const updateRole = (db: Executor, orgId: string, userId: string, role: string, now: string) =>
  db.updateTable('memberships').set({ role, updated_at: now }).where('org_id', '=', orgId).where('user_id', '=', userId).execute();

export const deleteMembership = (db: Executor, orgId: string, userId: string) =>
  db.deleteFrom('memberships').where('org_id', '=', orgId).where('user_id', '=', userId).execute();

export const countOwners = async (db: Executor, orgId: string): Promise<number> =>
  Number((await db.selectFrom('memberships').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('role', '=', 'owner').executeTakeFirstOrThrow()).n);

export const countMembers = async (db: Executor, orgId: string): Promise<number> =>
  Number((await db.selectFrom('memberships').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n);

export const updateDisplayName = (db: Executor, userId: string, displayName: string, now: string) =>
  db.updateTable('users').set({ display_name: displayName, updated_at: now }).where('id', '=', userId).execute();
