import type { Executor } from '../../db/database.js';
import type { UsersTable, SessionsTable, OrganizationsTable } from '../../db/schema.js';

export type UserRow = UsersTable;
export type SessionRow = SessionsTable;

export const findUserByEmail = (db: Executor, email: string) =>
  db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();

export const findUserById = (db: Executor, id: string) =>
  db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();

export const countUsers = async (db: Executor): Promise<number> =>
  Number((await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

export const insertUser = (db: Executor, row: UserRow) => db.insertInto('users').values(row).execute();

export const updateUser = (db: Executor, id: string, patch: Partial<UserRow>) =>
  db.updateTable('users').set(patch).where('id', '=', id).execute();

export const insertSession = (db: Executor, row: SessionRow) => db.insertInto('sessions').values(row).execute();

export const findSession = (db: Executor, id: string) =>
  db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();

export const updateSession = (db: Executor, id: string, patch: Partial<SessionRow>) =>
  db.updateTable('sessions').set(patch).where('id', '=', id).execute();

export const deleteSession = (db: Executor, id: string) => db.deleteFrom('sessions').where('id', '=', id).execute();

export const deleteUserSessions = (db: Executor, userId: string, exceptId?: string) => {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.execute();
};

export const deleteExpiredSessions = (db: Executor, now: string) => db.deleteFrom('sessions').where('expires_at', '<', now).execute();

export const getThrottle = (db: Executor, key: string) =>
  db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();

export const upsertThrottle = (db: Executor, key: string, failures: number, firstFailureAt: string, lockedUntil: string | null) =>
  db.insertInto('login_throttle').values({ key, failures, first_failure_at: firstFailureAt, locked_until: lockedUntil })
    .onConflict((oc) => oc.column('key').doUpdateSet({ failures, first_failure_at: firstFailureAt, locked_until: lockedUntil }))
    .execute();

export const deleteStaleThrottles = (db: Executor, before: string) =>
  db.deleteFrom('login_throttle').where('first_failure_at', '<', before)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)])).execute();

export const clearThrottle = (db: Executor, key: string) => db.deleteFrom('login_throttle').where('key', '=', key).execute();

export const insertOneTimeToken = (db: Executor, row: { id: string; token_hash: string; purpose: string; user_id: string | null; created_at: string; expires_at: string }) =>
  db.insertInto('one_time_tokens').values({ ...row, used_at: null }).execute();

export const findOneTimeToken = (db: Executor, tokenHash: string, purpose: string) =>
  db.selectFrom('one_time_tokens').selectAll().where('token_hash', '=', tokenHash).where('purpose', '=', purpose).executeTakeFirst();

/** Marks a token used; returns false when it was already used (so two racing requests cannot both use it). */
export const useOneTimeToken = async (db: Executor, id: string, now: string): Promise<boolean> => {
  const r = await db.updateTable('one_time_tokens').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
};

export const expireOneTimeTokens = (db: Executor, purpose: string, now: string) =>
  db.updateTable('one_time_tokens').set({ used_at: now }).where('purpose', '=', purpose).where('used_at', 'is', null).execute();

export interface MembershipWithOrg { org_id: string; role: string; name: string; slug: string }

export const membershipsOfUser = (db: Executor, userId: string): Promise<MembershipWithOrg[]> =>
  db.selectFrom('memberships').innerJoin('organizations', 'organizations.id', 'memberships.org_id')
    .select(['memberships.org_id', 'memberships.role', 'organizations.name', 'organizations.slug'])
    .where('memberships.user_id', '=', userId).where('memberships.role', '!=', 'former').orderBy('organizations.name').execute();

export const membershipOf = (db: Executor, orgId: string, userId: string) =>
  db.selectFrom('memberships').select(['role']).where('org_id', '=', orgId).where('user_id', '=', userId).where('role', '!=', 'former').executeTakeFirst();

export type OrgRow = OrganizationsTable;
